"""Every fixture file, scanned with every rule, must give exactly the findings its comments expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodeward.scanners.code import CodeScanner
from nodeward.sources.discover import FileKind
from tests.rules.expectations import parse_expectations

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
DIALECTS = {FileKind.JAVASCRIPT: "javascript", FileKind.TYPESCRIPT: "typescript", FileKind.TSX: "tsx"}
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and FileKind.from_path(p) is not None)


@pytest.fixture(scope="module")
def scanner() -> CodeScanner:
    return CodeScanner()


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_inline_expectations(path: Path, scanner: CodeScanner) -> None:
    kind = FileKind.from_path(path)
    assert kind is not None
    source = path.read_bytes()
    result = scanner.scan_source(path.name, source, DIALECTS[kind])
    errors = [n.message for n in result.notices if n.kind == "error"]
    assert not errors, errors
    expectations = parse_expectations(source.decode("utf-8"))
    found = {(f.location.start_line, f.rule_id) for f in result.findings} - expectations.todo
    expected = expectations.expected - expectations.todo
    lines = source.decode("utf-8").splitlines()
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    report = [f"missing    {rule} line {line}: {lines[line - 1].strip()}" for line, rule in missing]
    report += [f"unexpected {rule} line {line}: {lines[line - 1].strip()}" for line, rule in unexpected]
    assert not report, "\n" + "\n".join(report)
    contradictions = expectations.expected & expectations.ok
    assert not contradictions, f"lines marked both expect and ok: {sorted(contradictions)}"
