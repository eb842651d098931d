
"""Find the JavaScript and TypeScript files a scan should read, and say why the others were left out.

The walk uses ``os.scandir`` and only stats what it has to: directories (for symlink loop
detection) and files whose extension a scanner reads. Ignore rules follow git: every
``.gitignore`` applies to its own subtree with patterns relative to its directory, deeper files
override shallower ones, and ``.git/info/exclude`` has the lowest precedence. The matching itself
is pathspec's ``GitIgnoreSpec``.

Nothing here raises for file-system problems and nothing is ever modified: a path that cannot be
read ends up in :attr:`Discovery.skipped` or :attr:`Discovery.errors`.
"""

from __future__ import annotations

import codecs
import enum
import errno
import functools
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pathspec import GitIgnoreSpec

from nodeward.datafiles import DataFileError, load_json
from nodeward.sources.pseudo_fs import pseudo_file_system

DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024

#: How much of a file is looked at for NUL bytes to decide whether it is binary.
BINARY_SAMPLE_SIZE = 8 * 1024
#: Below this many bytes a file is never considered minified.
_MINIFIED_MIN_SIZE = 1024
#: An average line length above this means minified.
_MINIFIED_AVERAGE_LINE = 200
#: A single line longer than this that makes up most of the file means minified.
_MINIFIED_LONG_LINE = 5000

_MINIFIED_SUFFIXES = (".min.js", ".min.mjs", ".min.cjs")
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

#: Directories never walked, whatever the ignore files say, with the reason reported for them.
_ALWAYS_SKIPPED_DIRS: dict[str, str] = {
    "node_modules": "node_modules",
    "bower_components": "vendored",
    "vendor": "vendored",
    "coverage": "coverage report",
    ".git": "version control",
    ".hg": "version control",
    ".svn": "version control",
}
#: Directories skipped only when they are generated from sources that are also in the tree.
_BUILD_DIR_NAMES = frozenset({"dist", "build"})
#: Sibling directories whose presence shows that a build directory is generated.
_SOURCE_DIR_NAMES = ("src", "lib", "source")

_REASON_GITIGNORE = "ignored by .gitignore"
_REASON_EXCLUDED = "excluded by --exclude"
_REASON_DECLARATIONS = "type declarations"
_REASON_MINIFIED = "minified"
_REASON_BINARY = "binary"
_REASON_SYMLINK_LOOP = "symlink loop"
_REASON_BROKEN_SYMLINK = "broken symlink"
_REASON_NOT_REGULAR = "not a regular file"
_REASON_UNKNOWN_KIND = "not a kind of file the active scanners read"
_REASON_PSEUDO_FILES = "system pseudo-files (never read)"

#: Where the kernel shows processes, devices and its own state as files: reading them reads the machine.
_PSEUDO_FILE_SYSTEMS = ("/proc", "/sys", "/dev")


class FileKind(enum.Enum):
    """What a file is to nodeward's scanners; decided by its name."""

    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    PACKAGE_JSON = "package.json"
    LOCKFILE = "lockfile"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    NPMRC = "npmrc"
    DOTENV = "dotenv"
    TEMPLATE = "template"
    #: Any other file, read as text by scanners that look at everything (secrets).
    TEXT = "text"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> FileKind | None:
        """The specific kind of the file at ``path``, or None when only a TEXT reader would want it.

        TypeScript declaration files (``.d.ts``) hold no code to analyse, so they give None.
        """
        name = os.path.basename(os.fspath(path)).lower()
        special = _KINDS_BY_NAME.get(name)
        if special is not None:
            return special
        if name.startswith(".env") and (len(name) == 4 or name[4] == "."):
            return FileKind.DOTENV
        if name in ("dockerfile", "containerfile") or name.endswith(".dockerfile") or (
            name.startswith("dockerfile.") and name[name.rfind(".") :] not in _KINDS_BY_EXTENSION  # not dockerfile.js
        ):
            return FileKind.DOCKERFILE
        dot = name.rfind(".")
        if dot <= 0 or name.endswith(_DECLARATION_SUFFIXES):
            return None
        return _KINDS_BY_EXTENSION.get(name[dot:])

    @property
    def is_code(self) -> bool:
        return self in CODE_KINDS


