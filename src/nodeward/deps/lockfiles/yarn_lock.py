"""``yarn.lock``: classic (yarn 1, its own indented format) and Berry (yarn 2+, a YAML document with
``__metadata``).

Entries are keyed by descriptors (``name@range``, several per entry); a dependency ``ms "0.6.2"`` of an
entry points at the entry whose descriptors include ``ms@0.6.2``. Neither format records which
dependencies are the project's own, so those come from the package.json beside the lockfile.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nodeward.deps.lockfiles.common import as_dict, manifest_roots
from nodeward.deps.model import InstalledPackage, LineFinder, Lockfile, LockfileError, Node, resolve_graph

_BERRY_MARKER = re.compile(r"^__metadata:\s*$", re.MULTILINE)


def parse(display_path: str, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    if _BERRY_MARKER.search(text):
        return _parse_berry(display_path, text, manifest)
    return Lockfile(display_path, "yarn.lock v1", _parse_classic(display_path, text, manifest))


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """``@scope/name@^1.0.0`` -> (``@scope/name``, ``^1.0.0``)."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


# -- classic ------------------------------------------------------------------------------------


def _unquote(display_path: str, number: int, value: str) -> str:
    value = value.strip()
    if value.startswith('"'):
        try:
            result = json.loads(value)
        except ValueError:
            raise LockfileError(f"{display_path}:{number}: unterminated string {value!r}") from None
        return str(result)
    return value


def _split_keys(display_path: str, number: int, header: str) -> list[str]:
    keys = []
    for part in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', header):
        part = part.strip()
        if part:
            keys.append(_unquote(display_path, number, part))
    return keys


def _split_field(display_path: str, number: int, body: str) -> tuple[str, str | None]:
    """``key value`` or ``key:`` (a nested map follows) -> (key, value or None)."""
    if body.startswith('"'):
        match = re.match(r'"(?:[^"\\]|\\.)*"', body)
        if match is None:
            raise LockfileError(f"{display_path}:{number}: unterminated string")
        key = _unquote(display_path, number, match.group(0))
        rest = body[match.end() :]
    else:
        match = re.match(r"[^\s:]+", body)
        if match is None:
            raise LockfileError(f"{display_path}:{number}: cannot read {body!r}")
        key, rest = match.group(0), body[match.end() :]
    if rest.rstrip() == ":":
        return key, None
    if rest.startswith(":"):
        rest = rest[1:]
    if not rest.strip():
        raise LockfileError(f"{display_path}:{number}: {key!r} has no value")
    return key, _unquote(display_path, number, rest)


def parse_classic_entries(display_path: str, text: str) -> list[tuple[list[str], int, dict[str, Any]]]:
    """The entries of a classic yarn.lock: (descriptors, line, fields); nested maps are dicts."""
    entries: list[tuple[list[str], int, dict[str, Any]]] = []
    current: dict[str, Any] | None = None
    nested: dict[str, Any] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            if not stripped.endswith(":"):
                raise LockfileError(f"{display_path}:{number}: expected an entry such as `name@range:`")
            current, nested = {}, None
            entries.append((_split_keys(display_path, number, stripped[:-1]), number, current))
        elif current is None:
            raise LockfileError(f"{display_path}:{number}: indented line outside an entry")
        elif indent == 2:
            key, value = _split_field(display_path, number, stripped)
            if value is None:
                nested = current[key] = {}
            else:
                nested = None
                current[key] = value
        elif indent == 4 and nested is not None:
            key, value = _split_field(display_path, number, stripped)
            nested[key] = value if value is not None else ""
        else:
            raise LockfileError(f"{display_path}:{number}: unexpected indentation")
    return entries


def _parse_classic(display_path: str, text: str, manifest: dict[str, Any] | None) -> list[InstalledPackage]:
    if "yarn lockfile v1" not in text[:500] and not re.search(r"^\S.*:\s*$", text, re.MULTILINE):
        raise LockfileError(f"{display_path}: neither a yarn classic (v1) nor a Berry lockfile")
    entries = parse_classic_entries(display_path, text)
    nodes: dict[str, Node] = {}
    by_descriptor: dict[str, str] = {}
    deps_of: dict[str, list[str]] = {}
    for descriptors, line, fields in entries:
        version = fields.get("version")
        if not isinstance(version, str):
            raise LockfileError(f"{display_path}:{line}: entry {descriptors[0]!r} has no version")
        name, spec = split_descriptor(descriptors[0])
        if spec.startswith("npm:"):  # an alias: "alias@npm:real-name@^1"
            name = split_descriptor(spec[4:])[0]
        key = f"{name}@{version}#{line}"
        nodes[key] = Node(
            name=name,
            version=version,
            line=line,
            # A local folder (`file:`, `link:`) has no `resolved` field: its spec says where it comes from.
            resolved=str(fields.get("resolved") or (spec if spec.startswith(("file:", "link:")) else "")),
            integrity=str(fields.get("integrity", "")),
        )
        for descriptor in descriptors:
            by_descriptor[descriptor] = key
        deps_of[key] = [
            f"{dep}@{spec}"
            for section in ("dependencies", "optionalDependencies")
            for dep, spec in as_dict(fields.get(section)).items()
        ]
    for key, descriptors_needed in deps_of.items():
        nodes[key].edges.extend(by_descriptor[d] for d in descriptors_needed if d in by_descriptor)
    return resolve_graph(nodes, _roots(nodes, by_descriptor, manifest))


