"""NW608 and the lockfile: the call that hands outside data to a vulnerable package points at the package's
lockfile entry, and that entry is then not reported a second time by NW601 (one finding per cause)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from nodeward.config.model import AdvisoryIgnore
from nodeward.scan import ScanOptions, run_scan
from tests.conftest import ROOT

APP = ROOT / "tests" / "fixtures" / "projects" / "NW608-vulnerable-dependency-reached"


def test_reached_packages_are_reported_at_the_call_and_once(tmp_path: Path) -> None:
    shutil.copytree(APP, tmp_path / "app")
    findings = run_scan([tmp_path / "app"], ScanOptions()).result.findings
    lock = (APP / "package-lock.json").read_text().splitlines()
    reached = {f.path: f for f in findings if f.rule_id == "NW608" and f.path == "lib/importer.js"}
    [archive] = reached.values()
    assert "adm-zip@0.4.7" in archive.message and "NSWG-ECO-458" in archive.message
    assert archive.severity.label == "high" and archive.confidence.label == "medium"
    entry = next(n for n, line in enumerate(lock, start=1) if '"node_modules/adm-zip"' in line)
    assert [(s.location.path, s.location.start_line) for s in archive.related] == [("package-lock.json", entry)]
    advisories = sorted(f.message.split(" ")[0] for f in findings
                        if f.rule_id == "NW601" and f.severity.label != "info")
    assert advisories == ["semver@1.1.4"]  # adm-zip, st and ms are reported where the code reaches them


def test_without_the_code_scanner_every_advisory_stays_in_the_lockfile(tmp_path: Path) -> None:
    shutil.copytree(APP, tmp_path / "app")
    findings = run_scan([tmp_path / "app"], ScanOptions(scanners=frozenset({"deps"}))).result.findings
    advisories = sorted(f.message.split(" ")[0] for f in findings
                        if f.rule_id == "NW601" and f.severity.label != "info")
    assert advisories == ["adm-zip@0.4.7", "ms@0.6.2", "semver@1.1.4", "st@0.2.4"]


def test_an_accepted_advisory_is_accepted_where_the_code_reaches_it_too(tmp_path: Path) -> None:
    shutil.copytree(APP, tmp_path / "app")
    accepted = AdvisoryIgnore("CVE-2018-1002204", "imports come from administrators only", date(2099, 1, 1))
    outcome = run_scan([tmp_path / "app"], ScanOptions(advisory_ignores=(accepted,)))
    shown = [f.message for f in outcome.result.findings if f.rule_id in ("NW601", "NW608")]
    assert shown and not any("adm-zip@0.4.7" in message for message in shown)
    [hidden] = [f for f in outcome.result.suppressed_findings if f.rule_id == "NW608"]
    assert "adm-zip@0.4.7" in hidden.message and hidden.suppression is not None
    assert "administrators only" in hidden.suppression.justification
