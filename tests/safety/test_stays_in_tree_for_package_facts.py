"""Facts about a file's package (which js-yaml it installs) come from inside the scanned directory only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

SERVER = """const express = require("express");
const yaml = require("js-yaml");
const app = express();
app.post("/import", (req, res) => res.json(yaml.load(req.body.document)));
"""


def _nw111_lines(root: Path) -> list[int]:
    done = run_cli("scan", str(root), "--format", "json", "--scanners", "code", "--no-config")
    assert done.returncode in (0, 1), done.stderr
    return [f["start_line"] for f in json.loads(done.stdout)["findings"] if f["rule_id"] == "NW111"]


def test_the_package_json_above_the_scanned_directory_is_never_read(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    (outer / "app").mkdir(parents=True)
    (outer / "package.json").write_text(json.dumps({"dependencies": {"js-yaml": "3.13.1"}}))
    (outer / "app" / "server.js").write_text(SERVER)
    assert _nw111_lines(outer) == [4]  # js-yaml 3's load runs any type: known from the package inside the scan
    assert _nw111_lines(outer / "app") == []  # the same file, scanned alone: nothing above it is read


def test_a_linked_js_yaml_is_followed_only_inside_the_scanned_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "js-yaml"
    elsewhere.mkdir(parents=True)
    (elsewhere / "package.json").write_text(json.dumps({"name": "js-yaml", "version": "3.14.0"}))
    app = tmp_path / "app"
    (app / "node_modules").mkdir(parents=True)
    (app / "node_modules" / "js-yaml").symlink_to(elsewhere, target_is_directory=True)
    (app / "server.js").write_text(SERVER)
    assert _nw111_lines(app) == []
