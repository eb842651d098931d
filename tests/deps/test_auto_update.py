"""`scan` brings an old advisory database up to date by itself, against a local HTTP server serving an OSV
export: once a day at most, in one line, falling back with a warning when the server is slow or failing,
never with --offline or NODEWARD_OFFLINE=1, and `db update` failing says how to `db import` instead."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from nodeward.deps.advisories.db import AdvisoryDatabase, build_database, default_db_path
from nodeward.deps.advisories.osv import read_export
from tests.conftest import run_cli
from tests.deps.conftest import RECORD, osv_zip, requests_served

ONLINE = {"NODEWARD_OFFLINE": "0"}
LOCKFILE = {
    "name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "shop", "version": "1.0.0", "dependencies": {"left-pad": "1.0.0"}},
        "node_modules/left-pad": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz",
                                  "integrity": "sha512-" + "A" * 86 + "=="},
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "shop", "version": "1.0.0",
                                                   "dependencies": {"left-pad": "1.0.0"}}))
    (root / "package-lock.json").write_text(json.dumps(LOCKFILE))
    return root


def scan(project: Path, url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, list[str]]:
    done = run_cli("scan", str(project), "--scanners", "deps", "-f", "json", *args,
                   env={**ONLINE, "NODEWARD_ADVISORY_URL": url, **(env or {})})
    assert "Traceback" not in done.stderr
    ids = [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule_id"] == "NW601"]
    return done.returncode, done.stderr, ids


def database_source() -> str:
    with AdvisoryDatabase.open_default() as database:
        return database.status().source


def test_an_old_database_is_updated_before_the_scan_in_one_line(project: Path, server: str) -> None:
    status, stderr, findings = scan(project, f"{server}/all.zip")  # first use: the bundled 2020 snapshot
    assert requests_served() == ["/all.zip"]
    notes = [line for line in stderr.splitlines() if "advisory database" in line]
    assert len(notes) == 1 and notes[0].startswith("advisory database updated (1 advisories; it was "), stderr
    assert "--offline or NODEWARD_OFFLINE=1 skips this" in notes[0]
    assert status == 1 and any("GHSA-test-0001-0001" in message for message in findings)  # the new data is used
    assert database_source() == f"{server}/all.zip"
    # a day has not passed: the next scan does not download again
    scan(project, f"{server}/all.zip")
    assert requests_served() == ["/all.zip"]


def test_a_database_older_than_a_day_is_updated_again(project: Path, server: str) -> None:
    with_record = project.parent / "export.zip"
    with_record.write_bytes(osv_zip(RECORD))
    build_database(read_export(with_record), default_db_path(), source="earlier download",
                   updated=dt.datetime.now(dt.UTC) - dt.timedelta(hours=30))
    _, stderr, _ = scan(project, f"{server}/all.zip")
    assert requests_served() == ["/all.zip"] and "it was 1 day old" in stderr


@pytest.mark.parametrize("how", [("--offline",), ()])
def test_offline_never_fetches(project: Path, server: str, how: tuple[str, ...]) -> None:
    env = {} if how else {"NODEWARD_OFFLINE": "1"}
    status, stderr, _ = scan(project, f"{server}/all.zip", *how, env=env)
    assert requests_served() == [] and "advisory database updated" not in stderr
    assert status == 0 and database_source().startswith("bundled snapshot")


@pytest.mark.parametrize(("route", "reason"), [("/slow.zip", "interrupted"), ("/broken", "HTTP 500"),
                                               ("/cut.zip", "interrupted")])
def test_a_slow_or_failing_server_falls_back_to_the_database_with_a_warning(
    project: Path, server: str, route: str, reason: str
) -> None:
    status, stderr, _ = scan(project, f"{server}{route}", env={"NODEWARD_UPDATE_TIMEOUT": "1"})
    warning = next(line for line in stderr.splitlines() if line.startswith("warning: the advisory database"))
    assert "could not be updated" in warning and reason in warning and "scanning with it" in warning
    assert status == 0  # the scan ran, with the bundled snapshot, which does not know the advisory
    assert database_source().startswith("bundled snapshot")
    # the next scans within the hour do not wait for the same server again
    _, again, _ = scan(project, f"{server}{route}", env={"NODEWARD_UPDATE_TIMEOUT": "1"})
    assert requests_served() == [route] and "the next try is in an hour" in again


def test_a_failed_db_update_explains_db_import_with_the_url_whole(server: str) -> None:
    url = f"{server}/broken"
    done = run_cli("db", "update", "--no-progress", "--url", url, env={"COLUMNS": "40"})
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert f"  {url}" in lines  # alone on its line, not wrapped at 40 columns
    assert "nodeward db import all.zip" in done.stderr and "the previous database is unchanged" in done.stderr
