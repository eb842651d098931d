"""YAML lockfiles (pnpm, yarn Berry) through PyYAML's C loader when it is there."""

from __future__ import annotations

from typing import Any

import yaml

from nodeward.deps.model import LockfileError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(display_path: str, text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f":{mark.line + 1}"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise LockfileError(f"{display_path}{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise LockfileError(f"{display_path}: expected a YAML mapping at the top level")
    return data
