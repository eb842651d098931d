"""File modes on disk: sensitive files other users can read, world-writable paths, sensitive files in
directories that are served as they are.

This is the one check that looks at files no scanner was given: it walks the scanned directories
itself, because the files it is about (`.env`, logs, databases, dumps) are the ones `.gitignore` and
discovery leave out. It only calls `lstat` (and reads the first bytes of `.pem` and `core` files to tell
a key from a certificate and a dump from a source file); it never follows symbolic links and never
enters `node_modules` or version-control directories. `--exclude` patterns are honoured.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from pathspec import GitIgnoreSpec

from nodeward.deploy import knowledge
from nodeward.deploy.emit import Emitter, practice_entry
from nodeward.findings import FileNotice, Severity
from nodeward.rules.base import Rule
from nodeward.rules.config.sensitive_file_in_served_directory import SensitiveFileInServedDirectory
from nodeward.rules.config.sensitive_file_readable_by_others import SensitiveFileReadableByOthers
from nodeward.rules.config.world_writable_permissions import WorldWritablePermissions
from nodeward.scanners import FileResult
from nodeward.sources.discover import read_regular_file, valid_patterns_spec
from nodeward.sources.pseudo_fs import pseudo_file_system

#: The walk stops after this many entries (a notice says so).
MAX_ENTRIES = 200_000
_NODE_REPORT = re.compile(knowledge.NODE_REPORT_NAME)


def _head(path: str, size: int = 4096) -> bytes:
    try:
        return read_regular_file(path, limit=size)
    except OSError:
        return b""


def _any_of(patterns: Sequence[str]) -> re.Pattern[str]:
    """One expression for several fnmatch patterns: a name is tested once, in C (this runs for every file)."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns))


_KIND_PATTERNS = [(kind, _any_of(patterns), world, group)
                  for kind, patterns, world, group in knowledge.SENSITIVE_FILE_KINDS]
_ANY_SENSITIVE = _any_of([pattern for _, patterns, _, _ in knowledge.SENSITIVE_FILE_KINDS for pattern in patterns])


def sensitive_kind(name: str, path: str) -> tuple[str, Severity, Severity] | None:
    """(kind, severity if world-readable, severity if group-readable) of a sensitive file, or None."""
    lower = name.lower()
    if _ANY_SENSITIVE.match(lower) is None:
        return None
    for kind, pattern, world, group in _KIND_PATTERNS:
        if pattern.match(lower) is None:
            continue
        if kind == "environment file" and lower.endswith(knowledge.ENV_DOCUMENTATION):
            return None
        if lower.endswith(".pem") and b"PRIVATE KEY" not in _head(path):
            return None  # a certificate or a public key
        if kind == "crash dump" and lower.startswith("core") and not _head(path, 4).startswith(b"\x7fELF"):
            return None
        if lower.startswith("report.") and lower.endswith(".json") and not _NODE_REPORT.match(lower):
            return None
        return kind, world, group
    return None


def _mode(mode: int) -> str:
    return f"{stat.S_IMODE(mode):04o}"


