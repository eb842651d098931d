"""Whole-project fixtures (cross-file flows, library mode): every folder under tests/fixtures/projects is scanned
like a user would, and its findings must be exactly the `expect:` comments in its files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.rules.expectations import parse_expectations

PROJECTS = ROOT / "tests" / "fixtures" / "projects"
PROJECT_DIRS = sorted(p for p in PROJECTS.iterdir() if p.is_dir()) if PROJECTS.exists() else []
CODE_SUFFIXES = {".js", ".cjs", ".mjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}


def expected_findings(project: Path) -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    expected: set[tuple[str, int, str]] = set()
    todo: set[tuple[str, int, str]] = set()
    for path in project.rglob("*"):
        if path.suffix not in CODE_SUFFIXES:
            continue
        marks = parse_expectations(path.read_text(encoding="utf-8"))
        relative = path.relative_to(project).as_posix()
        expected |= {(relative, line, rule) for line, rule in marks.expected}
        todo |= {(relative, line, rule) for line, rule in marks.todo}
    return expected, todo


@pytest.mark.parametrize("project", PROJECT_DIRS, ids=lambda p: p.name)
def test_project_findings_match_expectations(project: Path) -> None:
    # Every confidence: the fixtures state every finding, audit-level ones included.
    done = run_cli("scan", str(project), "--format", "json", "--scanners", "code", "-j", "1", "--min-confidence", "low")
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    found = {(f["path"], f["start_line"], f["rule_id"]) for f in report["findings"]}
    expected, todo = expected_findings(project)
    missing = sorted(expected - found - todo)
    unexpected = sorted(found - expected - todo)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
