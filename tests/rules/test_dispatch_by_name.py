"""Rules that declare the names of the calls they are about (`Rule.call_names`) are handed only those calls.

The guard: every fixture file scanned with the name dispatch gives exactly what it gives when every call
goes to every rule, down to the plain data phase 2 receives, so a name missing from a rule's declaration
shows up here as a lost finding or flow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nodeward.lang.js import parser
from nodeward.lang.js.model import SemanticModel
from nodeward.rules.base import last_names
from nodeward.scanners.code import CallsByName, CodeScanner, code_rules
from nodeward.sources.discover import FileKind

FIXTURES = Path(__file__).parent.parent / "fixtures"
DIALECTS = {FileKind.JAVASCRIPT: "javascript", FileKind.TYPESCRIPT: "typescript", FileKind.TSX: "tsx"}
CODE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and FileKind.from_path(p) in DIALECTS)


@pytest.fixture(scope="module")
def scanners() -> tuple[CodeScanner, CodeScanner]:
    return CodeScanner(), CodeScanner(dispatch_by_name=False)


def test_most_call_rules_declare_their_names() -> None:
    call_rules = [rule for rule in code_rules() if {"call_expression", "new_expression"} & set(rule.visits)]
    declaring = [rule for rule in call_rules if rule.call_names is not None]
    assert len(declaring) * 2 > len(call_rules), [rule.id for rule in call_rules if rule.call_names is None]
    assert all(rule.call_names for rule in declaring), "a rule declaring no name at all would never run"


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_name_dispatch_finds_what_every_rule_on_every_call_finds(
        path: Path, scanners: tuple[CodeScanner, CodeScanner]) -> None:
    kind = FileKind.from_path(path)
    assert kind is not None
    source = path.read_bytes()
    dispatched, everything = (scanner.scan_source(path.name, source, DIALECTS[kind]) for scanner in scanners)
    assert dispatched.findings == everything.findings
    assert dispatched.notices == everything.notices
    assert dispatched.summaries == everything.summaries


def test_calls_are_found_by_their_written_and_their_resolved_name() -> None:
    source = b"""
const cp = require("child_process");
const run = cp.exec;
cp.exec(a);
run(b);
other.execute(c);
new Worker(d);
"""
    tree = parser.parse(source, "javascript")
    calls = parser.captures("javascript", "(call_expression) @c (new_expression) @c", tree.root_node)["c"]
    model = SemanticModel(tree, source, "javascript")
    by_name = CallsByName(model, calls)
    exec_calls = [model.text(call) for call in by_name.named(last_names(["child_process.exec"]))]
    assert exec_calls == ["cp.exec(a)", "run(b)"]
    assert [model.text(call) for call in by_name.named(frozenset({"Worker"}))] == ["new Worker(d)"]
    assert by_name.named(frozenset({"spawn"})) == []