class _Walk:
    def __init__(self, result: FileResult, selected: frozenset[str] | None, exclude: GitIgnoreSpec | None) -> None:
        self.result = result
        self.selected = selected
        self.exclude = exclude
        self.entries = 0
        self.sensitive: list[tuple[str, str, bool]] = []  # (display path, mode, private)
        self.world_writable: list[str] = []
        self.device = -1  # the scan root's
        self.pseudo_devices: dict[int, bool] = {}

    def report(self, rule: type[Rule], display: str, message: str, severity: Severity | None = None) -> None:
        emit = Emitter(display, [], self.selected)
        emit.add(rule, 1, message, severity=severity)
        self.result.findings.extend(emit.findings)

    def run(self, root: Path, prefix: str) -> None:
        try:
            self.device = os.stat(root).st_dev
        except OSError:
            return
        if pseudo_file_system(str(root)) is not None:
            return
        for directory, dirnames, filenames in os.walk(root, followlinks=False):
            rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir
            served = any(part.lower() in knowledge.SERVED_DIRECTORIES for part in rel_dir.split("/") if part)
            kept = []
            for name in sorted(dirnames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if self.exclude is not None and self.exclude.match_file(rel + "/"):
                    continue
                on_pseudo_files = self.check_directory(os.path.join(directory, name), prefix + rel, served)
                if name not in knowledge.UNWALKED_DIRECTORIES and not on_pseudo_files:
                    kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if self.exclude is not None and self.exclude.match_file(rel):
                    continue
                self.check_file(os.path.join(directory, name), name, prefix + rel, served)
            self.entries += len(filenames) + len(dirnames)
            if self.entries > MAX_ENTRIES:
                self.result.notices.append(FileNotice(
                    prefix + (rel_dir or "."), "partial-parse",
                    f"file permission check stopped after {MAX_ENTRIES} entries"))
                return

    def check_directory(self, path: str, display: str, served: bool) -> bool:
        """Report a world-writable directory; True when it is procfs, sysfs or the like (not walked: the
        modes of the kernel's files say nothing about the project)."""
        try:
            info = os.lstat(path)
        except OSError:
            return False
        if stat.S_ISLNK(info.st_mode):
            return False
        if info.st_dev != self.device:
            if info.st_dev not in self.pseudo_devices:
                self.pseudo_devices[info.st_dev] = pseudo_file_system(path) is not None
            if self.pseudo_devices[info.st_dev]:
                return True
        if info.st_mode & stat.S_IWOTH:
            sticky = bool(info.st_mode & stat.S_ISVTX)
            self.world_writable.append(display)
            self.report(WorldWritablePermissions, display + "/",
                        f"Directory `{display}/` is world-writable (mode {_mode(info.st_mode)})"
                        + (" with the sticky bit" if sticky else ""),
                        severity=Severity.LOW if sticky else None)
        if served and os.path.basename(path) == ".git":
            self.report(SensitiveFileInServedDirectory, display + "/",
                        f"`{display}/` (a git repository) is inside a served directory: `/.git/config` and the whole "
                        "history can be downloaded")
        return False

    def check_file(self, path: str, name: str, display: str, served: bool) -> None:
        try:
            info = os.lstat(path)
        except OSError:
            return
        if not stat.S_ISREG(info.st_mode):
            return
        mode = info.st_mode
        if mode & stat.S_IWOTH:
            self.world_writable.append(display)
            self.report(WorldWritablePermissions, display, f"`{display}` is world-writable (mode {_mode(mode)})")
        found = sensitive_kind(name, path)
        if found is None:
            return
        kind, world, group = found
        private = not mode & (stat.S_IRGRP | stat.S_IROTH)
        self.sensitive.append((display, _mode(mode), private))
        if mode & stat.S_IROTH:
            self.report(SensitiveFileReadableByOthers, display,
                        f"`{display}` ({kind}) is readable by every user (mode {_mode(mode)})", severity=world)
        elif mode & stat.S_IRGRP:
            self.report(SensitiveFileReadableByOthers, display,
                        f"`{display}` ({kind}) is readable by its group (mode {_mode(mode)})", severity=group)
        if served:
            self.report(SensitiveFileInServedDirectory, display,
                        f"`{display}` ({kind}) is inside a directory that is commonly served as it is")

    def practice(self, root_display: str) -> dict[str, object]:
        exposed = [f"{path} {mode}" for path, mode, private in self.sensitive if not private]
        if exposed or self.world_writable:
            evidence = "; ".join([*(f"{e} readable by others" for e in exposed[:3]),
                                  *(f"{w} world-writable" for w in self.world_writable[:2])])
            more = len(exposed) + len(self.world_writable) - min(3, len(exposed)) - min(2, len(self.world_writable))
            return practice_entry("file-permissions", "missing", evidence + (f"; {more} more" if more > 0 else ""),
                                  root_display)
        if self.sensitive:
            sample = ", ".join(f"{path} {mode}" for path, mode, _ in self.sensitive[:3])
            return practice_entry("file-permissions", "in-place",
                                  f"{len(self.sensitive)} sensitive file(s), all owner-only: {sample}", root_display)
        return practice_entry("file-permissions", "not-applicable",
                              "no keys, .env, credential, log, database or dump files on disk", root_display)


def check_permissions(
    roots: Sequence[Path], result: FileResult, selected: frozenset[str] | None, *, exclude: Sequence[str] = ()
) -> None:
    if os.name == "nt":  # POSIX modes do not describe Windows ACLs
        result.summaries.setdefault("practices", []).append(practice_entry(
            "file-permissions", "not-applicable", "file modes are not checked on Windows", "."))
        return
    spec = valid_patterns_spec(exclude)
    several = len(roots) > 1
    for root in roots:
        if not root.is_dir():
            continue
        prefix = root.as_posix().rstrip("/") + "/" if several and root.as_posix() != "." else ""
        walk = _Walk(result, selected, spec)
        walk.run(root, prefix)
        result.summaries.setdefault("practices", []).append(walk.practice(prefix.rstrip("/") or "."))
