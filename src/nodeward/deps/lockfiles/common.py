"""Helpers shared by the lockfile parsers."""

from __future__ import annotations

from typing import Any

from nodeward.datafiles import DataFileError, load_json
from nodeward.deps.model import LockfileError


def load_json_object(display_path: str, text: str) -> dict[str, Any]:
    try:
        data = load_json(text)
    except DataFileError as error:
        raise LockfileError(f"{display_path}{f':{error.line}' if error.line else ''}: {error}") from None
    if not isinstance(data, dict):
        raise LockfileError(f"{display_path}: expected a JSON object at the top level")
    return data


def manifest_roots(manifest: dict[str, Any] | None) -> list[tuple[str, str, bool]]:
    """The direct dependencies a package.json declares: (name, range, is dev)."""
    if not manifest:
        return []
    roots: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for section, dev in (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True)):
        entries = manifest.get(section)
        if isinstance(entries, dict):
            for name, spec in entries.items():
                if name not in seen and isinstance(spec, str):
                    seen.add(name)
                    roots.append((name, spec, dev))
    return roots


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