def _roots(
    nodes: dict[str, Node], by_descriptor: dict[str, str], manifest: dict[str, Any] | None
) -> list[tuple[str, bool]]:
    declared = manifest_roots(manifest)
    roots = []
    for name, spec, dev in declared:
        for candidate in (f"{name}@{spec}", f"{name}@npm:{spec}"):
            if candidate in by_descriptor:
                roots.append((by_descriptor[candidate], dev))
                break
    if not declared:
        required = {target for node in nodes.values() for target in node.edges}
        roots = [(key, False) for key in nodes if key not in required]
    return roots


# -- berry --------------------------------------------------------------------------------------


def _strip_virtual(resolution: str) -> str:
    """``foo@virtual:abc#npm:1.0.0`` -> ``foo@npm:1.0.0`` (peer-dependency copies are one package)."""
    match = re.match(r"^(@?[^@]+)@virtual:[^#]+#(.*)$", resolution)
    return f"{match.group(1)}@{match.group(2)}" if match else resolution


def _parse_berry(display_path: str, text: str, manifest: dict[str, Any] | None) -> Lockfile:
    from nodeward.deps.lockfiles.yaml_load import load_yaml_mapping

    data = load_yaml_mapping(display_path, text)
    metadata = as_dict(data.get("__metadata"))
    version = metadata.get("version")
    if not isinstance(version, (int, str)) or not str(version).isdigit() or not 3 <= int(version) <= 10:
        raise LockfileError(f"{display_path}: unknown yarn Berry lockfile __metadata.version {version!r}")
    lines = LineFinder(text)
    nodes: dict[str, Node] = {}
    by_descriptor: dict[str, str] = {}
    deps_of: dict[str, list[str]] = {}
    workspaces: list[str] = []
    for header, raw in data.items():
        if header == "__metadata":
            continue
        entry = as_dict(raw)
        descriptors = [d.strip() for d in str(header).split(",") if d.strip()]
        resolution = entry.get("resolution")
        entry_version = entry.get("version")
        if not isinstance(resolution, str) or entry_version is None:
            raise LockfileError(f"{display_path}: entry {header!r} has no resolution or version")
        key = _strip_virtual(resolution)
        name = split_descriptor(key)[0]
        for descriptor in descriptors:
            by_descriptor[descriptor] = key
        deps = [f"{dep}@{spec}" for dep, spec in as_dict(entry.get("dependencies")).items()]
        deps += [f"{dep}@{spec}" for dep, spec in as_dict(entry.get("optionalDependencies")).items()]
        if "@workspace:" in key:
            workspaces.append(key)
            deps_of.setdefault(key, []).extend(deps)
            continue
        if key in nodes:
            deps_of[key].extend(deps)
            continue
        protocol = split_descriptor(key)[1]
        nodes[key] = Node(
            name=name,
            version=str(entry_version),
            line=lines.line_of(f'"{descriptors[0]}') or lines.line_of(descriptors[0]),
            resolved=protocol if not protocol.startswith("npm:") else "",
            integrity=str(entry.get("checksum", "")),
        )
        deps_of[key] = deps
    for key, needed in deps_of.items():
        if key in nodes:
            nodes[key].edges.extend(
                _strip_virtual(by_descriptor[d]) for d in needed if d in by_descriptor
            )
    declared = manifest_roots(manifest)
    roots: list[tuple[str, bool]] = []
    if declared:
        for dep, spec, dev in declared:
            for candidate in (f"{dep}@{spec}", f"{dep}@npm:{spec}"):
                if candidate in by_descriptor:
                    roots.append((_strip_virtual(by_descriptor[candidate]), dev))
                    break
    for workspace in workspaces:  # other workspaces' dependencies (the root's come from package.json)
        if declared and workspace.endswith("@workspace:."):
            continue
        roots.extend(
            (_strip_virtual(by_descriptor[d]), False) for d in deps_of.get(workspace, []) if d in by_descriptor
        )
    return Lockfile(display_path, f"yarn.lock Berry v{version}", resolve_graph(nodes, roots))
