"""`dependencies.ignore`: accepted advisories with a reason and an expiry date, after which they are reported again.

The project is the npm3 fixture: lodash@4.17.4 has NSWG-ECO-493 (alias CVE-2018-16487, high, fixed in 4.17.11)
and NSWG-ECO-368 (alias CVE-2018-3721, low, fixed in 4.17.5) in the bundled seed database.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from nodeward.config.load import ConfigError, load_config
from nodeward.deps import ignores
from nodeward.findings import FileNotice, Finding
from nodeward.scan import ScanOptions, run_scan
from tests.conftest import run_cli
from tests.deps.conftest import FIXTURES

BOTH = """[dependencies]
ignore = [
  { id = "NSWG-ECO-493", reason = "we never merge user input into objects", expires = 2027-01-31 },
  { id = "CVE-2018-3721", reason = "same", expires = 2027-01-31 },
]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "npm3", root)
    return root


def _scan(root: Path, config: str, on: date, monkeypatch: pytest.MonkeyPatch) -> tuple[
        list[Finding], list[Finding], list[FileNotice]]:
    (root / ".nodeward.toml").write_text(config)
    loaded = load_config(root / ".nodeward.toml")
    monkeypatch.setattr(ignores, "today", lambda: on)
    outcome = run_scan([root], ScanOptions(scanners=frozenset({"deps"}), advisory_ignores=loaded.advisory_ignores))
    lodash = [f for f in outcome.result.findings if f.rule_id == "NW601" and "lodash@" in f.message]
    hidden = [f for f in outcome.result.suppressed_findings if "lodash@" in f.message]
    return lodash, hidden, outcome.result.notices


def _kinds(notices: list[FileNotice], kind: str) -> list[str]:
    return [n.message for n in notices if n.kind == kind]