_KINDS_BY_NAME: dict[str, FileKind] = {
    "package.json": FileKind.PACKAGE_JSON,
    "package-lock.json": FileKind.LOCKFILE,
    "npm-shrinkwrap.json": FileKind.LOCKFILE,
    "yarn.lock": FileKind.LOCKFILE,
    "pnpm-lock.yaml": FileKind.LOCKFILE,
    "bun.lock": FileKind.LOCKFILE,
    ".npmrc": FileKind.NPMRC,
}
_KINDS_BY_EXTENSION: dict[str, FileKind] = {
    ".js": FileKind.JAVASCRIPT,
    ".cjs": FileKind.JAVASCRIPT,
    ".mjs": FileKind.JAVASCRIPT,
    ".jsx": FileKind.JAVASCRIPT,
    ".ts": FileKind.TYPESCRIPT,
    ".mts": FileKind.TYPESCRIPT,
    ".cts": FileKind.TYPESCRIPT,
    ".tsx": FileKind.TSX,
    ".yml": FileKind.YAML,
    ".yaml": FileKind.YAML,
    ".ejs": FileKind.TEMPLATE,
    ".hbs": FileKind.TEMPLATE,
    ".handlebars": FileKind.TEMPLATE,
    ".pug": FileKind.TEMPLATE,
    ".jade": FileKind.TEMPLATE,
    ".njk": FileKind.TEMPLATE,
    ".mustache": FileKind.TEMPLATE,
    ".html": FileKind.TEMPLATE,
    ".htm": FileKind.TEMPLATE,
    ".vue": FileKind.TEMPLATE,
}
CODE_KINDS = frozenset({FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX})
#: Lockfiles of large monorepos run to tens of megabytes; they are data, not code, and parse quickly.
LOCKFILE_MAX_SIZE = 128 * 1024 * 1024
#: How much of a file read beside the scanned ones (ignore files, manifests, allow-lists) is read at most.
AUXILIARY_MAX_SIZE = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file a scanner should read."""

    path: Path  # absolute
    display_path: str  # relative to the scan root, posix style; for a file argument, the path as given
    kind: FileKind
    size: int


def scan_root_of(file: SourceFile) -> Path:
    """The directory that was scanned: the file's path without its display path (a file given on its own: its
    directory)."""
    shown, full = file.display_path, file.path.as_posix()
    if shown.startswith("/") or ".." in shown.split("/") or not full.endswith("/" + shown):
        return file.path.parent
    return _path(full[: -len(shown) - 1] or "/")


@functools.lru_cache(maxsize=64)
def _path(text: str) -> Path:
    """One Path object per scan root: making one per file was a tenth of the time of a small file."""
    return Path(text)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or directory left out of the scan, with a human readable reason."""

    display_path: str
    reason: str


@dataclass(slots=True)
class Discovery:
    """What :func:`discover` found: files to scan, what was left out, and problems with the arguments."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def is_version_control(reason: str) -> bool:
    """Skipped as a repository's own folder (.git): listed with --verbose, but no source was left out there,
    so summaries do not count it."""
    return reason == _ALWAYS_SKIPPED_DIRS[".git"]


class SourceReadError(Exception):
    """A source file could not be read; the message says which file and why."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or message


def read_source(file: SourceFile) -> bytes:
    """The whole content of ``file``; raises :class:`SourceReadError` when it cannot be read."""
    try:
        return read_regular_file(file.path)
    except OSError as exc:
        reason = _os_reason(exc)
        raise SourceReadError(f"cannot read {file.display_path}: {reason}", reason) from exc


class NotRegularFile(OSError):
    """A path that names something else than a regular file: a FIFO, a device, a socket, a directory."""


#: Never block on open (a FIFO swapped in after the check); the flags a platform lacks are left out.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def open_regular_file(path: str | os.PathLike[str], *, follow_links: bool = False) -> BinaryIO:
    """The regular file at ``path``, open for reading in binary.

    Every file nodeward reads is opened here, because a scanned tree is not trusted: anything else than a
    regular file is refused before it is opened (:class:`NotRegularFile`), since opening a FIFO blocks and
    opening a device can read forever or act on the device. A symbolic link as the last component is
    refused too unless ``follow_links``: callers pass paths that discovery resolved, or files that must be
    the tree's own. The open itself neither blocks nor follows a link, and the file is checked again once
    open, so a file swapped in between is refused as well.
    """
    _require_regular(os.stat(path, follow_symlinks=follow_links))
    flags = _OPEN_FLAGS | (0 if follow_links else _NO_FOLLOW)
    handle = open(path, "rb", opener=lambda name, _: os.open(name, flags))  # noqa: SIM115 - returned open
    try:
        _require_regular(os.fstat(handle.fileno()))
    except OSError:
        handle.close()
        raise
    return handle


