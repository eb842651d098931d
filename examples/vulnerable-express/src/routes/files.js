"use strict";
const express = require("express");
const fs = require("fs");
const path = require("path");
const { exec, execFile } = require("child_process");

const router = express.Router();
const UPLOADS = path.join(__dirname, "..", "..", "uploads");

router.get("/download", (req, res) => {
  // BUG: path traversal: ?name=../../etc/passwd
  fs.readFile(UPLOADS + "/" + req.query.name, (err, data) => {
    if (err) return res.status(404).end();
    res.send(data);
  });
});

router.get("/view", (req, res) => {
  // BUG: sendFile with a request path and no root option
  res.sendFile(req.query.file);
});

router.get("/safe-view", (req, res) => {
  // fine: sendFile confines the path to the root option
  res.sendFile(req.query.file, { root: UPLOADS });
});

router.post("/archive", (req, res) => {
  // BUG: command injection through the shell
  exec(`tar -czf /tmp/archive.tgz ${req.body.folder}`, (err) => {
    res.json({ ok: !err });
  });
});

router.post("/archive-safe", (req, res) => {
  // fine: no shell, the folder is one argument
  execFile("tar", ["-czf", "/tmp/archive.tgz", "--", req.body.folder], (err) => res.json({ ok: !err }));
});

router.get("/readme", (req, res) => {
  // fine: a path built only from constants
  res.send(fs.readFileSync(path.join(__dirname, "README.md"), "utf8"));
});

module.exports = router;
