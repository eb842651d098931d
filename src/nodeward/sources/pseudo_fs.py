"""Whether a directory is on a file system whose files are the kernel's state, not data: procfs, sysfs and
their kin, mounted anywhere (a container's or a chroot's `proc` inside the scanned tree).

Reading them reads the machine (the environment of every process, kernel memory) or acts on it, so they are
never opened, wherever they are mounted. Paths under /proc, /sys and /dev are recognised by name elsewhere;
this finds such a file system by its type, which the kernel tells through statfs(2) (Linux only: elsewhere
the answer is False).
"""

from __future__ import annotations

import ctypes
import os
import sys

#: The `f_type` of statfs(2) of pseudo file systems (from the kernel's linux/magic.h).
_PSEUDO_FILE_SYSTEM_TYPES = {
    0x9FA0: "procfs",
    0x62656572: "sysfs",
    0x64626720: "debugfs",
    0x74726163: "tracefs",
    0x73636673: "securityfs",
    0x0027E0EB: "cgroup",
    0x63677270: "cgroup2",
    0x1CD1: "devpts",
    0xCAFE4A11: "bpf",
    0x62656570: "configfs",
    0xDE5E81E4: "efivarfs",
    0x6165676C: "pstore",
    0x42494E4D: "binfmt_misc",
    0x65735543: "fusectl",
}
_STATFS_SIZE = 512  # more than struct statfs takes on any Linux architecture


def _load_statfs() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).statfs
    except (OSError, AttributeError):
        return None


_STATFS = _load_statfs()


def pseudo_file_system(path: str) -> str | None:
    """The name of the pseudo file system ``path`` is on (`procfs`, `sysfs`...), or None."""
    if _STATFS is None:
        return None
    buffer = ctypes.create_string_buffer(_STATFS_SIZE)
    if _STATFS(os.fsencode(path), buffer) != 0:  # type: ignore[operator]
        return None
    # f_type is the first field of struct statfs, a C long
    return _PSEUDO_FILE_SYSTEM_TYPES.get(ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF)
