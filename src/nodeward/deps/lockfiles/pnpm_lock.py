"""``pnpm-lock.yaml`` in its three layouts.

- 5.x (pnpm 6-7): importers list ``name: version``; package keys are ``/name/version[_peers]``.
- 6.x (pnpm 8): importers list ``name: {specifier, version}``; keys are ``/name@version[(peers)]``.
- 9.x (pnpm 9-10): keys are ``name@version``; ``packages`` holds metadata and ``snapshots`` the
  dependency edges; no ``dev`` flags (they are computed from the importers).
A single-project lockfile keeps its importer's dependencies at the top level; a workspace has
``importers`` keyed by folder.
"""

from __future__ import annotations

import re
from typing import Any

from nodeward.deps.lockfiles.common import as_dict
from nodeward.deps.lockfiles.yaml_load import load_yaml_mapping
from nodeward.deps.model import LineFinder, Lockfile, LockfileError, Node, resolve_graph

_PEER_SUFFIX = re.compile(r"\(.*\)$")


def parse(display_path: str, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    data = load_yaml_mapping(display_path, text)
    raw_version = data.get("lockfileVersion")
    try:
        major = int(float(str(raw_version)))
    except ValueError:
        major = -1
    if major not in (5, 6, 7, 9):
        raise LockfileError(f"{display_path}: unknown pnpm lockfileVersion {raw_version!r} (nodeward reads 5, 6, 9)")
    layout = 6 if major == 7 else major
    packages = as_dict(data.get("packages"))
    snapshots = as_dict(data.get("snapshots")) if layout == 9 else packages
    lines = LineFinder(text)
    nodes: dict[str, Node] = {}
    for key, raw in snapshots.items():
        entry = as_dict(raw)
        base_key = _strip_peers(str(key), layout)
        meta = as_dict(packages.get(base_key)) if layout == 9 else entry
        name, version = _name_version(str(key), layout)
        name = str(meta.get("name") or name)
        version = str(meta.get("version") or version)
        if not name or not version:
            raise LockfileError(f"{display_path}: cannot read package key {key!r}")
        resolution = as_dict(meta.get("resolution"))
        local = f"file:{resolution['directory']}" if resolution.get("directory") else ""  # a folder, not a tarball
        resolved = str(resolution.get("tarball") or resolution.get("repo") or local)
        line_key = base_key if layout == 9 else str(key)
        nodes[str(key)] = Node(
            name=name,
            version=version,
            line=_line_of_key(lines, line_key),
            resolved=resolved,
            integrity=str(resolution.get("integrity", "")),
            install_script=bool(meta.get("requiresBuild")),
            optional=bool(entry.get("optional")),
            dev=entry.get("dev") if isinstance(entry.get("dev"), bool) else None,
        )
        if nodes[str(key)].line is not None:
            nodes[str(key)].line = (nodes[str(key)].line or 0) + 1  # the match starts at the newline before
        for section in ("dependencies", "optionalDependencies"):
            for dep, ref in as_dict(entry.get(section)).items():
                target = _dep_key(str(dep), str(ref), layout)
                if target is not None:
                    nodes[str(key)].edges.append(target)
    importers = as_dict(data.get("importers")) or {".": data}
    roots: list[tuple[str, bool]] = []
    for importer in importers.values():
        for section, dev in (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True)):
            for dep, ref in as_dict(as_dict(importer).get(section)).items():
                reference = ref.get("version") if isinstance(ref, dict) else ref
                target = _dep_key(str(dep), str(reference), layout)
                if target is not None:
                    roots.append((target, dev))
    return Lockfile(display_path, f"pnpm-lock.yaml {raw_version}", resolve_graph(nodes, roots))


def _line_of_key(lines: LineFinder, key: str) -> int | None:
    """The line of a package key, which YAML writes in quotes when it starts with @ (scoped) or holds (."""
    plain, quoted = f"\n  {key}:", f"\n  '{key}':"
    first, second = (quoted, plain) if key.startswith("@") or "(" in key else (plain, quoted)
    return lines.line_of(first) or lines.line_of(second)


def _strip_peers(key: str, layout: int) -> str:
    if layout == 5:
        slash = key.rfind("/")
        underscore = key.find("_", slash)
        return key if underscore < 0 else key[:underscore]
    return _PEER_SUFFIX.sub("", key) if key.endswith(")") else key


def _name_version(key: str, layout: int) -> tuple[str, str]:
    bare = _strip_peers(key, layout).lstrip("/")
    if layout == 5:
        # "/@scope/name/1.2.3" or "registry.example.com/name/1.2.3"
        name, _, version = bare.rpartition("/")
        return name, version
    at = bare.find("@", 1)
    return (bare, "") if at < 0 else (bare[:at], bare[at + 1 :])


def _dep_key(dep: str, ref: str, layout: int) -> str | None:
    """The snapshot key a dependency reference points at; None for links to local folders."""
    if ref.startswith(("link:", "file:")) and layout != 9:
        return None
    if ref.startswith("link:"):
        return None
    if layout == 5:
        return ref if ref.startswith("/") else f"/{dep}/{ref}"
    if layout == 6:
        return ref if ref.startswith("/") else f"/{dep}@{ref}"
    # 9: "1.2.3", "1.2.3(peer@1)", or an alias "real-name@1.2.3"
    if ref[:1].isdigit():
        return f"{dep}@{ref}"
    return ref if "@" in ref[1:] else f"{dep}@{ref}"