def test_ignored_until_the_day_before_expiry_then_reported_again(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lodash, hidden, notices = _scan(project, BOTH, date(2027, 1, 30), monkeypatch)
    assert lodash == []
    assert len(hidden) == 1 and hidden[0].suppression is not None
    assert hidden[0].suppression.kind == "external"
    assert "NSWG-ECO-493 ignored until 2027-01-31: we never merge user input into objects" in (
        hidden[0].suppression.justification)
    assert sorted(_kinds(notices, "ignored-advisory")) == [
        "lodash@4.17.4: NSWG-ECO-368 ignored until 2027-01-31: same",
        "lodash@4.17.4: NSWG-ECO-493 ignored until 2027-01-31: we never merge user input into objects",
    ]
    assert not _kinds(notices, "expired-ignore") and not _kinds(notices, "unused-ignore")

    lodash, hidden, notices = _scan(project, BOTH, date(2027, 1, 31), monkeypatch)
    assert hidden == [] and len(lodash) == 1
    assert "NSWG-ECO-493" in lodash[0].message and "upgrade to 4.17.11" in lodash[0].message
    expired = _kinds(notices, "expired-ignore")
    assert len(expired) == 2 and all("expired on 2027-01-31" in m for m in expired)
    assert any("NSWG-ECO-493" in m and "reported again: lodash@4.17.4 in package-lock.json" in m for m in expired)
    assert {n.path for n in notices if n.kind == "expired-ignore"} == {str(project / ".nodeward.toml")}
    assert {n.line for n in notices if n.kind == "expired-ignore"} == {3, 4}


def test_an_alias_in_any_case_ignores_the_advisory_and_the_rest_is_still_reported(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = '[dependencies]\nignore = [{ id = "cve-2018-16487", reason = "DoS only", expires = 2030-01-01 }]\n'
    lodash, hidden, notices = _scan(project, config, date(2026, 6, 1), monkeypatch)
    assert hidden == [] and len(lodash) == 1
    message = lodash[0].message
    assert "has 1 known vulnerability: NSWG-ECO-368" in message and "NSWG-ECO-493" not in message
    assert "upgrade to 4.17.5" in message  # the fix of what is left, not of the ignored advisory
    assert _kinds(notices, "ignored-advisory") == ["lodash@4.17.4: NSWG-ECO-493 ignored until 2030-01-01: DoS only"]


def test_an_entry_that_matches_nothing_is_a_verbose_notice(project: Path) -> None:
    (project / ".nodeward.toml").write_text(
        '[dependencies]\nignore = [\n  { id = "GHSA-aaaa-bbbb-cccc", reason = "gone", expires = 2099-01-01 },\n'
        '  { id = "CVE-2018-16487", reason = "DoS only", expires = 2099-01-01 },\n]\n')
    args = ("scan", str(project), "--scanners", "deps", "--no-progress")
    quiet = run_cli(*args)
    assert "GHSA-aaaa-bbbb-cccc" not in quiet.stdout and "NSWG-ECO-493 ignored" not in quiet.stdout
    assert "1 ignored advisory (--verbose lists them)" in quiet.stdout
    verbose = run_cli(*args, "--verbose")
    assert "unused-ignore .nodeward.toml:3: the ignore of GHSA-aaaa-bbbb-cccc matched no installed package" in (
        verbose.stdout.replace(str(project) + "/", ""))
    assert "lodash@4.17.4: NSWG-ECO-493 ignored until 2099-01-01: DoS only" in verbose.stdout


def test_package_json_takes_iso_date_strings(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = json.loads((project / "package.json").read_text())
    manifest["nodeward"] = {"dependencies": {"ignore": [
        {"id": "NSWG-ECO-493", "reason": "a", "expires": "2027-01-31"},
        {"id": "NSWG-ECO-368", "reason": "b", "expires": "2027-01-31"},
    ]}}
    (project / "package.json").write_text(json.dumps(manifest, indent=2))
    entries = load_config(project / "package.json").advisory_ignores
    assert [(e.id, e.expires) for e in entries] == [("NSWG-ECO-493", date(2027, 1, 31)),
                                                   ("NSWG-ECO-368", date(2027, 1, 31))]
    monkeypatch.setattr(ignores, "today", lambda: date(2026, 1, 1))
    outcome = run_scan([project], ScanOptions(scanners=frozenset({"deps"}), advisory_ignores=entries))
    assert not [f for f in outcome.result.findings if "lodash@" in f.message]


@pytest.mark.parametrize(("entry", "expected"), [
    ('{ id = "CVE-2018-3721", expires = 2027-01-31 }', "missing `reason`"),
    ('{ id = "CVE-2018-3721", reason = "ok" }', "missing `expires`"),
    ('{ id = "CVE-2018-3721", reason = "  ", expires = 2027-01-31 }', "`reason` must say why"),
    ('{ id = "CVE-2018-3721", reason = "ok", expires = "soon" }', "`expires` must be a date"),
    ('{ id = "CVE-2018-3721", reason = "ok", expires = 2027-01-31T10:00:00 }', "`expires` must be a date"),
    ('{ id = "CVE-2018-3721", reason = "ok", expires = 2027-01-31, until = 1 }', "unknown field 'until'"),
])
def test_an_incomplete_entry_is_an_error_naming_file_line_and_entry(tmp_path: Path, entry: str,
                                                                    expected: str) -> None:
    config = tmp_path / ".nodeward.toml"
    config.write_text(f'ignore = ["NW606"]\n\n[dependencies]\nignore = [\n  {entry},\n]\n')
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert str(error.value).startswith(f"{config}:5: `dependencies.ignore[1] (CVE-2018-3721)`: {expected}")


def test_the_cli_refuses_an_entry_without_id(project: Path) -> None:
    (project / ".nodeward.toml").write_text('[dependencies]\nignore = [{ reason = "x", expires = 2027-01-31 }]\n')
    result = run_cli("scan", str(project), "--scanners", "deps", "--no-progress")
    assert result.returncode == 2
    assert "`dependencies.ignore[1]`: missing `id`" in result.stderr


def test_a_baseline_does_not_keep_an_expired_ignore_hidden(project: Path) -> None:
    (project / ".nodeward.toml").write_text(BOTH.replace("2027-01-31", "2099-01-01"))
    created = run_cli("baseline", "create", str(project))
    assert created.returncode == 0, created.stderr
    (project / ".nodeward.toml").write_text(BOTH.replace("2027-01-31", "2020-01-01"))  # time passes
    result = run_cli("scan", str(project), "--scanners", "deps", "--no-progress", "--format", "json",
                     "--baseline", str(project / ".nodeward-baseline.json"))
    report = json.loads(result.stdout)
    assert [f for f in report["findings"] if "lodash@4.17.4" in f["message"]]
    assert any(n["kind"] == "expired-ignore" and "expired on 2020-01-01" in n["message"] for n in report["notices"])
