"""The documentation examples of the configuration rules are run like code rules' examples: the Bad one
must give the rule, the Good one must not (Dockerfile, YAML, .npmrc and package.json examples)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from nodeward.rules.base import Rule
from nodeward.rules.registry import all_rules
from nodeward.scanners.config import ConfigScanner
from nodeward.sources.discover import FileKind, SourceFile
from tests.rules.expectations import parse_expectations

CONFIG_RULES = [rule for rule in all_rules() if rule.category == "config"]
#: The file each example language is scanned as.
SCANNED_AS = {"dockerfile": "Dockerfile", "yaml": "docker-compose.yml", "ini": ".npmrc", "json": "package.json"}
#: Rules whose examples are shell sessions: they are tested on real files (tests/config/test_project_checks.py).
ON_DISK = {"NW725", "NW726"}


def test_config_rules_are_in_their_range() -> None:
    assert len(CONFIG_RULES) >= 20
    assert all(re.fullmatch(r"NW7\d\d", rule.id) for rule in CONFIG_RULES)


def _language(rule: type[Rule], section: str) -> str:
    match = re.search(r"```([a-z]*)\n", rule.docs().sections[section])
    return match.group(1) if match else ""


def _scan(example: str, language: str, tmp_path: Path) -> set[str]:
    name = SCANNED_AS[language]
    kind = FileKind.from_path(name)
    assert kind is not None
    path = tmp_path / name
    path.write_text(example)
    file = SourceFile(path, name, kind, len(example))
    result = ConfigScanner(None, today=datetime.date(2026, 11, 29)).scan_file(file, example.encode(), example)
    assert not result.notices
    return {f.rule_id for f in result.findings}


@pytest.mark.parametrize("rule", [r for r in CONFIG_RULES if r.id not in ON_DISK], ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_stays_clean(rule: type[Rule], tmp_path: Path) -> None:
    docs = rule.docs()
    bad_language, good_language = _language(rule, "Bad"), _language(rule, "Good")
    assert bad_language in SCANNED_AS and good_language in SCANNED_AS
    assert rule.id in _scan(docs.example("Bad"), bad_language, tmp_path), "the Bad example must trigger the rule"
    assert rule.id not in _scan(docs.example("Good"), good_language, tmp_path), "the Good example must not"


def test_every_config_rule_has_fixture_or_table_positives_and_negatives() -> None:
    fixtures = Path(__file__).parent.parent / "fixtures" / "config"
    expected: set[str] = set()
    ok: set[str] = set()
    for path in fixtures.iterdir():
        marks = parse_expectations(path.read_text(encoding="utf-8"))
        expected |= {rule for _, rule in marks.expected}
        ok |= {rule for _, rule in marks.ok}
    ok |= {"NW722"}  # the hardened Dockerfile and the package.json table
    tables = {"NW722", "NW725", "NW726", "NW706"}  # tests/config/test_project_checks.py
    ids = {rule.id for rule in CONFIG_RULES}
    assert not ids - expected - tables, sorted(ids - expected - tables)
    assert not ids - ok - tables, sorted(ids - ok - tables)