_NODE_SHEBANG = re.compile(rb"#![ \t]*\S*(?:/|\benv(?:[ \t]+-\S+)*[ \t]+)node\b")


def _is_node_script(path: str, info: os.stat_result) -> bool:
    """A regular file whose first line runs it with Node.js (`#!/usr/bin/env node`, `#!/usr/local/bin/node`)."""
    if not stat.S_ISREG(info.st_mode) or info.st_size < 8:
        return False
    try:
        start = read_regular_file(path, limit=128)
    except OSError:
        return False
    return _NODE_SHEBANG.match(start) is not None


def read_regular_file(path: str | os.PathLike[str], *, limit: int | None = None, follow_links: bool = False) -> bytes:
    """The content of the regular file at ``path`` (its first ``limit`` bytes when given); see
    :func:`open_regular_file` for what is refused."""
    with open_regular_file(path, follow_links=follow_links) as handle:
        return handle.read() if limit is None else handle.read(limit)


def _require_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(errno.EINVAL, _not_regular_reason(info.st_mode))


def _not_regular_reason(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "directory"),
                       (stat.S_ISLNK, "symbolic link")):
        if test(mode):
            return f"{_REASON_NOT_REGULAR} ({what}), never opened"
    return _REASON_NOT_REGULAR


def looks_binary(data: bytes) -> bool:
    """True when the start of ``data`` holds a NUL byte, which text never does (UTF-16 and UTF-32 text
    with a byte-order mark is converted by :func:`as_utf8` before it is looked at)."""
    return b"\x00" in data[:BINARY_SAMPLE_SIZE]


def looks_minified(data: bytes) -> bool:
    """True when ``data`` (a whole file) looks like minified code.

    That is: at least 1 KB whose lines average over 200 characters, or lines over 5,000 characters that
    make up most of it. The whole file is looked at, so a bundle behind a page of short lines is found
    too; the work is a split and a ``max`` in C, and a sum in Python only over the few long lines.
    """
    if len(data) < _MINIFIED_MIN_SIZE:
        return False
    lengths = list(map(len, data.split(b"\n")))
    if len(lengths) > 1 and not lengths[-1]:
        lengths.pop()  # the empty "line" after a final newline
    if len(data) / len(lengths) > _MINIFIED_AVERAGE_LINE:
        return True
    if max(lengths) <= _MINIFIED_LONG_LINE:
        return False
    return sum(length for length in lengths if length > _MINIFIED_LONG_LINE) * 2 > len(data)


_UNICODE_BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def as_utf8(data: bytes) -> bytes:
    """``data`` in UTF-8: text in UTF-16 or UTF-32 with a byte-order mark is converted (without the mark,
    so line and column numbers stay those of the text); anything else is returned as it is."""
    if data[:1] not in (b"\xff", b"\xfe", b"\x00"):
        return data
    for mark, encoding in _UNICODE_BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark):].decode(encoding, "replace").encode("utf-8")
    return data


@dataclass(frozen=True, slots=True)
class ContentSkip:
    """Why a file is not scanned for what it is, from its content."""

    reason: str
    #: False for a binary file of no specific kind: nobody asked for it by name
    reported: bool = True
    #: minified code is not analysed, but a token or a key written on one long line is still a secret: the
    #: file is read as text by the scanners that read any text, with :data:`MINIFIED_TEXT_ONLY` as notice
    text_still_read: bool = False


MINIFIED_TEXT_ONLY = "minified: scanned for secrets only"


def content_skip(kind: FileKind, data: bytes) -> ContentSkip | None:
    """Why a file of ``kind`` whose content (through :func:`as_utf8`) is ``data`` is not scanned; None to
    scan it."""
    if looks_binary(data):
        return ContentSkip(_REASON_BINARY, reported=kind is not FileKind.TEXT)
    if kind.is_code and looks_minified(data):
        return ContentSkip(_REASON_MINIFIED, text_still_read=True)
    return None


