"""The advisory database: seed, import, atomic update over HTTP (complete, interrupted, broken)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from nodeward.deps.advisories.db import AdvisoryDatabase, default_db_path
from nodeward.deps.advisories.update import UpdateError, import_file, update_database
from tests.conftest import run_cli
from tests.deps.conftest import OTHER_ECOSYSTEM, RECORD, osv_zip


def _ids(path: Path, package: str) -> list[str]:
    with AdvisoryDatabase(path) as db:
        return [a.id for a in db.for_packages([package]).get(package, [])]


def test_first_use_builds_the_database_from_the_bundled_snapshot() -> None:
    with AdvisoryDatabase.open_default() as db:
        status = db.status()
        assert status.records == 467 and status.packages == 408
        assert "Security WG" in status.source and status.stale
        assert {a.id for a in db.for_packages(["lodash"])["lodash"]} >= {"NSWG-ECO-368", "NSWG-ECO-493"}


def test_update_downloads_verifies_and_replaces(server: str) -> None:
    path = default_db_path()
    assert update_database(path, f"{server}/all.zip") == 1  # the PyPI record is not npm
    assert _ids(path, "left-pad") == ["GHSA-test-0001-0001"]
    with AdvisoryDatabase(path) as db:
        status = db.status()
        assert status.source == f"{server}/all.zip" and not status.stale


@pytest.mark.parametrize(("route", "message"), [("/cut.zip", "interrupted"), ("/corrupt.zip", "not a usable OSV"),
                                                 ("/not-osv.zip", "not an OSV record"), ("/missing.zip", "404")])
def test_a_failed_update_leaves_the_old_database_intact(server: str, route: str, message: str) -> None:
    path = default_db_path()
    AdvisoryDatabase.open_default().close()  # the seed
    before = path.read_bytes()
    with pytest.raises(UpdateError, match=message):
        update_database(path, f"{server}{route}")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left behind
    assert "NSWG-ECO-493" in _ids(path, "lodash")


def test_cli_update_and_status_use_the_configured_url(server: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    monkeypatch.setenv("NODEWARD_ADVISORY_URL", f"{server}/cut.zip")
    failed = run_cli("db", "update", "--no-progress")
    assert failed.returncode == 2 and "previous database is unchanged" in failed.stderr
    done = run_cli("db", "update", "--no-progress", "--url", f"{server}/all.zip")
    assert done.returncode == 0, done.stderr
    status = run_cli("db", "status")
    assert "1 advisories for 1 packages" in status.stdout and f"{server}/all.zip" in status.stdout
    assert "warning" not in status.stdout


@pytest.mark.parametrize("form", ["jsonl", "jsonl.gz", "zip"])
def test_import_reads_every_export_form(tmp_path: Path, form: str) -> None:
    lines = (json.dumps(RECORD) + "\n" + json.dumps(OTHER_ECOSYSTEM) + "\n").encode()
    data = {"jsonl": lines, "jsonl.gz": gzip.compress(lines), "zip": osv_zip(RECORD)}[form]
    export = tmp_path / f"export.{form}"
    export.write_bytes(data)
    assert import_file(default_db_path(), export) == 1
    assert _ids(default_db_path(), "left-pad") == ["GHSA-test-0001-0001"]


def test_import_of_a_broken_file_fails_and_keeps_the_database(tmp_path: Path) -> None:
    AdvisoryDatabase.open_default().close()
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "A"}\n{not json\n')
    result = run_cli("db", "import", str(broken))
    assert result.returncode == 2 and "broken.jsonl:2" in result.stderr
    assert "NSWG-ECO-493" in _ids(default_db_path(), "lodash")
