"""`--diff REF`: the lines changed since a git ref, so that a pull request sees only what it touched.

Changed means added or modified in the working tree (committed, staged or not) compared with the merge
base of REF and HEAD (as a pull request's diff is); files git does not track yet (and do not ignore)
count as changed everywhere.

`git diff REF` would answer in one command, but to compare the working tree it runs the clean filters and
textconv programs that the repository's `.gitattributes` and config name. So git is asked only what it
can answer from its object store and index (merge base, the base tree, the tracked and the untracked
files, through `nodeward.git`); which tracked files differ from the base is decided here by hashing their
bytes as git names blobs; and only those files are compared, by `git diff --no-index` on copies in an
empty temporary directory, where no repository configuration applies. A file whose committed form comes
from a filter (git-lfs, `ident`) therefore counts as changed throughout.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nodeward.git import (
    GitError,
    NotARepository,
    Repository,
    find_repository,
    last_message,
    literal_pathspec,
    run_git_outside_repositories,
)

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_DIFF_HEADER = re.compile(rb"^diff --git a/old/(\d+) b/new/(\d+)$")


class DiffError(Exception):
    """git could not tell what changed (not a repository, unknown ref)."""


class DiffRefused(DiffError):
    """The repository is one git must not be run in (another user's, reaching outside itself): the scan goes
    on, every finding reported, with the reason as a notice."""


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


def changed_lines(ref: str, where: Path | Sequence[Path]) -> ChangedLines:
    """The lines added or changed since ``ref`` in the repository containing ``where`` (the scanned paths)."""
    targets = [where] if isinstance(where, Path) else list(where)
    try:
        repository = find_repository(targets[0])
    except NotARepository as error:
        raise DiffError(f"--diff: {error}") from None
    except GitError as error:
        raise DiffRefused(f"--diff: {error}; every finding is reported") from None
    top = repository.work_tree
    assert top is not None
    verified = repository.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if verified.returncode != 0:
        raise DiffError(f"--diff: {ref!r} is not a commit, branch or tag of {top}")
    commit = verified.stdout.decode("ascii", "replace").strip()
    # Like a pull request's diff: against the merge base, so that what REF's branch changed meanwhile
    # does not count as changed here.
    merge_base = repository.run("merge-base", commit, "HEAD")
    base = merge_base.stdout.decode("ascii", "replace").strip() if merge_base.returncode == 0 else ""
    base = base or commit
    scope = _scope(targets, top)
    try:
        base_blobs = _tree_blobs(repository.output("ls-tree", "-r", "-z", "--full-tree", base))
        pathspecs = [literal_pathspec(path) for path in scope]
        tracked = _names(repository.output("ls-files", "-z", "--", *pathspecs))
        untracked = _names(repository.output("ls-files", "-z", "--others", "--exclude-standard", "--", *pathspecs))
    except GitError as error:
        raise DiffError(f"--diff: {error}") from None
    result = ChangedLines(top)
    result.whole_files.update(untracked)
    algorithm = repository.object_format()
    differing: dict[str, bytes] = {}  # path -> its working-tree bytes, for tracked files unlike their base
    for name in tracked:
        content = _working_content(top / name)
        if content is None:
            continue  # deleted, or not a file: nothing to report on
        blob = base_blobs.get(name)
        if blob is None:
            result.whole_files.add(name)  # added since the base
        elif _blob_name(content, algorithm) != blob and _blob_name(_lf(content), algorithm) != blob:
            differing[name] = content
    if differing:
        result.lines.update(_compare(repository, differing, base_blobs))
    return result


def _scope(targets: Iterable[Path], top: Path) -> list[str]:
    """The scanned paths as repository-relative pathspecs (the whole tree when one is the top)."""
    scope: list[str] = []
    for target in targets:
        try:
            relative = target.resolve().relative_to(top).as_posix()
        except ValueError:
            continue
        if relative in ("", "."):
            return ["."]
        scope.append(relative)
    return scope or ["."]


def _names(output: bytes) -> list[str]:
    return [name.decode("utf-8", "surrogateescape") for name in output.split(b"\0") if name]


def _tree_blobs(output: bytes) -> dict[str, str]:
    """path -> blob id of the regular files and links of an `ls-tree -r -z` listing."""
    blobs: dict[str, str] = {}
    for entry in output.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            blobs[name.decode("utf-8", "surrogateescape")] = parts[2].decode("ascii")
    return blobs


def _working_content(path: Path) -> bytes | None:
    """What git would store for a working-tree entry: a file's bytes, a link's target; None for anything else."""
    try:
        if path.is_symlink():
            return os.fsencode(os.readlink(path))
        if not path.is_file():
            return None
        return path.read_bytes()
    except OSError:
        return None


def _blob_name(content: bytes, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def _lf(content: bytes) -> bytes:
    """The content as `core.autocrlf`/`eol` would commit it, so that a CRLF checkout is not a change."""
    return content.replace(b"\r\n", b"\n")


def _compare(repository: Repository, differing: dict[str, bytes], base_blobs: dict[str, str]) -> dict[str, set[int]]:
    """The changed lines of each differing file, from one `git diff --no-index` of copies named by number."""
    names = sorted(differing)
    unreadable: list[str] = []
    base_content = dict(repository.read_objects([base_blobs[name] for name in names], unreadable))
    with tempfile.TemporaryDirectory(prefix="nodeward-diff-") as scratch:
        old_dir, new_dir = Path(scratch, "old"), Path(scratch, "new")
        old_dir.mkdir()
        new_dir.mkdir()
        for number, name in enumerate(names):
            old = base_content.get(base_blobs[name], b"")
            new = differing[name]
            if b"\r\n" not in old:
                new = _lf(new)
            (old_dir / str(number)).write_bytes(old)
            (new_dir / str(number)).write_bytes(new)
        done = run_git_outside_repositories(
            Path(scratch),
            ("diff", "--no-index", "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
             "--src-prefix=a/", "--dst-prefix=b/", "--", "old", "new"),
        )
    if done.returncode not in (0, 1):
        raise DiffError(f"--diff: git diff failed: {last_message(done.stderr)}")
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in done.stdout.splitlines():
        header = _DIFF_HEADER.match(line)
        if header:
            current = names[int(header.group(2))]
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start, count = int(match.group(1)), int(match.group(2) or b"1")
            changed.setdefault(current, set()).update(range(start, start + count))
    return changed
