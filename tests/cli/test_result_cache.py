"""The per-file result cache: a re-scan gives exactly a cold scan's report while analysing only changed files.

Each test has its own cache directory (tests/conftest.py sets NODEWARD_CACHE_DIR).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from nodeward import resultcache
from nodeward.resultcache import RESULTS_DB, ResultCache, decode_entry, encode_entry
from nodeward.scan import ScanOptions, run_scan
from nodeward.scanners import FileResult
from nodeward.scanners.worker import FileScanRunner
from nodeward.sources.discover import SourceFile
from tests.conftest import ROOT, run_cli

EXAMPLE = ROOT / "examples" / "vulnerable-express"
ROUTE = """const express = require("express");
const { run } = require("./lib/run");
const app = express();
app.get("/archive", (req, res) => { run(req.query.folder); res.send("ok"); });
app.listen(3000);
"""
RUN_UNSAFE = """const { exec } = require("child_process");
exports.run = function run(folder) { exec("tar -czf /tmp/a.tgz " + folder); };
"""
RUN_SAFE = """const { execFile } = require("child_process");
exports.run = function run(folder) { execFile("tar", ["-czf", "/tmp/a.tgz", "--", folder]); };
"""


def make_app(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root)
    (root / "src" / "app.js").write_text(ROUTE)
    (root / "src" / "lib" / "run.js").write_text(RUN_UNSAFE)
    return root


class Analysed:
    """Which files the file scanners really analysed (in-process scans: one job, no time budget)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        original = FileScanRunner.scan

        def recording(runner: FileScanRunner, file: SourceFile) -> FileResult:
            self.paths.append(file.display_path)
            return original(runner, file)

        monkeypatch.setattr(FileScanRunner, "scan", recording)

    def take(self) -> list[str]:
        taken, self.paths = sorted(self.paths), []
        return taken


def scan(root: Path, cache: bool = True, **options: Any) -> tuple[list[Any], list[Any], Any]:
    outcome = run_scan([root], ScanOptions(jobs=1, file_timeout=0, cache=cache, **options))
    result = outcome.result
    return result.findings, sorted(result.notices, key=repr), result.scorecard


def report(root: Path, *extra: str) -> dict[str, Any]:
    done = run_cli("scan", str(root), "--format", "json", "--no-progress", *extra)
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    return document


def test_a_cached_rescan_reports_exactly_what_a_cold_scan_does_and_analyses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    analysed = Analysed(monkeypatch)
    cold = scan(app, cache=False)
    cold_files = analysed.take()
    assert scan(app) == cold  # fills the cache
    assert analysed.take() == cold_files
    warm = scan(app)
    assert warm == cold
    # only what depends on more than the file is analysed again: package.json (today's date, its folder)
    assert analysed.take() == ["package.json"]
    assert any(f.rule_id == "NW101" and f.path == "src/lib/run.js" for f in warm[0])  # the cross-file flow
    assert all(f.context is not None for f in warm[0] if f.rule_id == "NW101")  # code frames cut again


def test_editing_one_file_analyses_that_file_again_and_the_cross_file_phase_runs_on_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    analysed = Analysed(monkeypatch)
    before = scan(app)
    (app / "src" / "lib" / "run.js").write_text(RUN_SAFE)
    analysed.take()
    after = scan(app)
    assert analysed.take() == ["package.json", "src/lib/run.js"]
    assert after == scan(app, cache=False)  # what a cold scan of the edited tree reports
    flows = [f for f in before[0] if f.rule_id == "NW101" and f.path == "src/lib/run.js"]
    assert flows and not [f for f in after[0] if f.rule_id == "NW101" and f.path == "src/lib/run.js"]
    untouched = [f for f in before[0] if f.path != "src/lib/run.js"]
    assert untouched == [f for f in after[0] if f.path != "src/lib/run.js"]


def test_the_cache_keys_on_rules_and_scanners_selected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    analysed = Analysed(monkeypatch)
    everything = scan(app)
    analysed.take()
    only_regex = scan(app, selected_rules=frozenset({"NW105"}))
    assert "src/routes/admin.js" in analysed.take()  # other rules: other results, analysed again
    assert {f.rule_id for f in only_regex[0]} <= {"NW105"} < {f.rule_id for f in everything[0]}
    assert scan(app, scanners=frozenset({"code"})) == scan(app, scanners=frozenset({"code"}), cache=False)


def _entries(cache_dir: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache_dir / RESULTS_DB) as connection:
        return connection.execute("SELECT key, payload FROM entries").fetchall()


