"""What a file holds decides how it is read: UTF-16/32 text is decoded, minified code is left out whole-file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.secrets.tokens import TokenFactory

HANDLER = """\
// a handler written by a Windows editor
const express = require("express");
const child_process = require("child_process");
const app = express();

app.get("/run", (req, res) => {
  child_process.exec(req.query.cmd);
  res.send("ok");
});
"""


@pytest.mark.parametrize(("encoding", "mark"), [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"),
])
def test_a_finding_in_a_utf16_or_utf32_file_is_reported_at_its_line(tmp_path: Path, encoding: str,
                                                                     mark: bytes) -> None:
    token = TokenFactory(seed=21).make("github-pat-classic")
    (tmp_path / "app.js").write_bytes(mark + HANDLER.replace("\n", "\r\n").encode(encoding))
    (tmp_path / "settings.js").write_bytes(mark + f'\n\nexports.token = "{token}";\n'.encode(encoding))
    done = run_cli("scan", str(tmp_path), "-f", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    found = {(f["path"], f["rule_id"], f["start_line"]) for f in report["findings"]}
    assert ("app.js", "NW101", 7) in found
    assert any(path == "settings.js" and line == 3 and rule.startswith("NW5") for path, rule, line in found)
    command = next(f for f in report["findings"] if f["rule_id"] == "NW101")
    assert command["snippet"].strip() == "child_process.exec(req.query.cmd);"
    assert not [n for n in report["notices"] if n["path"] in ("app.js", "settings.js")]


def test_a_bundle_behind_64_kb_of_short_lines_is_skipped_as_minified(tmp_path: Path) -> None:
    bundle = "// license header line\n" * 3000 + "".join(
        f"function f{i}(a){{return a.b{i}(c)+d[{i}]}};" for i in range(40_000)) + "\n"
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "bundle.js").write_text(bundle)
    (tmp_path / "app.js").write_text(HANDLER)
    done = run_cli("scan", str(tmp_path), "-f", "json", "--scanners", "code", timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert {f["path"] for f in report["findings"]} == {"app.js"}
    assert {"path": "public/bundle.js", "kind": "skipped", "message": "minified", "line": None} in report["notices"]
