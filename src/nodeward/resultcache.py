"""The per-file result cache: a re-scan analyses again only the files that changed.

What the file scanners produced for one file (findings, notices, the module summaries of the cross-file
phase) is stored under a key made of everything that result depends on: the file's bytes (SHA-256), its
place (absolute and displayed path) and kind, nodeward's build, the scanners and rules selected, the
settings that reach the workers, and the gitleaks allow-list that applies to the file. The cross-file
phase, the apps and the scorecard always run again, on the summaries.

One SQLite file in WAL mode in the user cache directory, so that concurrent scans read and write it at
once; bounded in size, the least recently used entries going first. An entry is JSON checked field by
field when read (never pickle: a file on disk is not trusted to build objects); an entry that does not
decode into exactly the expected shape, or a database that is not ours, is ignored and rebuilt.

Not stored, so scanned again every time: a result holding a secret (its value would be written in
clear) or made without the secrets scanner in a file that holds one; a result that depends on other
files or on the day (a rule that read a package.json, `.env` files asked to git, Dockerfiles and
package.json checked against today's date); a result an error or a time budget cut short. Code frames
are not stored either: they are cut again from the file, which is read anyway for its hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from nodeward import __version__
from nodeward.cachedir import cache_dir
from nodeward.config.model import SECRET_PATTERNS_ENV
from nodeward.findings import (
    Confidence,
    FileNotice,
    Finding,
    Location,
    Severity,
    Suppression,
    TraceStep,
    with_context,
)
from nodeward.scanners import FileResult
from nodeward.sources.discover import CODE_KINDS, FileKind, SourceFile, SourceReadError, as_utf8, read_source

RESULTS_DB = "results.sqlite3"
#: Changes whenever the stored shape changes; entries of another format are dropped on opening.
FORMAT = "1"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: After an eviction the cache holds at most this share of its limit, so that eviction is not run per scan.
_EVICT_TO = 0.8
#: Kinds whose results depend on the file alone (and on the allow-list, which is part of the key). Package
#: manifests and Dockerfiles are checked against today's date and their folder, `.env` files against git.
CACHED_KINDS = CODE_KINDS | {FileKind.TEMPLATE, FileKind.TEXT, FileKind.LOCKFILE}
CACHE_NOTICE = "cache"
_SHOW_SECRETS_ENV = "NODEWARD_SHOW_SECRETS"  # nodeward.secrets.redact.SHOW_SECRETS_ENV, without its imports
_MAX_ENTRY = 256 * 1024 * 1024  # bytes of JSON an entry may inflate to
_CHUNK = 500  # keys per SQL statement (SQLite limits the number of parameters)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, settings TEXT NOT NULL, payload BLOB NOT NULL, size INTEGER NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_use ON entries(used);
CREATE INDEX IF NOT EXISTS entries_by_settings ON entries(settings);
"""

Progress = TypeVar("Progress")  # nodeward.scan.ScanProgress, handed through to the scan of the files not cached


class CacheEntryError(ValueError):
    """A stored entry that is not exactly what this version of nodeward writes."""


