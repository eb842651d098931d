"""Every configuration fixture gives exactly the NW7xx findings its comments expect (`expect:` on the
line, `expect-next-line:` for the line after, `ok:` lines must stay clean)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from nodeward.scanners import FileResult
from nodeward.scanners.config import ConfigScanner
from nodeward.sources.discover import FileKind, SourceFile
from tests.rules.expectations import parse_expectations

FIXTURES = Path(__file__).parent.parent / "fixtures" / "config"
#: The end-of-life checks depend on the date: the fixtures are judged as of this day.
TODAY = datetime.date(2026, 11, 29)
#: Fixture names that would give another kind of file than the one they stand for.
SCANNED_AS = {"scanned-as-npmrc": ".npmrc"}
FILES = sorted(p for p in FIXTURES.iterdir() if p.is_file())


def scan_fixture(path: Path, name: str | None = None) -> FileResult:
    name = name or SCANNED_AS.get(path.name, path.name)
    kind = FileKind.from_path(name)
    assert kind is not None, name
    data = path.read_bytes()
    file = SourceFile(path, f"deploy/{name}", kind, len(data))
    return ConfigScanner(None, today=TODAY).scan_file(file, data, data.decode())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_findings_match_inline_expectations(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = scan_fixture(path)
    found = {(f.line, f.rule_id) for f in result.findings}
    marks = parse_expectations(text)
    lines = text.splitlines()
    missing = sorted(marks.expected - found)
    unexpected = sorted(found - marks.expected - marks.todo)
    report = [f"missing    {rule} line {line}: {lines[line - 1].strip()}" for line, rule in missing]
    report += [f"unexpected {rule} line {line}: {lines[line - 1].strip()}" for line, rule in unexpected]
    assert not report, "\n" + "\n".join(report)
    assert not marks.expected & marks.ok
    assert not result.notices, result.notices


def test_hardened_multi_stage_dockerfile_gives_no_finding() -> None:
    result = scan_fixture(FIXTURES / "hardened.Dockerfile")
    assert result.findings == []
    assert result.summaries["practices"] == [{
        "practice": "sandboxing", "status": "in-place", "evidence": "deploy/hardened.Dockerfile:26 USER node",
        "path": "deploy/hardened.Dockerfile", "line": 26,
    }]


def test_secret_values_never_appear_in_findings() -> None:
    for name in ("insecure.Dockerfile", "docker-compose.dangerous.yml", "k8s-deployment.yaml"):
        for finding in scan_fixture(FIXTURES / name).findings:
            for secret in ("8f2b1c9e0d7a4f36b5e1c2d3a4b5c6d7", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Xq7!pL2#vR9@kT4m"):
                assert secret not in finding.message and secret not in finding.snippet


def test_compose_and_kubernetes_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    compose = (FIXTURES / "docker-compose.dangerous.yml").read_text()
    kubernetes = (FIXTURES / "k8s-deployment.yaml").read_text()
    for text, rule in ((compose, "NW713"), (kubernetes, "NW713")):
        path = tmp_path / "anything.yaml"
        path.write_text(text)
        assert rule in {f.rule_id for f in scan_fixture(path, "anything.yaml").findings}
    # A YAML file that is neither (a CI workflow with "services" of another shape) gives nothing.
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: push\njobs:\n  test:\n    services:\n      redis:\n        image: redis\n"
                        "    steps:\n      - run: npm test\n")
    assert scan_fixture(workflow, "ci.yml").findings == []


@pytest.mark.parametrize(("text", "expected"), [
    ("services:\n  api:\n    image: [unclosed\n", "invalid YAML"),
    ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: {{ .Values.name }}\n", "template"),
])
def test_malformed_yaml_gives_a_notice_with_the_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    result = scan_fixture(path, "compose.yaml")
    assert len(result.notices) == 1
    notice = result.notices[0]
    assert expected in notice.message and notice.line is not None and notice.path == "deploy/compose.yaml"


def test_broken_documents_after_a_good_one_keep_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "all.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  containers: []\n---\nkind: [\n")
    result = scan_fixture(path, "all.yaml")
    assert [(f.line, f.rule_id) for f in result.findings] == [(4, "NW715")]
    assert [(n.kind, n.line) for n in result.notices] == [("partial-parse", 8)]


def test_a_file_named_like_a_dockerfile_that_is_not_one_gives_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile.md"
    path.write_text("# How we build\n\nRun `docker build .` to build the image.\n")
    result = scan_fixture(path, "Dockerfile.md")
    assert result.findings == []
    assert [n.kind for n in result.notices] == ["skipped"] and "not a Dockerfile" in result.notices[0].message


@pytest.mark.parametrize(("name", "kind"), [
    ("Dockerfile", FileKind.DOCKERFILE), ("Dockerfile.prod", FileKind.DOCKERFILE),
    ("api.dockerfile", FileKind.DOCKERFILE), ("Containerfile", FileKind.DOCKERFILE),
    ("dockerfile.js", FileKind.JAVASCRIPT),  # highlight.js's Dockerfile grammar is code, not a Dockerfile
    ("Dockerfile.yml", FileKind.YAML),
])
def test_dockerfile_names(name: str, kind: FileKind) -> None:
    assert FileKind.from_path(name) is kind
