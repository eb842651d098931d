"""``bun.lock``, Bun's text lockfile (Bun 1.1.39+; lockfileVersion 0, 1 and 2).

JSON with trailing commas. ``packages`` is keyed by install path written with ``/`` between package
names (``debug/ms`` is the ``ms`` nested under ``debug``); each value is an array whose first item is
``name@version`` (or ``name@github:...``, ``name@workspace:...``), followed for registry packages by the
registry URL (empty: the default), an info object (dependencies, ``hasInstallScript``...) and the
integrity hash. ``workspaces`` holds each workspace's declared dependencies.
"""

from __future__ import annotations

import re
from typing import Any

from nodeward.deps.lockfiles.common import as_dict, load_json_object
from nodeward.deps.model import LineFinder, Lockfile, LockfileError, Node, resolve_graph

_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:[^"\\]|\\.)*"|,(\s*[}\]])')
KNOWN_VERSIONS = (0, 1, 2)


def _strip_trailing_commas(text: str) -> str:
    return _STRING_OR_TRAILING_COMMA.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(0), text)


def _segments(key: str) -> list[str]:
    """``@a/b/c/@d/e`` -> [``@a/b``, ``c``, ``@d/e``]."""
    parts = key.split("/")
    names: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("@") and i + 1 < len(parts):
            names.append(f"{parts[i]}/{parts[i + 1]}")
            i += 2
        else:
            names.append(parts[i])
            i += 1
    return names


def _resolve(key: str, dep: str, known: dict[str, Node]) -> str | None:
    names = _segments(key) if key else []
    while True:
        candidate = "/".join([*names, dep])
        if candidate in known:
            return candidate
        if not names:
            return None
        names.pop()


def parse(display_path: str, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    data = load_json_object(display_path, _strip_trailing_commas(text))
    version = data.get("lockfileVersion")
    if version not in KNOWN_VERSIONS:
        raise LockfileError(f"{display_path}: unknown bun.lock lockfileVersion {version!r} (nodeward reads 0-2)")
    lines = LineFinder(text)
    nodes: dict[str, Node] = {}
    deps_of: dict[str, dict[str, Any]] = {}
    workspace_keys: dict[str, str] = {}  # workspace folder -> its package key
    for key, raw in as_dict(data.get("packages")).items():
        if not isinstance(raw, list) or not raw or not isinstance(raw[0], str):
            raise LockfileError(f"{display_path}: package {key!r} is not an array starting with name@version")
        ident = raw[0]
        at = ident.find("@", 1)
        if at < 0:
            raise LockfileError(f"{display_path}: package {key!r} has no version in {ident!r}")
        name, spec = ident[:at], ident[at + 1 :]
        if spec.startswith("workspace:"):
            workspace_keys[spec[len("workspace:") :]] = key
            continue
        info = next((item for item in raw[1:] if isinstance(item, dict)), {})
        strings = [item for item in raw[1:] if isinstance(item, str)]
        is_registry = len(raw) >= 4 and isinstance(raw[1], str) and isinstance(raw[2], dict)
        registry = raw[1] if is_registry else ""
        integrity = strings[-1] if is_registry and strings and strings[-1].startswith("sha") else ""
        nodes[key] = Node(
            name=name,
            version=spec,
            line=lines.line_of(f'"{key}": ['),
            resolved=(registry if is_registry else spec),
            integrity=integrity,
            install_script=bool(info.get("hasInstallScript")),
            optional=bool(info.get("optional")),
        )
        deps_of[key] = {
            **as_dict(info.get("dependencies")),
            **as_dict(info.get("optionalDependencies")),
        }
    for key, deps in deps_of.items():
        for dep in deps:
            target = _resolve(key, dep, nodes)
            if target is not None:
                nodes[key].edges.append(target)
    roots: list[tuple[str, bool]] = []
    for folder, raw in as_dict(data.get("workspaces")).items():
        workspace = as_dict(raw)
        base = workspace_keys.get(folder, "") if folder else ""
        for section, dev in (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True)):
            for dep in as_dict(workspace.get(section)):
                target = _resolve(base, dep, nodes)
                if target is not None:
                    roots.append((target, dev))
    return Lockfile(display_path, f"bun.lock v{version}", resolve_graph(nodes, roots))
