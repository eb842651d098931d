"""Writing a report to ``--output``: checked before the scan, written whole or not at all.

The report goes to a temporary file beside the target, which then replaces the target in one rename: a
scan that is interrupted, killed or fails while rendering leaves the previous report (or none), never a
truncated one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


class OutputError(Exception):
    """The report cannot be written where the user asked; the message says why."""


def _temporary_in(directory: Path, name: str) -> tuple[int, str]:
    return tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")


def check_writable(target: Path) -> None:
    """Raise :class:`OutputError` unless a report can be written to ``target``.

    Tried for real (a temporary file is created beside it and removed), because permissions alone do not
    tell: a read-only file system, a full quota or running as root all change the answer.
    """
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory")
    if _is_special(target):
        if not os.access(target, os.W_OK):
            raise OutputError(f"cannot write {target}: permission denied")
        return
    directory = target.parent
    try:
        descriptor, temporary = _temporary_in(directory, target.name)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write {target}: cannot create files in {directory}: {reason}") from error
    os.close(descriptor)
    os.unlink(temporary)


@contextlib.contextmanager
def atomic_report(target: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces ``target`` when the block ends without an exception.

    A target that exists and is not a regular file (``/dev/null``, a FIFO, a terminal) is written to
    directly: a rename would put a plain file in its place (as root, even in ``/dev``).
    """
    if _is_special(target):
        with open(target, "w", encoding="utf-8") as direct:
            yield direct
        return
    descriptor, temporary = _temporary_in(target.parent, target.name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            yield stream
            stream.flush()
            os.fchmod(stream.fileno(), _mode_for(target))
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _is_special(target: Path) -> bool:
    """Whether ``target`` exists as something else than a regular file or a directory (device, FIFO, socket)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _mode_for(target: Path) -> int:
    """The permissions the report gets: the replaced file's, or what a plain ``open`` would have given."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
