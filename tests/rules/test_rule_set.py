"""Meta-tests over the rule set: metadata, docs, runnable doc examples, fixtures for every rule."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from nodeward.rules.base import DOC_SECTIONS, OWASP_2021, Rule
from nodeward.rules.registry import all_rules
from nodeward.scanners.code import CodeScanner
from nodeward.sources.discover import FileKind, SourceFile
from tests.rules.expectations import parse_expectations

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
PROJECTS = Path(__file__).parent.parent / "fixtures" / "projects"
CODE_SUFFIXES = {".js", ".cjs", ".mjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}
RULES = all_rules()
CODE_RULES = [rule for rule in RULES if rule.visits]


def test_there_are_rules() -> None:
    assert len(CODE_RULES) >= 1


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_metadata_is_complete(rule: type[Rule]) -> None:
    assert re.fullmatch(r"NW\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name), "kebab-case name"
    assert not rule.name.startswith(("no-", "use-")), "names the bad pattern, not advice"
    assert rule.title and rule.fix
    assert rule.cwe and all(isinstance(n, int) and n > 0 for n in rule.cwe)
    assert rule.owasp in OWASP_2021
    module_file = Path(__import__(rule.__module__, fromlist=["_"]).__file__ or "")
    assert module_file.stem == rule.name.replace("-", "_"), "one rule per file, named after the rule"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_docs_have_the_fixed_sections(rule: type[Rule]) -> None:
    docs = rule.docs()
    assert tuple(docs.sections) == DOC_SECTIONS
    assert all(body.strip() for body in docs.sections.values())
    assert docs.example("Bad") and docs.example("Good")


@pytest.fixture(scope="module")
def scanner() -> CodeScanner:
    return CodeScanner()


def project_fixture(rule: type[Rule]) -> Path:
    [project] = [p for p in PROJECTS.glob(f"{rule.id}-*") if p.is_dir()]
    return project


def scan_example(rule: type[Rule], name: str, tmp_path: Path, scanner: CodeScanner) -> set[str]:
    """The rules an example of ``rule``'s docs triggers: alone, or inside the rule's project fixture."""
    source = rule.docs().example(name)
    if not rule.needs_project:
        return {f.rule_id for f in scanner.scan_source(f"{name}.js", source.encode(), "javascript").findings}
    project = tmp_path / name
    shutil.copytree(project_fixture(rule), project)
    path = project / f"{name.lower()}-example.js"
    path.write_text(source)
    file = SourceFile(path, path.name, FileKind.JAVASCRIPT, len(source))
    return {f.rule_id for f in scanner.scan_file(file, source.encode(), source).findings}


@pytest.mark.parametrize("rule", CODE_RULES, ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_stays_clean(rule: type[Rule], scanner: CodeScanner,
                                                        tmp_path: Path) -> None:
    assert rule.id in scan_example(rule, "Bad", tmp_path, scanner), "the Bad example must trigger the rule"
    assert rule.id not in scan_example(rule, "Good", tmp_path, scanner), "the Good example must not trigger the rule"


@pytest.mark.parametrize("rule", CODE_RULES, ids=lambda r: r.id)
def test_every_rule_has_fixtures_with_positives_and_negatives(rule: type[Rule]) -> None:
    folder = project_fixture(rule) if rule.needs_project else FIXTURES
    pattern = "*" if rule.needs_project else f"{rule.id}*"
    files = [p for p in folder.rglob(pattern) if p.is_file() and p.suffix in CODE_SUFFIXES]
    assert files, f"no fixture tests/fixtures/rules/<category>/{rule.id}.js"
    assert any(p.suffix == ".js" for p in files), "a JavaScript fixture"
    assert any(p.suffix in (".ts", ".tsx", ".mts", ".cts", ".mjs") for p in files), "a TS, TSX or ESM fixture"
    expected = ok = 0
    for path in files:
        marks = parse_expectations(path.read_text(encoding="utf-8"))
        expected += sum(1 for _, rule_id in marks.expected if rule_id == rule.id)
        ok += sum(1 for _, rule_id in marks.ok if rule_id == rule.id)
    assert expected and ok, "fixtures need both `expect:` and `ok:` lines for the rule"
