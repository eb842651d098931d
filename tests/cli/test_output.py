"""--output: checked before the scan, written whole or not at all."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import nodeward.cli.main
import nodeward.scan
from nodeward.cli.main import cli
from tests.conftest import run_cli

VULNERABLE = 'const cp = require("child_process");\nfunction f(x) {\n  cp.exec("ls " + x);\n}\n'


def project(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.js").write_text(VULNERABLE)
    return source


@pytest.mark.parametrize("where", ["missing-directory", "under-a-file", "a-directory"])
def test_an_unwritable_output_is_a_usage_error_before_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    source = project(tmp_path)
    (tmp_path / "plain-file").write_text("x")
    (tmp_path / "existing-dir").mkdir()
    target = {"missing-directory": tmp_path / "no" / "such" / "report.json",
              "under-a-file": tmp_path / "plain-file" / "report.json",
              "a-directory": tmp_path / "existing-dir"}[where]
    scans: list[Any] = []
    monkeypatch.setattr(nodeward.scan, "run_scan", lambda *args, **kwargs: scans.append(args))
    done = CliRunner().invoke(cli, ["scan", str(source), "-f", "json", "-o", str(target), "--no-config"])
    assert done.exit_code == 2, done.output
    assert "--output" in done.output and str(target) in done.output.replace("\n", "")
    assert scans == []  # refused before any work was done
    assert not target.exists() or target.is_dir()


def test_a_report_that_fails_midway_leaves_the_previous_report_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = project(tmp_path)
    out = tmp_path / "reports"
    out.mkdir()
    target = out / "report.json"
    target.write_text('{"previous": true}\n')

    def render_half_then_die(result: Any, fmt: Any, stream: Any, **kwargs: Any) -> None:
        stream.write('{"findings": [')
        raise KeyboardInterrupt  # as when the user presses Ctrl-C while a large report is written

    monkeypatch.setattr(nodeward.cli.main, "render", render_half_then_die)
    done = CliRunner().invoke(cli, ["scan", str(source), "-f", "json", "-o", str(target), "--no-config"])
    assert done.exit_code != 0
    assert target.read_text() == '{"previous": true}\n'
    assert os.listdir(out) == ["report.json"]  # the temporary file is gone too

    fresh = out / "new.json"
    CliRunner().invoke(cli, ["scan", str(source), "-f", "json", "-o", str(fresh), "--no-config"])
    assert not fresh.exists()  # no 0-byte or half report


def test_a_report_replaces_the_previous_one_and_keeps_its_permissions(tmp_path: Path) -> None:
    source = project(tmp_path)
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    done = run_cli("scan", str(source), "-f", "json", "-o", str(target))
    assert done.returncode == 1, done.stderr
    assert json.loads(target.read_text())["findings"][0]["rule_id"] == "NW101"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "src"]