@lru_cache(maxsize=1)
def build_identity() -> str:
    """nodeward's version and the size and time of each of its files: an edited installation (a developer's
    checkout) never reads the results of the code it had before."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        status = path.stat()
        digest.update(f"{path.relative_to(package).as_posix()}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def settings_key(scanners: frozenset[str], selected_rules: frozenset[str] | None) -> str:
    """Everything besides the file that decides what the file scanners report in it."""
    parts = (
        FORMAT, build_identity(), ",".join(sorted(scanners)),
        "*" if selected_rules is None else ",".join(sorted(selected_rules)),
        os.environ.get(_SHOW_SECRETS_ENV, ""), os.environ.get(SECRET_PATTERNS_ENV, ""),
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def entry_key(settings: str, file: SourceFile, surroundings: str, content_digest: str) -> str:
    parts = (settings, str(file.path), file.display_path, file.kind.value, surroundings, content_digest)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def surroundings_of(file: SourceFile, scanners: frozenset[str]) -> str | None:
    """What besides its bytes the results of ``file`` depend on, as text for its key; None: not cacheable.

    Rules that look further than that ask the rule context for the file's place and are never cached
    (nodeward.rules.context.RuleContext.file_path), except NW608, whose inputs are here.
    """
    if file.kind not in CACHED_KINDS:
        return None
    parts = []
    if "code" in scanners and file.kind in CODE_KINDS:
        parts.append(_lockfile_surroundings(file))
    from nodeward.scanners.secrets import SECRETS_KINDS

    if "secrets" in scanners and file.kind in SECRETS_KINDS:
        from nodeward.secrets.gitleaks import allowlist_for_file

        allowlist = allowlist_for_file(file)
        if allowlist is not None:
            if allowlist.problems:  # reported once per worker process: which file carries the notice varies
                return None
            parts.append(f"{_files_digest(allowlist.root / '.gitleaks.toml', allowlist.root / '.gitleaksignore')}"
                         f"\0{allowlist.relative(file.path)}")
    return "\0".join(parts)


def _lockfile_surroundings(file: SourceFile) -> str:
    """NW608's inputs: the lockfile nearest the file, the package.json beside it, and the advisories."""
    from nodeward.deps.reachable import nearest_lockfile
    from nodeward.sources.discover import scan_root_of

    lockfile = nearest_lockfile(file.path.parent, scan_root_of(file))
    if lockfile is None:
        return ""
    return f"{lockfile}\0{_files_digest(lockfile, lockfile.parent / 'package.json')}\0{_advisories()}"


@lru_cache(maxsize=256)
def _files_digest(*paths: Path) -> str:
    """The digest of the files at ``paths`` (each may be missing; one that cannot be read makes it unique)."""
    from nodeward.sources.discover import read_regular_file

    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode("utf-8", "surrogateescape"))
        try:
            digest.update(b"\0" + content_digest(read_regular_file(path)).encode() if path.is_file() else b"\1")
        except OSError:
            digest.update(os.urandom(16))
    return digest.hexdigest()


def _advisories() -> str:
    """Which advisories NW608 matches: those shipped with nodeward until `db update` or `db import` replaced them
    in the user's database."""
    from nodeward.deps.advisories.db import SEED_SOURCE, default_db_path

    path = default_db_path()
    try:
        status = path.stat()
    except OSError:
        return "bundled"
    return _database_source(str(path), status.st_size, status.st_mtime_ns, SEED_SOURCE)


@lru_cache(maxsize=8)
def _database_source(path: str, size: int, modified: int, seed_source: str) -> str:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()
    except sqlite3.Error:
        row = None
    return "bundled" if row is not None and row[0] == seed_source else f"{path}\0{size}\0{modified}"


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----- entries as checked JSON ---------------------------------------------------------------------------


def _location(location: Location) -> list[Any]:
    return [location.path, location.start_line, location.start_column, location.end_line, location.end_column]


def _finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id, "rule_name": finding.rule_name, "title": finding.title,
        "severity": int(finding.severity), "confidence": int(finding.confidence), "message": finding.message,
        "location": _location(finding.location), "snippet": finding.snippet, "cwe": list(finding.cwe),
        "owasp": finding.owasp, "fix": finding.fix,
        "trace": [[_location(step.location), step.description] for step in finding.trace],
        "fingerprint": finding.fingerprint,
        "related": [[_location(step.location), step.description] for step in finding.related],
        "suppression": None if finding.suppression is None
        else [finding.suppression.kind, finding.suppression.justification],
        "in_test_code": finding.in_test_code,
    }


