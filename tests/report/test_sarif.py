"""SARIF output is valid 2.1.0 and passes GitHub code scanning's ingestion rules, for every scanner."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from nodeward.rules.registry import find_rule
from nodeward.scanners.registry import scanner_names
from tests.conftest import ROOT, run_cli
from tests.report.project import build_project

FIXTURES = ROOT / "tests" / "fixtures" / "rules"
#: scanner name -> the rule category its findings have
CATEGORY = {"code": "code", "secrets": "secrets", "deps": "dependencies", "config": "config",
            "templates": "templates"}


@pytest.fixture(scope="module")
def sarif_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("sarif") / "report.sarif"
    done = run_cli("scan", str(FIXTURES), "--format", "sarif", "--output", str(out))
    assert done.returncode == 1, done.stderr
    return out, json.loads(out.read_text())


@pytest.fixture(scope="module")
def every_scanner_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    base = tmp_path_factory.mktemp("every")
    project = build_project(base / "project")
    out = base / "report.sarif"
    done = run_cli("scan", str(project), "--format", "sarif", "--output", str(out), "--include-suppressed")
    assert done.returncode == 1, done.stderr
    return out, json.loads(out.read_text())


def schema_errors(document: dict[str, Any], package: Path) -> list[str]:
    schema = json.loads((package / "sarif-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def multitool_problems(report: Path, package: Path, work: Path) -> list[tuple[str, str]]:
    log = work / "validation.sarif"
    subprocess.run(
        # The report of every rule fixture (76 apps with their scorecards) passes the tool's default 10 MB
        # analysis limit, under which it would skip the file and fail with "no valid analysis targets".
        [str(package / "Sarif.Multitool"), "validate", "--rule-kind", "Sarif;Gh",
         "--level", "Error;Warning;Note", "--max-file-size-in-kb", "102400", "-o", str(log), str(report)],
        capture_output=True, text=True, timeout=300, check=True,
        env={"DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    results = json.loads(log.read_text())["runs"][0]["results"]
    return [(r["ruleId"], r["message"].get("text", str(r["message"]))) for r in results
            if r.get("level", "warning") in ("error", "warning")]


def test_sarif_validates_against_the_official_schema(
    sarif_report: tuple[Path, dict[str, Any]], sarif_multitool_dir: Path
) -> None:
    assert not schema_errors(sarif_report[1], sarif_multitool_dir)


def test_sarif_multitool_reports_no_errors_or_warnings(
    sarif_report: tuple[Path, dict[str, Any]], sarif_multitool_dir: Path, tmp_path: Path
) -> None:
    assert not multitool_problems(sarif_report[0], sarif_multitool_dir, tmp_path)


def test_every_scanners_sarif_is_valid_and_passes_github_rules(
    every_scanner_report: tuple[Path, dict[str, Any]], sarif_multitool_dir: Path, tmp_path: Path
) -> None:
    path, document = every_scanner_report
    categories = set()
    for result in document["runs"][0]["results"]:
        rule = find_rule(result["ruleId"])
        assert rule is not None
        categories.add(rule.category)
    for scanner in scanner_names():  # a scanner added later is covered as soon as it has a category here
        if scanner in CATEGORY:
            assert CATEGORY[scanner] in categories, f"no {scanner} finding in the every-scanner project"
    assert not schema_errors(document, sarif_multitool_dir)
    assert not multitool_problems(path, sarif_multitool_dir, tmp_path)


def test_sarif_results_carry_rule_metadata_regions_and_fingerprints(
    sarif_report: tuple[Path, dict[str, Any]]
) -> None:
    run = sarif_report[1]["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-78" in rules["NW101"]["properties"]["tags"]
    assert rules["NW101"]["help"]["markdown"].count("## ") >= 5
    assert rules["NW101"]["helpUri"].endswith("/docs/rules/NW101.md")
    assert (ROOT / "docs" / "rules" / "NW101.md").exists()
    results = [r for r in run["results"] if r["ruleId"] == "NW101"
               and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "injection/NW101.js"]
    assert results
    first = results[0]
    location = first["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] == 12
    assert "cp.exec" in location["region"]["snippet"]["text"]
    context = location["contextRegion"]
    assert context["startLine"] == 10 and context["endLine"] == 14
    assert "cp.exec" in context["snippet"]["text"]
    assert first["partialFingerprints"]["nodewardFingerprint/v1"]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "NW101"


def test_taint_traces_become_code_flows_from_source_to_sink(
    every_scanner_report: tuple[Path, dict[str, Any]]
) -> None:
    run = every_scanner_report[1]["runs"][0]
    flows = [r for r in run["results"] if r["ruleId"] == "NW101" and "codeFlows" in r and "suppressions" not in r]
    assert flows
    steps = flows[0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) >= 2
    lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
    assert lines[0] == 6 and lines[-1] == 7  # req.query.dir, then the exec call
    assert all(s["location"]["message"]["text"] for s in steps)


def test_suppressed_findings_are_kept_with_their_justification_when_asked(
    every_scanner_report: tuple[Path, dict[str, Any]]
) -> None:
    run = every_scanner_report[1]["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in suppressed] == [
        ("NW101", 8)]
    assert suppressed[0]["suppressions"] == [{"kind": "inSource", "justification": "reviewed: internal route"}]


def test_without_include_suppressed_suppressed_findings_stay_out(tmp_path: Path) -> None:
    project = build_project(tmp_path / "p", with_secret=False, with_deps=False)
    out = tmp_path / "r.sarif"
    run_cli("scan", str(project), "--format", "sarif", "--output", str(out), "--scanners", "code")
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert not [r for r in results if "suppressions" in r]
    assert [r for r in results if r["ruleId"] == "NW101"]


def test_files_that_failed_to_parse_are_invocation_notifications(
    every_scanner_report: tuple[Path, dict[str, Any]]
) -> None:
    run = every_scanner_report[1]["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    broken = [n for n in notes if n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.js"]
    assert broken and "syntax error" in broken[0]["message"]["text"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "x%3C/script%3E%3Cscript%3Ealert(1)%3C!--.js" in uris  # RFC 3986: percent-encoded


def test_taint_traces_become_code_flows(sarif_report: tuple[Path, dict[str, Any]]) -> None:
    run = sarif_report[1]["runs"][0]
    flows = [r for r in run["results"] if r.get("codeFlows")
             and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "injection/NW101-sources.js"]
    assert flows
    steps = flows[0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) >= 2
    assert steps[0]["location"]["message"]["text"].startswith(("request data", "command-line"))
    assert steps[-1]["location"]["message"]["text"].startswith("reaches")
