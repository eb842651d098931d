"""Budgets, not hangs: a file that takes too long, or that nests deeper than the analysis follows, is
reported with a notice, and the rest of the scan (the findings of the other files) goes on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodeward.findings import FileNotice
from nodeward.scan import ScanOptions, run_scan
from nodeward.scanners import FileResult
from nodeward.scanners.code import CodeScanner
from nodeward.sources.discover import SourceFile
from tests.conftest import run_cli

VULNERABLE = (
    "const cp = require('child_process');\n"
    "require('http').createServer((req, res) => {\n"
    "  cp.exec('ls ' + req.url);\n"
    "});\n"
)


def write_project(root: Path, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ok.js").write_text(VULNERABLE)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def limit_notices(notices: list[FileNotice] | list[dict[str, object]], path: str) -> list[str]:
    return [str(n["message"] if isinstance(n, dict) else n.message) for n in notices
            if (n["path"] if isinstance(n, dict) else n.path) == path
            and (n["kind"] if isinstance(n, dict) else n.kind) == "limit"]


@pytest.fixture
def stuck_in_c(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The code scanner, in the workers (forked from this process), never returns on `stuck.js`: it is
    inside a catastrophic regular expression match, a C call that no cooperative check could interrupt."""
    original = CodeScanner.scan_file

    def scan_file(self: CodeScanner, file: SourceFile, data: bytes, text: str) -> FileResult:
        if file.display_path == "stuck.js":
            re.match(r"(a+)+$", "a" * 64 + "!")
        return original(self, file, data, text)

    monkeypatch.setattr(CodeScanner, "scan_file", scan_file)
    yield


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stuck_file_is_stopped_at_its_budget_and_the_scan_goes_on(tmp_path: Path, stuck_in_c: None,
                                                                   jobs: int) -> None:
    extra = {f"plain{n}.js": f"module.exports = {n};\n" for n in range(8)}  # enough files for several workers
    root = write_project(tmp_path / "app", **{"stuck.js": "const x = 1;\n"}, **extra)
    outcome = run_scan([root], ScanOptions(jobs=jobs, file_timeout=1.0))
    result = outcome.result
    assert [f.rule_id for f in result.findings if f.path == "ok.js"] == ["NW101"]
    (message,) = limit_notices(result.notices, "stuck.js")
    assert message.startswith("analysis stopped: time budget of 1 s exceeded")
    assert not any(n.kind in ("limit", "error") for n in result.notices if n.path != "stuck.js")


def test_a_file_over_the_time_budget_is_reported_by_the_cli(tmp_path: Path) -> None:
    # About 60,000 lines of request handling: seconds of analysis, far more than a budget of 0.5 s.
    handler = "app.get('/a{n}', (req, res) => {{ const v{n} = req.query.v + {n}; res.send(String(v{n})); }});\n"
    slow = "const app = require('express')();\n" + "".join(handler.format(n=n) for n in range(60_000))
    root = write_project(tmp_path / "app", **{"slow.js": slow})
    done = run_cli("scan", str(root), "--format", "json", "--file-timeout", "0.5", "--max-file-size", "65536",
                   "--no-config")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["rule_id"] for f in report["findings"] if f["path"] == "ok.js"] == ["NW101"]
    (message,) = limit_notices(report["notices"], "slow.js")
    assert message.startswith("analysis stopped: time budget of 0.5 s exceeded")
    assert "Traceback" not in done.stderr
