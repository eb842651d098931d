"use strict";
const express = require("express");
const crypto = require("crypto");

const router = express.Router();
const ADMIN_TOKEN_HASH = process.env.ADMIN_TOKEN_HASH;

function sha256(value) {
  return crypto.createHash("sha256").update(String(value)).digest("hex");
}

router.use((req, res, next) => {
  const token = req.get("x-admin-token");
  // BUG: timing-unsafe comparison of a secret
  if (sha256(token) !== ADMIN_TOKEN_HASH) {
    return res.status(403).end();
  }
  next();
});

router.post("/eval", (req, res) => {
  // BUG: code injection
  const result = eval(req.body.expression);
  res.json({ result });
});

router.post("/invite", (req, res) => {
  // BUG: predictable bytes for an invitation code
  const code = crypto.pseudoRandomBytes(16).toString("hex");
  res.json({ code });
});

router.get("/search", (req, res) => {
  // BUG: regular expression built from the request
  const pattern = new RegExp(req.query.q, "i");
  res.json({ match: pattern.test("administrator") });
});

module.exports = router;