def discover(
    paths: Sequence[Path],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    respect_gitignore: bool = True,
    kinds: frozenset[FileKind] = CODE_KINDS,
    content_checked_later: frozenset[FileKind] = frozenset(),
) -> Discovery:
    """Find the files to scan under ``paths`` (directories or files).

    Display paths are relative to the directory argument when there is exactly one path; with
    several, each directory's files are shown under that directory as given, so they stay apart.
    A file argument is shown as given and is not subject to ``.gitignore`` or ``include``, but
    ``exclude`` and the minified, binary and size checks still apply to it.

    ``include`` and ``exclude`` are gitignore-style patterns matched against paths relative to
    the directory argument. Files not matching ``include`` are silently not candidates; excluded
    files and directories are reported as skipped.

    ``kinds`` says which kinds of file the active scanners read; with ``FileKind.TEXT`` among them
    every other file is a candidate too (binary ones are then left out without a report).

    Files of the kinds in ``content_checked_later`` are not opened here: whoever reads them whole later
    applies :func:`content_skip` (the binary and minified checks) then, so that each is read once.
    """
    walker = _Walker(
        include=include,
        exclude=exclude,
        max_file_size=max_file_size,
        respect_gitignore=respect_gitignore,
        kinds=kinds,
        content_checked_later=content_checked_later,
    )
    for argument in paths:
        walker.add_argument(Path(argument), several=len(paths) > 1)
    return walker.result()


# --------------------------------------------------------------------------------------------
# Implementation


_DirKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class _IgnoreLevel:
    """The patterns of one ignore file and the directory they are relative to."""

    prefix: str  # the directory, relative to the repository root: "" or ending in "/"
    spec: GitIgnoreSpec


@dataclass(frozen=True, slots=True)
class _Frame:
    """A directory waiting to be walked."""

    path: str  # absolute
    rel: str  # relative to the scan root: "" for the root itself, else "a/b"
    git_rel: str  # relative to the repository root (or the scan root outside a repository)
    ignores: tuple[_IgnoreLevel, ...]
    ancestors: frozenset[_DirKey]  # the directories from the scan root down to this one
    is_root: bool = False


