"""Where nodeward keeps its state: one directory per user, outside every scanned tree."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR_ENV = "NODEWARD_CACHE_DIR"


def cache_dir() -> Path:
    """``$NODEWARD_CACHE_DIR``, else the platform's user cache directory for nodeward."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("nodeward", appauthor=False))
