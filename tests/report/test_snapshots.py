"""The rendered text, JSON and Markdown reports of a fixed project, compared with files under snapshots/.

A change of wording or layout shows up here as a diff. To accept it, run
`NODEWARD_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/report/test_snapshots.py` and review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

PROJECT = Path("tests") / "fixtures" / "report" / "app"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("NODEWARD_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("text.txt", ("--no-color",)),
        ("report.json", ("--format", "json", "--include-suppressed")),
        ("summary.md", ("--format", "markdown")),
    ],
)
def test_report_matches_its_snapshot(name: str, args: tuple[str, ...]) -> None:
    done = run_cli("scan", str(PROJECT), "--scanners", "code", "--no-config", *args, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    snapshot = SNAPSHOTS / name
    if UPDATE or not snapshot.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(done.stdout, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{snapshot} did not exist and was written: review it and commit it")
        return
    expected = snapshot.read_text(encoding="utf-8")
    if done.stdout != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), done.stdout.splitlines(True),
                                            f"snapshots/{name}", "this run"))
        pytest.fail(f"the report differs from its snapshot (NODEWARD_UPDATE_SNAPSHOTS=1 accepts it):\n{diff}")
