"""Every template under tests/fixtures/templates must give exactly the NW118 findings its comments expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodeward.scanners.templates import TemplatesScanner
from nodeward.sources.discover import FileKind, SourceFile
from tests.rules.expectations import parse_expectations

FIXTURES = Path(__file__).parent.parent / "fixtures" / "templates"
TEMPLATES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and FileKind.from_path(p) is FileKind.TEMPLATE)


def test_there_are_fixtures_for_every_engine() -> None:
    assert {p.suffix for p in TEMPLATES} >= {".ejs", ".hbs", ".mustache", ".pug", ".njk"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_template_findings_match_inline_expectations(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    display = path.relative_to(FIXTURES).as_posix()
    file = SourceFile(path, display, FileKind.TEMPLATE, len(text))
    result = TemplatesScanner().scan_file(file, text.encode(), text)
    expectations = parse_expectations(text)
    found = {(f.location.start_line, f.rule_id) for f in result.findings} - expectations.todo
    expected = expectations.expected - expectations.todo
    lines = text.splitlines()
    report = [f"missing    {rule} line {line}: {lines[line - 1].strip()}" for line, rule in sorted(expected - found)]
    report += [f"unexpected {rule} line {line}: {lines[line - 1].strip()}" for line, rule in sorted(found - expected)]
    assert not report, "\n" + "\n".join(report)
    assert all(f.location.path == display and f.snippet for f in result.findings)


def test_the_rule_can_be_deselected() -> None:
    path = FIXTURES / "views" / "profile.ejs"
    text = path.read_text(encoding="utf-8")
    file = SourceFile(path, "profile.ejs", FileKind.TEMPLATE, len(text))
    assert TemplatesScanner(frozenset({"NW101"})).scan_file(file, text.encode(), text).findings == []
    assert TemplatesScanner(frozenset({"NW118"})).scan_file(file, text.encode(), text).findings