class _Walker:
    def __init__(
        self,
        *,
        include: Sequence[str],
        exclude: Sequence[str],
        max_file_size: int,
        respect_gitignore: bool,
        kinds: frozenset[FileKind],
        content_checked_later: frozenset[FileKind],
    ) -> None:
        self.kinds = kinds
        self.content_checked_later = content_checked_later
        self.errors: list[str] = []
        self.include = _compile_user_patterns(include, "--include", self.errors)
        self.exclude = _compile_user_patterns(exclude, "--exclude", self.errors)
        self.max_file_size = max_file_size
        self.respect_gitignore = respect_gitignore
        self.files: dict[str, SourceFile] = {}
        self.skipped: dict[str, Skipped] = {}
        self.seen_files: set[str] = set()
        self.visited_dirs: dict[_DirKey, str] = {}
        self.root = ""  # the real path of the directory argument being walked
        self.pseudo_devices: dict[int, str | None] = {}  # device -> the pseudo file system it is, if one

    def result(self) -> Discovery:
        return Discovery(
            files=[self.files[key] for key in sorted(self.files)],
            skipped=[self.skipped[key] for key in sorted(self.skipped)],
            errors=list(self.errors),
        )

    # -- arguments ----------------------------------------------------------------------------

    def add_argument(self, argument: Path, *, several: bool) -> None:
        text = os.fspath(argument)
        display = _readable_name(argument.as_posix())
        try:
            info = os.stat(text)
        except FileNotFoundError:
            if os.path.lexists(text):
                self._skip(display, _REASON_BROKEN_SYMLINK)
            else:
                self.errors.append(f"path does not exist: {text}")
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self._skip(display, _REASON_SYMLINK_LOOP)
            else:
                self.errors.append(f"cannot access {text}: {_os_reason(exc)}")
            return
        real = os.path.realpath(text)
        if _is_pseudo_file(real) or self._on_pseudo_file_system(real, info):
            self._skip(display, self._pseudo_reason(info))
        elif stat.S_ISDIR(info.st_mode):
            prefix = display if several and display != "." else ""
            self._walk_root(real, prefix, (info.st_dev, info.st_ino))
        elif stat.S_ISREG(info.st_mode):
            self._add_file_argument(real, display, info)  # named by the user: followed wherever it leads
        else:
            self._skip(display, _not_regular_reason(info.st_mode))

    def _add_file_argument(self, path: str, display: str, info: os.stat_result) -> None:
        lower = os.path.basename(path).lower()
        kind = self._kind_of(lower)
        if kind is None:
            reason = _REASON_DECLARATIONS if lower.endswith(_DECLARATION_SUFFIXES) else _REASON_UNKNOWN_KIND
            self._skip(display, reason)
            return
        if self.exclude is not None and self.exclude.match_file(display):
            self._skip(display, _REASON_EXCLUDED)
            return
        if path in self.seen_files:
            return
        self.seen_files.add(path)
        self._check_content(path, lower, display, kind, info)

    # -- walking ------------------------------------------------------------------------------

    def _walk_root(self, root: str, prefix: str, key: _DirKey) -> None:
        if key in self.visited_dirs:
            return  # the same directory given twice, or inside another argument already walked
        self.visited_dirs[key] = prefix
        self.root = root
        git_rel, ignores = self._root_ignores(root) if self.respect_gitignore else ("", ())
        stack = [_Frame(root, "", git_rel, ignores, frozenset({key}), is_root=True)]
        while stack:
            frame = stack.pop()
            children = self._walk_dir(frame, prefix)
            stack.extend(reversed(children))

    def _walk_dir(self, frame: _Frame, prefix: str) -> list[_Frame]:
        """Handle the files of one directory; return its subdirectories still to walk, in order."""
        try:
            with os.scandir(frame.path) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            if frame.is_root:
                self.errors.append(f"cannot read directory {frame.path}: {_os_reason(exc)}")
            else:
                self._skip(_join(prefix, frame.rel), f"unreadable: {_os_reason(exc)}")
            return []

        git_rel, ignores = frame.git_rel, frame.ignores
        if self.respect_gitignore:
            names = {entry.name for entry in entries}
            if not frame.is_root and ".git" in names:
                # A nested repository (a submodule): the enclosing repository's rules stop here.
                git_rel, ignores = "", _info_exclude_levels(frame.path)
            if ".gitignore" in names:
                spec = _load_ignore_file(os.path.join(frame.path, ".gitignore"))
                if spec is not None:
                    ignores = (*ignores, _IgnoreLevel(git_rel + "/" if git_rel else "", spec))

        build_reasons: dict[str, str] | None = None
        children: list[_Frame] = []
        for entry in entries:
            name = _readable_name(entry.name)
            rel = f"{frame.rel}/{name}" if frame.rel else name
            entry_git_rel = f"{git_rel}/{name}" if git_rel else name
            display = _join(prefix, rel)
            # Links are followed only to what they lead to inside the scanned directory; whatever they
            # lead to is stat'ed (never opened) to apply the rules of its kind.
            info: os.stat_result | None = None
            real, not_followed = entry.path, None
            try:
                if entry.is_symlink():
                    info, real, not_followed = self._follow_link(entry.path)
                    mode = info.st_mode if info is not None else 0
                    is_dir, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
                else:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError as exc:
                self._skip(display, f"unreadable: {_os_reason(exc)}")
                continue

            if is_dir:
                reason = _ALWAYS_SKIPPED_DIRS.get(name)
                if reason is None and self.exclude is not None and self.exclude.match_file(rel + "/"):
                    reason = _REASON_EXCLUDED
                if reason is None and _is_ignored(ignores, entry_git_rel + "/"):
                    reason = _REASON_GITIGNORE
                if reason is None and name in _BUILD_DIR_NAMES:
                    if build_reasons is None:
                        build_reasons = _build_output_reasons(frame.path, entries)
                    reason = build_reasons.get(name)
                if reason is None:
                    reason = not_followed or (_REASON_PSEUDO_FILES if _is_pseudo_file(entry.path) else None)
                if reason is None:
                    try:
                        info = info or entry.stat(follow_symlinks=False)
                    except OSError as exc:
                        reason = f"unreadable: {_os_reason(exc)}"
                    else:
                        key = (info.st_dev, info.st_ino)
                        if self._on_pseudo_file_system(entry.path, info):
                            reason = self._pseudo_reason(info)
                        elif key in frame.ancestors:
                            reason = _REASON_SYMLINK_LOOP
                        elif key in self.visited_dirs:
                            reason = f"same directory as {self.visited_dirs[key] or '.'}"
                        else:
                            self.visited_dirs[key] = display
                            children.append(_Frame(entry.path, rel, entry_git_rel, ignores, frame.ancestors | {key}))
                if reason is not None:
                    self._skip(display, reason)
            elif is_file:
                self._consider_file(entry, name, rel, display, entry_git_rel, ignores, real, info, not_followed)
            elif not self._filtered(rel, entry_git_rel, ignores):
                # a broken link or a link loop, or a FIFO, device or socket here or where a link leads
                if not_followed is None:
                    try:
                        mode = (info or entry.stat(follow_symlinks=False)).st_mode
                    except OSError as exc:
                        self._skip(display, f"unreadable: {_os_reason(exc)}")
                        continue
                    not_followed = _not_regular_reason(mode)
                self._skip(display, not_followed)
        return children

    def _filtered(self, rel: str, git_rel: str, ignores: tuple[_IgnoreLevel, ...]) -> bool:
        """True when include, exclude or gitignore leaves a path out (without reporting it)."""
        return (
            (self.include is not None and not self.include.match_file(rel))
            or (self.exclude is not None and self.exclude.match_file(rel))
            or _is_ignored(ignores, git_rel)
        )

    def _follow_link(self, path: str) -> tuple[os.stat_result | None, str, str | None]:
        """What the symbolic link ``path`` leads to: its status (None for a broken link or a loop), its real
        path, and the reason it is not followed (None when it is)."""
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return None, path, _REASON_SYMLINK_LOOP
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None, path, _REASON_BROKEN_SYMLINK
            raise
        real = os.path.realpath(path)
        if not _is_inside(real, self.root):
            try:
                target = os.readlink(path)
            except OSError:
                target = real
            return info, real, f"symbolic link out of the scanned directory (to {_readable_name(target)})"
        if _is_pseudo_file(real) or self._on_pseudo_file_system(real, info):
            return info, real, self._pseudo_reason(info)
        return info, real, None

    def _on_pseudo_file_system(self, path: str, info: os.stat_result) -> bool:
        """Whether ``path`` (whose status is ``info``) is on procfs, sysfs or their kin, wherever mounted; the
        kernel is asked once per device."""
        if info.st_dev not in self.pseudo_devices:
            self.pseudo_devices[info.st_dev] = pseudo_file_system(path)
        return self.pseudo_devices[info.st_dev] is not None

    def _pseudo_reason(self, info: os.stat_result) -> str:
        name = self.pseudo_devices.get(info.st_dev)
        return f"{_REASON_PSEUDO_FILES[:-1]}: {name} mounted here)" if name else _REASON_PSEUDO_FILES

    def _consider_file(
        self,
        entry: os.DirEntry[str],
        name: str,
        rel: str,
        display: str,
        git_rel: str,
        ignores: tuple[_IgnoreLevel, ...],
        real: str,
        info: os.stat_result | None,
        not_followed: str | None,
    ) -> None:
        """A regular file, or a link to one; ``real`` is where it is read from."""
        if not_followed is not None:  # listed whatever its name: a link out of the tree is worth knowing about
            if not self._filtered(rel, git_rel, ignores):
                self._skip(display, not_followed)
            return
        lower = name.lower()
        kind = self._kind_of(lower)  # once: this runs for every file of the tree
        # An executable script without an extension (`bin/serve` starting with `#!/usr/bin/env node`) is code.
        script = "." not in lower and kind in (None, FileKind.TEXT) and FileKind.JAVASCRIPT in self.kinds
        if kind is None and not script and not self._is_declaration_candidate(lower):
            return
        if self.include is not None and not self.include.match_file(rel):
            return
        if self.exclude is not None and self.exclude.match_file(rel):
            self._skip(display, _REASON_EXCLUDED)
            return
        if _is_ignored(ignores, git_rel):
            self._skip(display, _REASON_GITIGNORE)
            return
        if kind is None and not script:
            self._skip(display, _REASON_DECLARATIONS)
            return
        if entry.path in self.seen_files:
            return
        try:
            info = info or entry.stat(follow_symlinks=False)
        except OSError as exc:
            self._skip(display, f"unreadable: {_os_reason(exc)}")
            return
        if script:
            kind = FileKind.JAVASCRIPT if _is_node_script(real, info) else kind
        if kind is None:
            return
        self.seen_files.add(entry.path)
        self._check_content(real, lower, display, kind, info)

    def _check_content(self, path: str, lower_name: str, display: str, kind: FileKind, info: os.stat_result) -> None:
        """The checks every candidate goes through, file argument or found by the walk.

        ``path`` is absolute.
        """
        if kind.is_code and lower_name.endswith(_MINIFIED_SUFFIXES):
            self._minified(path, display, info)
            return
        if not stat.S_ISREG(info.st_mode):
            self._skip(display, _not_regular_reason(info.st_mode))
            return
        limit = LOCKFILE_MAX_SIZE if kind is FileKind.LOCKFILE else self.max_file_size
        if info.st_size > limit:
            if kind is not FileKind.TEXT:
                self._skip(display, _too_large(info.st_size, limit))
            return
        if kind not in self.content_checked_later:
            try:
                # the minified check needs all of a code file; the binary check only its start
                data = as_utf8(read_regular_file(path, limit=None if kind.is_code else BINARY_SAMPLE_SIZE))
            except OSError as exc:
                self._skip(display, f"unreadable: {_os_reason(exc)}")
                return
            skip = content_skip(kind, data)
            if skip is not None:
                if skip.text_still_read:
                    self._minified(path, display, info)
                elif skip.reported:
                    self._skip(display, skip.reason)
                return
        self.files.setdefault(display, SourceFile(Path(path), display, kind, info.st_size))

    def _minified(self, path: str, display: str, info: os.stat_result) -> None:
        """Minified code is not analysed, but a token or a key written on one long line is still a secret."""
        if FileKind.TEXT in self.kinds and info.st_size <= self.max_file_size and stat.S_ISREG(info.st_mode):
            self.files.setdefault(display, SourceFile(Path(path), display, FileKind.TEXT, info.st_size))
            self._skip(display, MINIFIED_TEXT_ONLY)
        else:
            self._skip(display, _REASON_MINIFIED)

    def _kind_of(self, lower_name: str) -> FileKind | None:
        """The kind a file is read as by the active scanners, or None when none reads it."""
        kind = FileKind.from_path(lower_name)
        if kind is not None and kind in self.kinds:
            return kind
        if FileKind.TEXT in self.kinds and not lower_name.endswith(_DECLARATION_SUFFIXES):
            return FileKind.TEXT
        return None

    def _is_declaration_candidate(self, lower_name: str) -> bool:
        """True for declaration files when code is scanned: not read, but reported as skipped."""
        return bool(self.kinds & CODE_KINDS) and lower_name.endswith(_DECLARATION_SUFFIXES)

    def _skip(self, display: str, reason: str) -> None:
        self.skipped.setdefault(display, Skipped(display, reason))

    # -- ignore files -------------------------------------------------------------------------

    def _root_ignores(self, root: str) -> tuple[str, tuple[_IgnoreLevel, ...]]:
        """Where the scan root sits in its repository, and the rules that apply from above it.

        The scan root's own ``.gitignore`` is not included: the walk loads it like any other.
        When the ancestors' rules ignore the scan root itself they are dropped, since the user
        asked for that directory explicitly.
        """
        absolute = os.path.abspath(root)
        repository = _find_repository(absolute)
        if repository is None:
            return "", ()
        levels = list(_info_exclude_levels(repository))
        git_rel = os.path.relpath(absolute, repository).replace(os.sep, "/")
        if git_rel == ".":
            return "", tuple(levels)
        directory, prefix = repository, ""
        for part in git_rel.split("/"):
            spec = _load_ignore_file(os.path.join(directory, ".gitignore"))
            if spec is not None:
                levels.append(_IgnoreLevel(prefix, spec))
            directory = os.path.join(directory, part)
            prefix = f"{prefix}{part}/"
        if _is_ignored(tuple(levels), git_rel + "/"):
            return git_rel, ()
        return git_rel, tuple(levels)


