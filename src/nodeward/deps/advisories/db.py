"""The offline advisory database: one SQLite file in the user's cache directory.

It is built in full from an OSV export into a temporary file beside the old one and moved into place
with an atomic rename, so a reader never sees half a database and a failed import or update leaves the
previous one intact. The first use builds it from the snapshot shipped inside the package.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nodeward.cachedir import cache_dir
from nodeward.deps.advisories.model import Advisory, Affected, Interval

SCHEMA_VERSION = "1"
DB_NAME = "advisories.sqlite3"
SEED_NAME = "npm-osv-nodejs-security-wg.jsonl.gz"
SEED_SOURCE = "bundled snapshot of the Node.js Security WG npm advisories (2013-2020, MIT)"
STALE_AFTER_DAYS = 7

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY, summary TEXT NOT NULL, details TEXT NOT NULL, severity TEXT NOT NULL,
    cvss TEXT NOT NULL, cwe_ids TEXT NOT NULL, aliases TEXT NOT NULL, refs TEXT NOT NULL,
    published TEXT NOT NULL, modified TEXT NOT NULL
);
CREATE TABLE affected (
    package TEXT NOT NULL, advisory_id TEXT NOT NULL REFERENCES advisories(id),
    intervals TEXT NOT NULL, versions TEXT NOT NULL
);
CREATE INDEX affected_by_package ON affected(package);
"""


class DatabaseError(Exception):
    """The database cannot be built or read; the message says why."""


def default_db_path() -> Path:
    return cache_dir() / DB_NAME


def seed_path() -> resources.abc.Traversable:
    return resources.files("nodeward.deps").joinpath("data", SEED_NAME)


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    path: Path
    source: str
    records: int
    packages: int
    #: When the data was current: download time for `db update`, the newest record for the others.
    updated: dt.datetime | None
    imported: dt.datetime | None

    def age_days(self, now: dt.datetime | None = None) -> float | None:
        if self.updated is None:
            return None
        now = now or dt.datetime.now(dt.UTC)
        return (now - self.updated).total_seconds() / 86400

    @property
    def stale(self) -> bool:
        age = self.age_days()
        return age is None or age > STALE_AFTER_DAYS

    def describe(self) -> str:
        age = self.age_days()
        when = self.updated.strftime("%Y-%m-%d") if self.updated else "an unknown date"
        age_text = f", {age:.0f} days old" if age is not None else ""
        return f"{self.records} advisories from {self.source}, current as of {when}{age_text}"


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def build_database(
    advisories: Iterable[Advisory], target: Path, *, source: str, updated: dt.datetime | None = None
) -> int:
    """Write every advisory into a new database at ``target``, atomically; the count written.

    ``updated`` is when the data was current; by default the newest ``modified`` of the records.
    Raises DatabaseError (or the reader's own error) and leaves ``target`` untouched on failure.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".advisories-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        connection = sqlite3.connect(temp)
        try:
            count, newest = _fill(connection, advisories)
            if count == 0:
                raise DatabaseError("the export holds no npm advisories")
            when = updated or _parse_time(newest)
            meta = {
                "schema": SCHEMA_VERSION,
                "source": source,
                "records": str(count),
                "updated": when.isoformat() if when else "",
                "imported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.commit()
        finally:
            connection.close()
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return count


def _fill(connection: sqlite3.Connection, advisories: Iterable[Advisory]) -> tuple[int, str]:
    connection.executescript(_SCHEMA)
    count = 0
    newest = ""
    seen: set[str] = set()
    for advisory in advisories:
        if advisory.id in seen:
            continue
        seen.add(advisory.id)
        count += 1
        newest = max(newest, advisory.modified)
        connection.execute(
            "INSERT INTO advisories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                advisory.id, advisory.summary, advisory.details, advisory.severity_word,
                json.dumps(advisory.cvss), json.dumps(advisory.cwe_ids), json.dumps(advisory.aliases),
                json.dumps(advisory.references), advisory.published, advisory.modified,
            ),
        )
        connection.executemany(
            "INSERT INTO affected VALUES (?, ?, ?, ?)",
            [
                (
                    item.package,
                    advisory.id,
                    json.dumps([[i.introduced, i.fixed, i.last_affected] for i in item.intervals]),
                    json.dumps(sorted(item.versions)),
                )
                for item in advisory.affected
            ],
        )
    return count, newest


def build_seed(target: Path) -> int:
    """Build the database from the snapshot shipped with nodeward."""
    from nodeward.deps.advisories.osv import read_export

    with resources.as_file(seed_path()) as seed:
        return build_database(read_export(Path(seed)), target, source=SEED_SOURCE)


class AdvisoryDatabase:
    """Read access to a built database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            self._meta = dict(self.connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as error:
            raise DatabaseError(f"{path}: not a nodeward advisory database ({error})") from None
        if self._meta.get("schema") != SCHEMA_VERSION:
            raise DatabaseError(f"{path}: database schema {self._meta.get('schema')!r}, expected {SCHEMA_VERSION}")

    @classmethod
    def open_default(cls, path: Path | None = None) -> AdvisoryDatabase:
        """The database at ``path`` (default: the cache), built from the bundled snapshot if missing."""
        path = path or default_db_path()
        if not path.exists():
            try:
                build_seed(path)
            except OSError:  # a read-only cache directory: build a private copy
                path = Path(tempfile.mkdtemp(prefix="nodeward-")) / DB_NAME
                build_seed(path)
        try:
            return cls(path)
        except DatabaseError:
            if path.exists() and path == default_db_path():  # broken or from another version: rebuild
                build_seed(path)
                return cls(path)
            raise

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> AdvisoryDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self) -> DatabaseStatus:
        packages = self.connection.execute("SELECT COUNT(DISTINCT package) FROM affected").fetchone()[0]
        return DatabaseStatus(
            path=self.path,
            source=self._meta.get("source", "unknown"),
            records=int(self._meta.get("records", "0")),
            packages=int(packages),
            updated=_parse_time(self._meta.get("updated")),
            imported=_parse_time(self._meta.get("imported")),
        )

    def for_packages(self, names: Sequence[str]) -> dict[str, list[Advisory]]:
        """The advisories affecting each of ``names`` (only names with at least one)."""
        unique = sorted(set(names))
        rows: list[tuple[str, ...]] = []
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows.extend(
                self.connection.execute(
                    "SELECT f.package, f.intervals, f.versions, a.id, a.summary, a.details, a.severity, a.cvss,"
                    " a.cwe_ids, a.aliases, a.refs, a.published, a.modified"
                    f" FROM affected f JOIN advisories a ON a.id = f.advisory_id WHERE f.package IN ({marks})",
                    chunk,
                ).fetchall()
            )
        result: dict[str, list[Advisory]] = {}
        for package, intervals, versions, *fields in rows:
            affected = Affected(
                package,
                tuple(Interval(i[0], i[1], i[2]) for i in json.loads(intervals)),
                frozenset(json.loads(versions)),
            )
            result.setdefault(package, []).append(
                Advisory(
                    id=fields[0], summary=fields[1], details=fields[2], severity_word=fields[3],
                    cvss=tuple(json.loads(fields[4])), cwe_ids=tuple(json.loads(fields[5])),
                    aliases=tuple(json.loads(fields[6])), references=tuple(json.loads(fields[7])),
                    published=fields[8], modified=fields[9], affected=(affected,),
                )
            )
        return result
