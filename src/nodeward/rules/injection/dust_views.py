"""Which data a Dust view hands to JavaScript: dustjs-helpers' `{@if cond="..."}` runs its condition
through `eval`, after Dust has put the view's data into it (`{@if cond="'{device}' == 'Desktop'"}`).

A view named by `res.render("about.dust", data)` is looked for the way apps lay views out: a `views`
folder (or the name as a path) in the file's folder or one above it, never outside the scanned directory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from nodeward.sources.discover import read_regular_file

#: How many folders up from the file that renders it a view is looked for.
MAX_PARENTS = 4
#: A view larger than this is not read (views are small; this keeps a hostile tree cheap).
MAX_VIEW_SIZE = 1024 * 1024
_IF_TAG = re.compile(r'\{@if\b((?:"[^"]*"|[^}"])*)\}')
_CONDITION = re.compile(r'\bcond\s*=\s*"([^"]*)"')
_REFERENCE = re.compile(r"\{([A-Za-z_$][\w$]*)")


def evaluated_names(view: str, file_path: Path | None, scan_root: Path | None) -> frozenset[str]:
    """The top-level data names that the Dust view ``view`` puts into an `@if` condition; empty when the
    view is not found inside ``scan_root``."""
    if file_path is None or scan_root is None or not view.endswith(".dust") or ".." in Path(view).parts:
        return frozenset()
    root = scan_root.resolve()
    current = file_path.parent.resolve()
    for _ in range(MAX_PARENTS):
        if current != root and root not in current.parents:
            break
        for candidate in (current / "views" / view, current / view):
            if candidate.is_file():
                return _names_in(str(candidate))
        if current == root:
            break
        current = current.parent
    return frozenset()


@lru_cache(maxsize=256)
def _names_in(path: str) -> frozenset[str]:
    try:
        text = read_regular_file(path, limit=MAX_VIEW_SIZE).decode("utf-8", "replace")
    except OSError:
        return frozenset()
    names: set[str] = set()
    for tag in _IF_TAG.finditer(text):
        for condition in _CONDITION.finditer(tag.group(1)):
            names.update(_REFERENCE.findall(condition.group(1)))
    return frozenset(names)
