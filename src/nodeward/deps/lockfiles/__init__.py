"""Lockfile parsers, one module per format, all producing :class:`nodeward.deps.model.Lockfile`.

Every parser raises :class:`LockfileError` with a message naming the file for input it does not
understand (an unknown ``lockfileVersion`` included): "0 packages" is never the answer to a file that
could not be read.
"""

from __future__ import annotations

import os
from typing import Any

from nodeward.deps.lockfiles import bun_lock, package_lock, pnpm_lock, yarn_lock
from nodeward.deps.model import Lockfile, LockfileError

LOCKFILE_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")


def parse_lockfile(display_path: str, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    """Parse the lockfile at ``display_path`` (chosen by file name); ``manifest`` is the package.json
    beside it, when there is one (some formats do not record which dependencies are direct or dev)."""
    name = os.path.basename(display_path).lower()
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return package_lock.parse(display_path, text, manifest)
    if name == "yarn.lock":
        return yarn_lock.parse(display_path, text, manifest)
    if name == "pnpm-lock.yaml":
        return pnpm_lock.parse(display_path, text, manifest)
    if name == "bun.lock":
        return bun_lock.parse(display_path, text, manifest)
    raise LockfileError(f"{display_path}: not a lockfile nodeward knows ({', '.join(LOCKFILE_NAMES)})")
