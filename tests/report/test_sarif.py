"""SARIF output is valid 2.1.0 and passes GitHub code scanning's ingestion rules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "rules"


@pytest.fixture(scope="module")
def sarif_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("sarif") / "report.sarif"
    done = run_cli("scan", str(FIXTURES), "--format", "sarif", "--output", str(out))
    assert done.returncode == 1, done.stderr
    return out, json.loads(out.read_text())


def test_sarif_validates_against_the_official_schema(
    sarif_report: tuple[Path, dict[str, Any]], sarif_multitool_dir: Path
) -> None:
    schema = json.loads((sarif_multitool_dir / "sarif-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(sarif_report[1]), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_multitool_reports_no_errors_or_warnings(
    sarif_report: tuple[Path, dict[str, Any]], sarif_multitool_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "validation.sarif"
    subprocess.run(
        [str(sarif_multitool_dir / "Sarif.Multitool"), "validate", "--rule-kind", "Sarif;Gh",
         "--level", "Error;Warning;Note", "-o", str(log), str(sarif_report[0])],
        capture_output=True, text=True, timeout=300, check=True,
        env={"DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    results = json.loads(log.read_text())["runs"][0]["results"]
    serious = [(r["ruleId"], r["message"].get("text", r["message"])) for r in results
               if r.get("level", "warning") in ("error", "warning")]
    assert not serious, serious


def test_sarif_results_carry_rule_metadata_regions_and_fingerprints(
    sarif_report: tuple[Path, dict[str, Any]]
) -> None:
    run = sarif_report[1]["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-78" in rules["NW101"]["properties"]["tags"]
    assert rules["NW101"]["help"]["markdown"].count("## ") >= 5
    results = [r for r in run["results"] if r["ruleId"] == "NW101"]
    assert results
    first = results[0]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "injection/NW101.js"
    assert location["region"]["startLine"] == 12
    assert "cp.exec" in location["region"]["snippet"]["text"]
    assert first["partialFingerprints"]["nodewardFingerprint/v1"]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "NW101"
