"""Which packages of a project are known-vulnerable, by the package the project's code calls.

A code rule asks: "this file calls package `P` with data from outside; is `P`, or a package it brings in,
known to be vulnerable in the version this project locks?". The answer comes from the lockfile nearest to
the file (inside the scanned directory only) matched against the advisory database, computed once per
lockfile and process: workers scan many files of the same project.

Only production packages count: a dev dependency does not run in the application.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nodeward.datafiles import DataFileError, load_json
from nodeward.deps.advisories.model import Advisory
from nodeward.deps.lockfiles import LOCKFILE_NAMES
from nodeward.deps.match import Vulnerable
from nodeward.sources.discover import read_regular_file

#: How far up from a file its lockfile is looked for (a monorepo's packages sit a few levels below the root).
MAX_PARENTS = 8


@dataclass(frozen=True, slots=True)
class ReachedVulnerability:
    """A vulnerable package reached by calling ``entry``: itself, or one it depends on (``via``)."""

    entry: str
    vulnerable: Vulnerable
    lockfile: Path

    @property
    def hops(self) -> int:
        """0 when ``entry`` is the vulnerable package; 1 when it depends on it directly; and so on."""
        return len(self.vulnerable.package.path) - 1 if self.vulnerable.package.name != self.entry else 0


def vulnerable_entries(
    file_path: Path | None, scan_root: Path | None
) -> Mapping[str, tuple[ReachedVulnerability, ...]]:
    """For the project of ``file_path``: each direct dependency's name -> the vulnerable production packages
    that calling it may reach (itself first). Empty when no lockfile is found inside ``scan_root``."""
    if file_path is None or scan_root is None:
        return {}
    lockfile = nearest_lockfile(file_path.parent, scan_root)
    return _index(str(lockfile)) if lockfile is not None else {}


@lru_cache(maxsize=1024)
def nearest_lockfile(folder: Path, scan_root: Path) -> Path | None:
    """The lockfile of the package ``folder`` belongs to, looking up to ``scan_root`` at most. Asked for every
    call of a file: answered once per folder."""
    root = scan_root.resolve()
    current = folder.resolve()
    for _ in range(MAX_PARENTS):
        if current != root and root not in current.parents:
            return None
        for name in LOCKFILE_NAMES:
            candidate = current / name
            if candidate.is_file() and not candidate.is_symlink():
                return candidate
        if current == root or current.parent == current:
            return None
        current = current.parent
    return None


@lru_cache(maxsize=32)
def _index(lockfile: str) -> Mapping[str, tuple[ReachedVulnerability, ...]]:
    from nodeward.deps.lockfiles import parse_lockfile
    from nodeward.deps.match import match_packages
    from nodeward.deps.model import LockfileError

    path = Path(lockfile)
    try:
        text = read_regular_file(path).decode("utf-8", "replace")
        manifest = _manifest(path.parent)
        packages = parse_lockfile(path.name, text, manifest).packages
    except (OSError, LockfileError, DataFileError):
        return {}
    production = [p for p in packages if not p.dev]
    try:
        found = match_packages(production, _advisory_lookup())
    except Exception:  # a broken advisory database costs this rule its findings, not the scan
        return {}
    index: dict[str, list[ReachedVulnerability]] = {}
    for vulnerable in found:
        package = vulnerable.package
        entry = package.path.head[0] if package.path.head else package.name
        index.setdefault(entry, []).append(ReachedVulnerability(entry, vulnerable, path))
    return {name: tuple(sorted(reached, key=lambda r: (r.hops, -r.vulnerable.severity)))
            for name, reached in index.items()}


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = load_json(read_regular_file(folder / "package.json").decode("utf-8", "replace"))
    except (OSError, DataFileError):
        return None
    return data if isinstance(data, dict) else None


def _advisory_lookup() -> Callable[[Sequence[str]], Mapping[str, list[Advisory]]]:
    """The user's advisory database when it exists; else the snapshot shipped with nodeward, read in memory
    (a worker must not build the database file that the dependency scanner builds later)."""
    from nodeward.deps.advisories.db import AdvisoryDatabase, default_db_path

    path = default_db_path()
    if os.path.isfile(path):
        database = AdvisoryDatabase(path)
        return lambda names: database.for_packages(names)
    return _snapshot_lookup()


def _snapshot_lookup() -> Callable[[Sequence[str]], Mapping[str, list[Advisory]]]:
    from importlib import resources

    from nodeward.deps.advisories.db import seed_path
    from nodeward.deps.advisories.osv import read_export

    by_package: dict[str, list[Advisory]] = {}
    with resources.as_file(seed_path()) as seed:
        for advisory in read_export(Path(seed)):
            for affected in advisory.affected:
                by_package.setdefault(affected.package, []).append(advisory)
    return lambda names: {name: by_package[name] for name in names if name in by_package}


def package_of(qualified_name: str, known: Mapping[str, object]) -> str | None:
    """The package a qualified call name belongs to (`lodash.merge` -> `lodash`, `@a/b.c` -> `@a/b`,
    `lodash/merge` -> `lodash`), among ``known`` names; package names may hold dots (`socket.io`)."""
    if qualified_name.startswith("@"):
        scope, _, rest = qualified_name.partition("/")
        head = scope + "/" + rest.split("/")[0]
    else:
        head = qualified_name.split("/")[0]
    parts = head.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
        if candidate.startswith("@") and "/" not in candidate:
            break
    return None