def _find_repository(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` that holds a ``.git``."""
    current = directory
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _info_exclude_levels(repository: str) -> tuple[_IgnoreLevel, ...]:
    spec = _load_ignore_file(os.path.join(repository, ".git", "info", "exclude"))
    return () if spec is None else (_IgnoreLevel("", spec),)


def _load_ignore_file(path: str) -> GitIgnoreSpec | None:
    """The patterns of an ignore file, or None when it is missing, unreadable or empty."""
    try:
        text = read_regular_file(path, limit=AUXILIARY_MAX_SIZE).decode("utf-8", errors="replace")
    except OSError:
        return None
    return _compile_patterns(text.splitlines(), [])


def _compile_user_patterns(patterns: Sequence[str], option: str, errors: list[str]) -> GitIgnoreSpec | None:
    bad: list[str] = []
    spec = _compile_patterns(patterns, bad)
    errors.extend(f"invalid {option} pattern: {pattern}" for pattern in bad)
    return spec


def pattern_problem(pattern: str) -> str | None:
    """Why the gitignore-style ``pattern`` cannot be used (``[z-a]``: a bad character range), or None."""
    try:
        GitIgnoreSpec.from_lines([pattern])
    except (ValueError, re.error) as error:  # pathspec lets the regular expression's own error through
        return str(error)
    return None


def valid_patterns_spec(patterns: Iterable[str]) -> GitIgnoreSpec | None:
    """A spec for the valid ones of ``patterns`` (discovery reports the others), None when none is left."""
    return _compile_patterns(patterns, [])


def _compile_patterns(lines: Iterable[str], bad: list[str]) -> GitIgnoreSpec | None:
    """A spec for ``lines``, leaving out (and collecting in ``bad``) the ones that are invalid."""
    lines = list(lines)
    try:
        spec = GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):
        good = []
        for line in lines:
            if pattern_problem(line) is None:
                good.append(line)
            else:
                bad.append(line)
        spec = GitIgnoreSpec.from_lines(good)
    return spec if any(pattern.include is not None for pattern in spec.patterns) else None


def _is_ignored(ignores: tuple[_IgnoreLevel, ...], git_rel: str) -> bool:
    """Whether git ignores ``git_rel`` (a directory ends with "/"): the deepest deciding file wins."""
    for level in reversed(ignores):
        if git_rel.startswith(level.prefix):
            decision = level.spec.check_file(git_rel[len(level.prefix) :]).include
            if decision is not None:
                return bool(decision)
    return False


# -- build output -------------------------------------------------------------------------------


def _build_output_reasons(directory: str, entries: Sequence[os.DirEntry[str]]) -> dict[str, str]:
    """Which build directories among ``entries`` are generated from sources beside them."""
    by_name = {entry.name: entry for entry in entries}
    reason: str | None = None
    for source in _SOURCE_DIR_NAMES:
        entry = by_name.get(source)
        if entry is not None and _safe_is_dir(entry):
            reason = f"build output ({source}/ beside it)"
            break
    reasons: dict[str, str] = {}
    if reason is not None:
        reasons = {name: reason for name in _BUILD_DIR_NAMES}
    for name in sorted(by_name):
        if name.startswith("tsconfig") and name.endswith(".json"):
            out_dir = _tsconfig_out_dir(os.path.join(directory, name))
            if out_dir in _BUILD_DIR_NAMES:
                reasons.setdefault(out_dir, f"build output (outDir of {name})")
    return reasons


def _safe_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _tsconfig_out_dir(path: str) -> str | None:
    """The first component of ``compilerOptions.outDir`` in a tsconfig file, if it has one."""
    try:
        text = read_regular_file(path, limit=1024 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return None
    try:
        data = load_json(_TRAILING_COMMA.sub(r"\1", _strip_json_comments(text)))
    except DataFileError:
        return None
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    out_dir = options.get("outDir") if isinstance(options, dict) else None
    if not isinstance(out_dir, str) or not out_dir.strip():
        return None
    first = posixpath.normpath(out_dir.strip().replace("\\", "/")).split("/")[0]
    return first if first not in ("", ".", "..") else None


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _strip_json_comments(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments (tsconfig files allow them), strings intact."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        char = text[i]
        if in_string:
            if char == "\\":
                out.append(text[i : i + 2])
                i += 2
                continue
            if char == '"':
                in_string = False
            out.append(char)
            i += 1
        elif char == '"':
            in_string = True
            out.append(char)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(char)
            i += 1
    return "".join(out)


# -- small helpers ------------------------------------------------------------------------------

def _is_inside(real: str, root: str) -> bool:
    """Whether the real path ``real`` is ``root`` (a real path) or under it."""
    return real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep)


def _is_pseudo_file(real: str) -> bool:
    return any(real == top or real.startswith(top + "/") for top in _PSEUDO_FILE_SYSTEMS)


def _readable_name(name: str) -> str:
    """``name`` as reports show it: bytes that are not UTF-8 as ``\\xff`` (a str that can be written)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def _join(prefix: str, rel: str) -> str:
    if not prefix:
        return rel or "."
    if not rel:
        return prefix
    return prefix.rstrip("/") + "/" + rel


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _format_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _too_large(size: int, limit: int) -> str:
    shown, shown_limit = _format_size(size), _format_size(limit)
    if shown == shown_limit:
        shown, shown_limit = f"{size} bytes", f"{limit} bytes"
    return f"too large ({shown} > {shown_limit})"
