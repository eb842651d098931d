"""YAML lockfiles (pnpm, yarn Berry), read through nodeward's data-file reader."""

from __future__ import annotations

from typing import Any

from nodeward.datafiles import DataFileError, load_yaml
from nodeward.deps.model import LockfileError


def load_yaml_mapping(display_path: str, text: str) -> dict[str, Any]:
    try:
        data = load_yaml(text)
    except DataFileError as error:
        where = f":{error.line}" if error.line is not None else ""
        raise LockfileError(f"{display_path}{where}: {error}") from None
    if not isinstance(data, dict):
        raise LockfileError(f"{display_path}: expected a YAML mapping at the top level")
    return data