def _plain(value: Any) -> bool:
    """Whether ``value`` comes back from JSON exactly as it is (a tuple would come back as a list)."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is list:
        return all(_plain(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False


def encode_entry(key: str, result: FileResult) -> bytes:
    """The stored form of ``result`` (without code frames, which are cut again on reading)."""
    if not _plain(result.summaries):
        raise CacheEntryError("summaries that JSON does not keep exactly")
    data = {
        "format": FORMAT, "key": key,
        "findings": [_finding_data(f) for f in result.findings],
        "suppressed_findings": [_finding_data(f) for f in result.suppressed_findings],
        "notices": [[n.path, n.kind, n.message, n.line] for n in result.notices],
        "lines": result.lines, "suppressed": result.suppressed, "scanned": result.scanned,
        "summaries": result.summaries,
    }
    # ASCII: a file name that is not UTF-8 (surrogate escapes) is kept as \u escapes
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode("ascii"), 6)


def _expect(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise CacheEntryError(f"expected {kind.__name__}, found {type(value).__name__}")
    return value


def _read_location(value: Any) -> Location:
    path, *numbers = _expect(value, list)
    if len(numbers) != 4:
        raise CacheEntryError("a location has a path and four numbers")
    start_line, start_column, end_line, end_column = (_expect(n, int) for n in numbers)
    return Location(_expect(path, str), start_line, start_column, end_line, end_column)


def _read_steps(value: Any) -> tuple[TraceStep, ...]:
    steps = []
    for step in _expect(value, list):
        location, description = _expect(step, list)
        steps.append(TraceStep(_read_location(location), _expect(description, str)))
    return tuple(steps)


_FINDING_FIELDS = frozenset(_finding_data(Finding("", "", "", Severity.INFO, Confidence.LOW, "",
                                                    Location("", 0, 0, 0, 0), "", (), "", "")))


def _read_finding(value: Any) -> Finding:
    data = _expect(value, dict)
    if data.keys() != _FINDING_FIELDS:
        raise CacheEntryError("a finding with other fields")
    suppression = data["suppression"]
    if suppression is not None:
        kind, justification = _expect(suppression, list)
        suppression = Suppression(_expect(kind, str), _expect(justification, str))
    try:
        severity, confidence = Severity(_expect(data["severity"], int)), Confidence(_expect(data["confidence"], int))
    except ValueError as error:
        raise CacheEntryError(str(error)) from None
    return Finding(
        rule_id=_expect(data["rule_id"], str), rule_name=_expect(data["rule_name"], str),
        title=_expect(data["title"], str), severity=severity, confidence=confidence,
        message=_expect(data["message"], str), location=_read_location(data["location"]),
        snippet=_expect(data["snippet"], str), cwe=tuple(_expect(n, int) for n in _expect(data["cwe"], list)),
        owasp=_expect(data["owasp"], str), fix=_expect(data["fix"], str), trace=_read_steps(data["trace"]),
        fingerprint=_expect(data["fingerprint"], str), related=_read_steps(data["related"]),
        suppression=suppression, in_test_code=_expect(data["in_test_code"], bool),
    )


def _read_notice(value: Any) -> FileNotice:
    path, kind, message, line = _expect(value, list)
    return FileNotice(_expect(path, str), _expect(kind, str), _expect(message, str),
                      None if line is None else _expect(line, int))


def decode_entry(key: str, payload: bytes) -> FileResult:
    """The result stored in ``payload`` under ``key``; CacheEntryError when it is anything else."""
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(payload, _MAX_ENTRY)
        if inflater.unconsumed_tail or not inflater.eof:
            raise CacheEntryError("truncated or larger than any entry written")
        data = json.loads(text.decode("ascii"))
    except (zlib.error, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CacheEntryError(f"unreadable: {error}") from None
    _expect(data, dict)
    if data.get("format") != FORMAT or data.get("key") != key:
        raise CacheEntryError("written by another version or for another file")
    try:
        summaries = _expect(data["summaries"], dict)
        return FileResult(
            findings=[_read_finding(f) for f in _expect(data["findings"], list)],
            suppressed_findings=[_read_finding(f) for f in _expect(data["suppressed_findings"], list)],
            notices=[_read_notice(n) for n in _expect(data["notices"], list)],
            lines=_expect(data["lines"], int), suppressed=_expect(data["suppressed"], int),
            scanned=_expect(data["scanned"], bool), summaries=summaries,
        )
    except (KeyError, TypeError, ValueError) as error:  # missing fields, wrong arity when unpacking
        raise CacheEntryError(f"malformed: {type(error).__name__}: {error}") from None


# ----- the database ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int
    max_bytes: int


class ResultCache:
    """The SQLite file of stored results. Every failure of the database is turned into ``problem`` (and the
    scan goes on uncached); a file that is not a database of ours is replaced."""

    def __init__(self, path: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path if path is not None else cache_dir() / RESULTS_DB
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _files(self) -> list[Path]:
        return [self.path, *(self.path.with_name(self.path.name + suffix) for suffix in ("-wal", "-shm"))]

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        connection = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        with contextlib.suppress(OSError):  # findings and code are the user's own business
            os.chmod(self.path, 0o600)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            row = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != FORMAT:
                with connection:
                    connection.execute("BEGIN IMMEDIATE")
                    connection.execute("DELETE FROM entries")
                    connection.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        except BaseException:
            connection.close()
            raise
        return connection

    def connection(self) -> sqlite3.Connection | None:
        if self._connection is None and self.problem is None:
            try:
                try:
                    self._connection = self._open()
                except sqlite3.DatabaseError:  # not a database, or one of another shape: only a cache, rebuilt
                    for path in self._files():
                        path.unlink(missing_ok=True)
                    self._connection = self._open()
            except (sqlite3.Error, OSError) as error:
                self.problem = f"result cache not used ({self.path}: {error})"
        return self._connection

    def _run(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        connection = self.connection()
        if connection is None:
            return None
        try:
            return action(connection)
        except sqlite3.Error as error:
            self.problem = f"result cache not used ({self.path}: {error})"
            self.close()
            return None

    def has_entries(self, settings: str) -> bool:
        return bool(self._run(lambda c: c.execute("SELECT 1 FROM entries WHERE settings = ? LIMIT 1",
                                                    (settings,)).fetchone()))

    def load(self, keys: Sequence[str]) -> dict[str, FileResult]:
        """The valid entries among ``keys``; the others are deleted, to be written again."""
        def action(connection: sqlite3.Connection) -> dict[str, FileResult]:
            found: dict[str, FileResult] = {}
            broken: list[str] = []
            for chunk in _chunks(keys):
                marks = ",".join("?" * len(chunk))
                for key, payload in connection.execute(f"SELECT key, payload FROM entries WHERE key IN ({marks})",
                                                       chunk):
                    try:
                        found[key] = decode_entry(key, payload if isinstance(payload, bytes) else b"")
                    except CacheEntryError:
                        broken.append(key)
            now = time.time()
            with contextlib.suppress(sqlite3.OperationalError), connection:  # busy: the order of use can wait
                connection.execute("BEGIN IMMEDIATE")
                for chunk in _chunks(list(found)):
                    connection.execute(f"UPDATE entries SET used = ? WHERE key IN ({','.join('?' * len(chunk))})",
                                       (now, *chunk))
                for chunk in _chunks(broken):
                    connection.execute(f"DELETE FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            return found

        return self._run(action) or {}

    def store(self, settings: str, entries: Sequence[tuple[str, bytes]]) -> None:
        if not entries:
            return

        def action(connection: sqlite3.Connection) -> None:
            now = time.time()
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                                       [(key, settings, payload, len(payload), now) for key, payload in entries])
            self._evict(connection)

        self._run(action)

    def _evict(self, connection: sqlite3.Connection) -> None:
        """Drop the least recently used entries once the cache is over its size."""
        total = connection.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
        if total <= self.max_bytes:
            return
        goal = self.max_bytes * _EVICT_TO
        victims = []
        for key, size in connection.execute("SELECT key, size FROM entries ORDER BY used, key"):
            if total <= goal:
                break
            victims.append(key)
            total -= size
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            for chunk in _chunks(victims):
                connection.execute(f"DELETE FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk)

    def info(self) -> CacheInfo:
        if not self.path.exists():
            return CacheInfo(self.path, 0, 0, self.max_bytes)
        row = self._run(lambda c: c.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries").fetchone())
        entries, size = row if row is not None else (0, 0)
        return CacheInfo(self.path, entries, size, self.max_bytes)

    def clear(self) -> int:
        """Remove the database; the number of entries it held."""
        entries = self.info().entries if self.path.exists() else 0
        self.close()
        for path in self._files():
            path.unlink(missing_ok=True)
        return entries


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# ----- the scan with the cache ---------------------------------------------------------------------------


def inside_scanned_tree(roots: Sequence[Path]) -> Path | None:
    """The scanned path that holds the cache directory, if one does: a cache there would be read as part of
    the tree and written into it."""
    directory = cache_dir().resolve()
    for root in roots:
        resolved = root.resolve()
        if resolved == directory or resolved in directory.parents:
            return root
    return None


def _storable(result: FileResult, file: SourceFile, secrets_scanned: bool) -> bool:
    if not (result.content_digest and result.cacheable) or result.secrets:
        return False
    if any(notice.kind == "error" for notice in result.notices):
        return False
    if not secrets_scanned:
        from nodeward.secrets.findings import secrets_in

        # Snippets and summaries quote code: without the secrets scanner, whether a secret is among it is
        # unknown until looked for.
        return not secrets_in([file])
    return True


def _with_code_frames(result: FileResult, data: bytes) -> FileResult:
    if not (result.findings or result.suppressed_findings):
        return result
    lines = as_utf8(data).decode("utf-8", "replace").splitlines()
    return replace(result, findings=with_context(result.findings, lines),
                   suppressed_findings=with_context(result.suppressed_findings, lines))


def scan_with_cache(files: Sequence[SourceFile], roots: Sequence[Path], scanners: frozenset[str],
                    selected_rules: frozenset[str] | None,
                    scan: Callable[[Sequence[SourceFile], Progress | None], list[FileResult]],
                    progress: Progress | None = None) -> tuple[list[FileResult], list[FileNotice]]:
    """``scan(files)``, taking from the cache what it holds and storing what it lacks; notices say why the
    cache was not used when it was not."""
    holder = inside_scanned_tree(roots)
    if holder is not None:
        return scan(files, progress), [FileNotice("", CACHE_NOTICE, f"result cache not used: the cache directory "
                                                                    f"{cache_dir()} is inside the scanned {holder}")]
    _files_digest.cache_clear()  # what the files around were at the previous scan of this process
    from nodeward.deps.reachable import nearest_lockfile

    nearest_lockfile.cache_clear()
    with ResultCache() as cache:
        settings = settings_key(scanners, selected_rules)
        secrets_scanned = "secrets" in scanners
        surroundings = [surroundings_of(file, scanners) for file in files]
        results: list[FileResult | None] = [None] * len(files)
        if cache.has_entries(settings):  # else a first scan: no file needs reading twice
            wanted: dict[str, tuple[int, bytes]] = {}
            for index, (file, around) in enumerate(zip(files, surroundings, strict=True)):
                if around is None:
                    continue
                try:
                    data = read_source(file)
                except SourceReadError:
                    continue  # the scan reports it
                wanted[entry_key(settings, file, around, content_digest(data))] = (index, data)
            for key, stored in cache.load(list(wanted)).items():
                index, data = wanted[key]
                results[index] = _with_code_frames(stored, data)
        missing = [index for index, result in enumerate(results) if result is None]
        fresh = scan([files[i] for i in missing], progress)  # the progress shown is of the files analysed
        entries = []
        for index, result in zip(missing, fresh, strict=True):
            results[index] = result
            around = surroundings[index]
            if around is not None and _storable(result, files[index], secrets_scanned):
                key = entry_key(settings, files[index], around, result.content_digest)
                with contextlib.suppress(CacheEntryError):
                    entries.append((key, encode_entry(key, result)))
        cache.store(settings, entries)
        notices = [FileNotice("", CACHE_NOTICE, cache.problem)] if cache.problem else []
        return [r if r is not None else FileResult(scanned=False) for r in results], notices