def test_a_corrupted_database_is_replaced_and_the_scan_is_right(tmp_path: Path, private_cache_dir: Path) -> None:
    app = make_app(tmp_path / "app")
    cold = report(app, "--no-cache")
    private_cache_dir.mkdir(exist_ok=True)
    (private_cache_dir / RESULTS_DB).write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    assert report(app) == cold
    assert _entries(private_cache_dir)  # rebuilt
    assert report(app) == cold


def test_damaged_foreign_or_other_version_entries_are_ignored_and_rebuilt(
        tmp_path: Path, private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    analysed = Analysed(monkeypatch)
    cold = scan(app)
    cached_files = [f for f in analysed.take() if f != "package.json"]
    entries = _entries(private_cache_dir)
    assert len(entries) == len(cached_files)
    with sqlite3.connect(private_cache_dir / RESULTS_DB) as connection:
        first, second, third, *_ = (key for key, _ in entries)
        payloads = dict(entries)
        connection.execute("UPDATE entries SET payload = ? WHERE key = ?", (b"\x78\x9c garbage", first))
        # a valid entry, but written for another file: its key inside does not match
        connection.execute("UPDATE entries SET payload = ? WHERE key = ?", (payloads[third], second))
        tampered = json.loads(zlib.decompress(payloads[third]))
        tampered["findings"] = [{"rule_id": "NW999"}]
        connection.execute("UPDATE entries SET payload = ? WHERE key = ?",
                           (zlib.compress(json.dumps(tampered).encode()), third))
    assert scan(app) == cold
    assert len(analysed.take()) == 4  # the three damaged entries and package.json
    assert scan(app) == cold
    assert analysed.take() == ["package.json"]  # rebuilt
    monkeypatch.setattr(resultcache, "build_identity", lambda: "another version of nodeward")
    assert scan(app) == cold
    assert [f for f in analysed.take() if f != "package.json"] == cached_files


def test_entries_are_checked_data_never_objects(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app")
    result = FileScanRunner(frozenset({"code"}), None).scan(
        SourceFile(app / "src" / "routes" / "files.js", "src/routes/files.js",
                   *_kind_and_size(app / "src" / "routes" / "files.js")))
    assert result.findings
    stored = decode_entry("k", encode_entry("k", result))
    assert stored.findings == [f.__class__(**{**_fields(f), "context": None}) for f in result.findings]
    assert stored.summaries == result.summaries
    with pytest.raises(resultcache.CacheEntryError):
        decode_entry("another key", encode_entry("k", result))
    with pytest.raises(resultcache.CacheEntryError):  # a tuple would come back as a list: not stored
        encode_entry("k", FileResult(summaries={"taint": {"params": ("a",)}}))
    pickled = zlib.compress(b"\x80\x04\x95" + b"cos\nsystem\n")
    with pytest.raises(resultcache.CacheEntryError):
        decode_entry("k", pickled)


def _kind_and_size(path: Path) -> tuple[Any, int]:
    from nodeward.sources.discover import FileKind

    kind = FileKind.from_path(path)
    assert kind is not None
    return kind, path.stat().st_size


def _fields(finding: Any) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in finding.__dataclass_fields__}


def test_no_secret_value_is_written_into_the_cache(tmp_path: Path, private_cache_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    secret = "AKIA" + "Q3EGRTW2XBOHVLN7"
    (app / "src" / "config.js").write_text(f'module.exports = {{ awsKey: "{secret}" }};\n')
    (app / "src" / "beside.js").write_text(
        f'const cp = require("child_process");\nconst key = "{secret}";\n'
        'module.exports = (req) => cp.exec(req.query.cmd);\n')
    analysed = Analysed(monkeypatch)
    for scanners in (None, frozenset({"code"})):
        extra = {} if scanners is None else {"scanners": scanners}
        scan(app, **extra)
        first = analysed.take()
        warm = scan(app, **extra)
        again = analysed.take()
        assert warm == scan(app, cache=False, **extra)
        analysed.take()
        assert {"src/config.js", "src/beside.js"} <= set(first)
        assert {"src/config.js", "src/beside.js"} <= set(again)  # never stored: analysed every time
        assert "src/server.js" not in again
    for _, payload in _entries(private_cache_dir):
        assert secret not in zlib.decompress(payload).decode()
    assert b"Q3EGRTW2XBOHVLN7" not in (private_cache_dir / RESULTS_DB).read_bytes()


def test_no_cache_writes_no_cache(tmp_path: Path, private_cache_dir: Path) -> None:
    app = make_app(tmp_path / "app")
    first = report(app, "--no-cache", "--scanners", "code")
    assert not (private_cache_dir / RESULTS_DB).exists()
    assert report(app, "--scanners", "code") == first
    assert (private_cache_dir / RESULTS_DB).exists()


def test_a_cache_directory_inside_the_scanned_tree_is_not_used(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    monkeypatch.setenv("NODEWARD_CACHE_DIR", str(app / ".cache" / "nodeward"))
    document = report(app, "--scanners", "code,secrets")
    assert not (app / ".cache").exists()  # nothing written into the tree
    notices = [n["message"] for n in document["notices"] if n["kind"] == "cache"]
    assert notices and "inside the scanned" in notices[0]


def test_concurrent_scans_share_the_cache_without_failing(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app")
    expected = report(app, "--no-cache")
    command = [sys.executable, "-m", "nodeward", "scan", str(app), "--format", "json", "--no-progress", "-j", "1"]
    for _ in range(2):  # the first round writes at the same time, the second reads at the same time
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(4)]
        outputs = [run.communicate(timeout=300) for run in runs]
        for run, (stdout, stderr) in zip(runs, outputs, strict=True):
            assert run.returncode == 1, stderr
            assert json.loads(stdout) == expected


def test_the_least_recently_used_entries_go_when_the_cache_is_full(tmp_path: Path) -> None:
    payload = encode_entry("x", FileResult(summaries={"taint": {"text": "a" * 50}}))
    with ResultCache(tmp_path / RESULTS_DB, max_bytes=int(10.5 * len(payload))) as cache:
        for number in range(10):
            key = f"k{number}"
            cache.store("settings", [(key, encode_entry(key, FileResult(summaries={"taint": {"text": "a" * 50}})))])
        assert len(cache.load(["k0"])) == 1  # used: now the most recent
        cache.store("settings", [("k10", encode_entry("k10", FileResult()))] +
                    [(f"k{n}", encode_entry(f"k{n}", FileResult(summaries={"taint": {"text": "b" * 50}})))
                     for n in range(11, 13)])
        kept = set(cache.load([f"k{n}" for n in range(13)]))
        assert "k0" in kept and "k12" in kept
        assert "k1" not in kept and "k2" not in kept
        assert cache.info().bytes <= int(10.5 * len(payload))


def test_cache_info_and_clear(tmp_path: Path, private_cache_dir: Path) -> None:
    app = make_app(tmp_path / "app")
    report(app, "--scanners", "code")
    info = run_cli("cache", "info")
    assert info.returncode == 0
    assert str(private_cache_dir / RESULTS_DB) in info.stdout
    assert " 0 file results" not in info.stdout and "file results" in info.stdout
    cleared = run_cli("cache", "clear")
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    assert not (private_cache_dir / RESULTS_DB).exists()
    assert "0 file results" in run_cli("cache", "info").stdout


def test_file_names_that_are_not_utf8_are_cached_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "app")
    odd = Path(app / "src").joinpath(b"r\xfcn.js".decode("utf-8", "surrogateescape"))
    odd.write_text('const cp = require("child_process");\nconst app = require("express")();\n'
                   'app.get("/", (req, res) => cp.exec(req.query.c));\n')
    analysed = Analysed(monkeypatch)
    cold = scan(app)
    assert any(f.path.endswith(".js") and f.path.startswith("src/r") and f.rule_id == "NW101" for f in cold[0])
    analysed.take()
    assert scan(app) == cold
    assert analysed.take() == ["package.json"]


def test_a_changed_lockfile_changes_the_cached_results_of_the_code_that_reaches_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "NW608-vulnerable-dependency-reached", project)
    analysed = Analysed(monkeypatch)
    before = scan(project)
    assert any(f.rule_id == "NW608" and f.path == "lib/importer.js" for f in before[0])
    analysed.take()
    assert scan(project) == before
    assert "lib/importer.js" not in analysed.take()  # cached while the lockfile is the same
    lockfile = project / "package-lock.json"
    lockfile.write_text(lockfile.read_text().replace('"version": "0.4.7"', '"version": "0.5.10"'))
    from nodeward.deps import reachable

    reachable._index.cache_clear()  # what this process (one worker here) read of the lockfile before the edit
    after = scan(project)
    assert "lib/importer.js" in analysed.take()
    assert after == scan(project, cache=False)
    assert not any(f.rule_id == "NW608" and f.path == "lib/importer.js" for f in after[0])
