"""NW118 and the render calls of the app: a raw output of a name that every render of the view fills with a
constant the app wrote cannot carry a client's markup (lowered to low confidence, hidden by default); any
render with outside data, with data whose names are not known, or no render seen keeps the finding."""

from __future__ import annotations

from pathlib import Path

from nodeward.findings import Confidence
from nodeward.scan import ScanOptions, run_scan

APP = """const express = require("express");
const app = express();
app.get("/check", (req, res) => {
  if (/^[a-z]+$/.test(req.query.word)) {
    res.render("index.ejs", { result: "Matched!", message: req.query.message });
  } else {
    res.render("index.ejs", { result: null, message: "Try again" });
  }
});
app.get("/admin", (req, res) => res.render("admin/panel", { banner: "Welcome", note: req.query.note }));
app.get("/page", (req, res) => res.render("page.ejs", req.query));
module.exports = app;
"""
INDEX = "<p><%- result %></p>\n<p><%- message %></p>\n"
PANEL = "<h1><%- banner %></h1>\n<p><%- note %></p>\n"
PAGE = "<h1><%- title %></h1>\n"
ORPHAN = "<h1><%- heading %></h1>\n"


def test_only_outputs_rendered_from_constants_are_lowered(tmp_path: Path) -> None:
    (tmp_path / "views" / "admin").mkdir(parents=True)
    (tmp_path / "app.js").write_text(APP)
    (tmp_path / "views" / "index.ejs").write_text(INDEX)
    (tmp_path / "views" / "admin" / "panel.ejs").write_text(PANEL)
    (tmp_path / "views" / "page.ejs").write_text(PAGE)
    (tmp_path / "views" / "orphan.ejs").write_text(ORPHAN)
    findings = run_scan([tmp_path], ScanOptions(min_confidence=Confidence.LOW)).result.findings
    raw = {(f.path, f.line): f.confidence for f in findings if f.rule_id == "NW118"}
    assert raw == {
        ("views/index.ejs", 1): Confidence.LOW,  # "Matched!" or null
        ("views/index.ejs", 2): Confidence.MEDIUM,  # once from the query string
        ("views/admin/panel.ejs", 1): Confidence.LOW,  # the view named without its extension
        ("views/admin/panel.ejs", 2): Confidence.MEDIUM,
        ("views/page.ejs", 1): Confidence.MEDIUM,  # the whole query as data: any name may come from it
        ("views/orphan.ejs", 1): Confidence.MEDIUM,  # never rendered where the code is seen
    }
    shown = run_scan([tmp_path], ScanOptions(min_confidence=Confidence.MEDIUM)).result.findings
    assert {(f.path, f.line) for f in shown if f.rule_id == "NW118"} == {
        ("views/index.ejs", 2), ("views/admin/panel.ejs", 2), ("views/page.ejs", 1), ("views/orphan.ejs", 1)}
