"""`--diff REF`: the lines changed since a git ref, so that a pull request sees only what it touched.

Changed means added or modified in the working tree (committed, staged or not) compared with the merge
base of REF and HEAD (as a pull request's diff is); files git does not track yet (and do not ignore)
count as changed everywhere.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    """git could not tell what changed (not a repository, unknown ref)."""


@dataclass
class ChangedLines:
    top: Path  # the repository's top directory
    lines: dict[str, set[int]] = field(default_factory=dict)  # repository-relative path -> changed lines
    whole_files: set[str] = field(default_factory=set)  # new, untracked files

    def contains(self, path: Path, line: int) -> bool:
        try:
            relative = path.resolve().relative_to(self.top).as_posix()
        except ValueError:
            return False
        return relative in self.whole_files or line in self.lines.get(relative, set())


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False,
                              timeout=300)
    except FileNotFoundError:
        raise DiffError("--diff needs git, which is not installed") from None
    if done.returncode != 0:
        raise DiffError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def changed_lines(ref: str, where: Path) -> ChangedLines:
    """The lines added or changed since ``ref`` in the repository containing ``where``."""
    directory = where if where.is_dir() else where.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], directory).strip()).resolve()
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except DiffError:
        raise DiffError(f"--diff: {ref!r} is not a commit, branch or tag of {top}") from None
    # Like a pull request's diff: against the merge base, so that what REF's branch changed meanwhile
    # does not count as changed here.
    try:
        base = _git(["merge-base", ref, "HEAD"], top).strip() or ref
    except DiffError:
        base = ref
    result = ChangedLines(top)
    current: str | None = None
    diff = _git(["-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff",
                 "--no-renames", "--diff-filter=AM", base, "--"], top)
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = target[2:] if target.startswith("b/") else None
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start, count = int(match.group(1)), int(match.group(2) or "1")
            result.lines.setdefault(current, set()).update(range(start, start + count))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    result.whole_files.update(name for name in untracked.split("\0") if name)
    return result
