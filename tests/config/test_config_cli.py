"""`nodeward scan` with the config scanner, as a user runs it: findings of every format, a broken YAML
file reported with its line while the rest is scanned, and the scorecard's sandboxing and file-permissions
lines fed by the scanner's evidence."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_scan_reports_config_findings_notices_and_scorecard_lines(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n')
    (tmp_path / "docker-compose.yml").write_text("services:\n  api:\n    build: .\n    privileged: true\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "broken.yaml").write_text("services:\n  api: [\n")
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"start": "node --inspect=0.0.0.0 server.js"}}))
    (tmp_path / "server.js").write_text(
        'const express = require("express");\nconst app = express();\napp.get("/", (q, r) => r.send("hi"));\n'
        "app.listen(3000);\n")
    (tmp_path / ".env").write_text("PORT=3000\n")
    (tmp_path / ".env").chmod(0o644)
    done = run_cli("scan", str(tmp_path), "--format", "json", "--scanners", "code,config")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    found = {(f["path"], f["rule_id"]) for f in report["findings"]}
    assert {("Dockerfile", "NW701"), ("Dockerfile", "NW703"), ("docker-compose.yml", "NW713"),
            ("package.json", "NW721"), (".env", "NW725")} <= found
    [notice] = [n for n in report["notices"] if n["path"] == "deploy/broken.yaml"]
    assert notice["line"] == 3 and "invalid YAML" in notice["message"]
    [scorecard] = report["scorecard"]
    lines = {p["practice"]: p for p in scorecard["practices"]}
    assert lines["sandboxing"]["status"] == "missing"
    assert any("final stage runs as root" in e["text"] for e in lines["sandboxing"]["evidence"])
    assert lines["file-permissions"]["status"] == "missing"
    assert lines["file-permissions"]["evidence"][0]["text"] == ".env 0644 readable by others"
