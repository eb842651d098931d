"""Every detector has fixtures with true positives and near misses; rendered with generated fake tokens,
each fixture must give exactly the findings its comments expect (the same grammar as code fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nodeward.secrets.detectors import DETECTORS
from nodeward.secrets.engine import GENERIC_ID, SecretEngine
from nodeward.secrets.findings import TextContext, findings_for_text
from nodeward.sources.discover import FileKind
from tests.rules.expectations import parse_expectations
from tests.secrets.tokens import GENERATORS, TokenFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "secrets"
TEMPLATES = sorted(p for p in FIXTURES.iterdir() if p.is_file())
#: The name a fixture is scanned under, when its own name would give another file kind.
SCANNED_AS = {"registry.npmrc": ".npmrc", "providers.env": ".env.production", "catalog-i18n.json": "i18n/ja_JP.json",
              "seed-users.js": "seeds/users.js", "users-fixture.test.js": "users.test.js"}


@pytest.fixture(scope="module")
def engine() -> SecretEngine:
    return SecretEngine()


def render(path: Path, seed: int = 5) -> str:
    return TokenFactory(seed).render(path.read_text(encoding="utf-8"))


def scan(text: str, name: str, engine: SecretEngine, *, git_status: str = "") -> list[tuple[int, str]]:
    kind = FileKind.from_path(name) or FileKind.TEXT
    context = TextContext(display_path=f"src/{name}", kind=kind.value, git_status=git_status)
    return [(f.location.start_line, f.rule_id) for f in findings_for_text(text, context, engine)]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
@pytest.mark.parametrize("seed", [5, 11, 2024])
def test_fixture_findings_match_inline_expectations(path: Path, seed: int, engine: SecretEngine) -> None:
    text = render(path, seed)
    name = SCANNED_AS.get(path.name, path.name)
    found = set(scan(text, name, engine))
    expectations = parse_expectations(text)  # rendered: a private key body adds lines
    lines = text.splitlines()
    missing = sorted(expectations.expected - found)
    unexpected = sorted(found - expectations.expected - expectations.todo)
    report = [f"missing    {rule} line {line}: {lines[line - 1].strip()}" for line, rule in missing]
    report += [f"unexpected {rule} line {line}: {lines[line - 1].strip()}" for line, rule in unexpected]
    assert not report, "\n" + "\n".join(report)
    assert not expectations.expected & expectations.ok, "a line is marked both expect and ok"


def test_every_detector_has_a_true_positive_and_a_near_miss() -> None:
    """A detector is covered when an `expect:` line uses its token and an `ok:` line holds a near miss."""
    positives: set[str] = set()
    near_misses: set[str] = set()
    for path in TEMPLATES:
        for line in path.read_text(encoding="utf-8").splitlines():
            used = set(re.findall(r"\{\{([\w\-]+)", line))
            if "expect:" in line:
                positives |= used
            if "ok:" in line:  # a modified token, or a literal placeholder naming the detector it tests
                near_misses |= used | {d.id for d in DETECTORS if re.search(rf"\b{d.id}\b", line)}
    everything = {d.id for d in DETECTORS} | {GENERIC_ID}
    assert everything <= set(GENERATORS), sorted(everything - set(GENERATORS))
    assert not everything - positives, f"no true positive for {sorted(everything - positives)}"
    exempt = {"private-key"}  # its near misses are headers without a body, written literally
    assert not everything - near_misses - exempt, f"no near miss for {sorted(everything - near_misses - exempt)}"


def test_templates_hold_no_secret_themselves(engine: SecretEngine) -> None:
    """Unrendered, the fixtures are free of token literals: nothing a push-protection scanner could flag."""
    for path in TEMPLATES:
        name = SCANNED_AS.get(path.name, path.name)
        found = {rule for _, rule in scan(path.read_text(encoding="utf-8"), name, engine)}
        assert not found & {"NW501", "NW503", "NW506"}, path.name


def test_sample_credentials_of_seed_data_and_tests_are_one_low_severity_finding_per_file(engine: SecretEngine) -> None:
    from nodeward.findings import Confidence, Severity

    seed = render(FIXTURES / "seed-users.js")
    context = TextContext(display_path="db/seeds/users.js", kind=FileKind.JAVASCRIPT.value)
    [finding] = findings_for_text(seed, context, engine)
    assert finding.severity is Severity.LOW and finding.confidence is Confidence.MEDIUM
    assert finding.message.startswith("3 hardcoded secret-like values assigned to `password` in a seed data file")
    fixture = render(FIXTURES / "users-fixture.test.js")
    context = TextContext(display_path="test/login.test.js", kind=FileKind.JAVASCRIPT.value)
    generic = [f for f in findings_for_text(fixture, context, engine) if f.rule_id == "NW502"]
    assert [(f.severity, f.confidence) for f in generic] == [(Severity.LOW, Confidence.LOW)]
    # the same values outside tests and seeds are one finding each, at the rule's level
    context = TextContext(display_path="src/users.js", kind=FileKind.JAVASCRIPT.value)
    assert len(findings_for_text(seed, context, engine)) == 3
