"""``package-lock.json`` and ``npm-shrinkwrap.json``, lockfileVersion 1 (npm 5-6), 2 and 3 (npm 7+).

v2 and v3 describe packages by install location (``node_modules/a/node_modules/b``) under ``packages``;
v1 nests them under ``dependencies``. Either way a dependency of the package at location L is found the
way Node.js finds it: in L's own ``node_modules``, then in each enclosing one.
"""

from __future__ import annotations

from typing import Any

from nodeward.deps.lockfiles.common import as_dict, load_json_object, manifest_roots
from nodeward.deps.model import InstalledPackage, LineFinder, Lockfile, LockfileError, Node, resolve_graph

_DEP_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies")


def parse(display_path: str, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    data = load_json_object(display_path, text)
    version = data.get("lockfileVersion")
    name = display_path.rsplit("/", 1)[-1]
    if version in (2, 3) and isinstance(data.get("packages"), dict):
        return Lockfile(display_path, f"{name} v{version}", _parse_packages(display_path, data, text))
    if version == 1 or (version is None and isinstance(data.get("dependencies"), dict)):
        return Lockfile(display_path, f"{name} v1", _parse_v1(display_path, data, text, manifest))
    if version in (2, 3):
        raise LockfileError(f"{display_path}: lockfileVersion {version} without a `packages` object")
    raise LockfileError(f"{display_path}: unknown lockfileVersion {version!r} (nodeward reads 1, 2 and 3)")


def _resolve(location: str, dep: str, known: dict[str, Node] | set[str] | dict[str, Any]) -> str | None:
    """The location Node.js would load ``dep`` from when required by the package at ``location``."""
    base = location
    while True:
        candidate = f"{base}/node_modules/{dep}" if base else f"node_modules/{dep}"
        if candidate in known:
            return candidate
        if not base:
            return None
        cut = base.rfind("/node_modules/")
        if cut >= 0:
            base = base[:cut]
        elif base.startswith("node_modules/"):
            base = ""
        else:  # a workspace folder such as packages/a: its deps may be hoisted to the root
            base = ""


def _name_from_location(location: str) -> str:
    return location.rsplit("node_modules/", 1)[-1]


def _parse_packages(display_path: str, data: dict[str, Any], text: str) -> list[InstalledPackage]:
    packages = data["packages"]
    lines = LineFinder(text)
    nodes: dict[str, Node] = {}
    entries: dict[str, dict[str, Any]] = {}
    workspaces: list[str] = [""]
    links: dict[str, str] = {}
    for location, raw in packages.items():
        entry = as_dict(raw)
        if location == "":
            continue
        if "node_modules/" not in location and not location.startswith("node_modules"):
            workspaces.append(location)  # a workspace folder (the source of a linked package)
            continue
        if entry.get("link"):
            links[location] = str(entry.get("resolved", ""))
            continue
        version = entry.get("version")
        if not isinstance(version, str):
            if entry.get("extraneous") or entry.get("inBundle"):
                continue
            raise LockfileError(f"{display_path}: package {location!r} has no version")
        entries[location] = entry
        nodes[location] = Node(
            name=str(entry.get("name") or _name_from_location(location)),
            version=version,
            line=lines.line_of(f'"{location}":'),
            resolved=str(entry.get("resolved", "")),
            integrity=str(entry.get("integrity", "")),
            install_script=bool(entry.get("hasInstallScript")),
            optional=bool(entry.get("optional") or entry.get("devOptional")),
            bundled=bool(entry.get("inBundle")),
            dev=bool(entry.get("dev")) if not entry.get("devOptional") else False,
        )
    for location, entry in entries.items():
        for section in _DEP_SECTIONS:
            for dep in as_dict(entry.get(section)):
                target = _resolve(location, dep, nodes)
                if target is not None:
                    nodes[location].edges.append(target)
    roots: list[tuple[str, bool]] = []
    for workspace in workspaces:
        entry = as_dict(packages.get(workspace))
        for section, dev in (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True)):
            for dep in as_dict(entry.get(section)):
                target = _resolve(workspace, dep, nodes)
                if target is None:
                    link = _resolve(workspace, dep, links)
                    if link is not None:  # a workspace package: its own deps are direct ones
                        continue
                else:
                    roots.append((target, dev))
    return resolve_graph(nodes, roots)


def _parse_v1(
    display_path: str, data: dict[str, Any], text: str, manifest: dict[str, Any] | None
) -> list[InstalledPackage]:
    lines = LineFinder(text)
    nodes: dict[str, Node] = {}
    requires: dict[str, list[str]] = {}

    def walk(parent: str, deps: dict[str, Any]) -> None:
        for dep, raw in deps.items():
            entry = as_dict(raw)
            location = f"{parent}/node_modules/{dep}" if parent else f"node_modules/{dep}"
            version = entry.get("version")
            if not isinstance(version, str):
                raise LockfileError(f"{display_path}: dependency {location!r} has no version")
            line = lines.line_of(f'"{dep}": {{')
            if entry.get("bundled"):
                walk(location, as_dict(entry.get("dependencies")))
                continue
            nodes[location] = Node(
                name=dep,
                version=version,
                line=line,
                resolved=str(entry.get("resolved", "")),
                integrity=str(entry.get("integrity", "")),
                optional=bool(entry.get("optional")),
                dev=bool(entry.get("dev")),
            )
            requires[location] = list(as_dict(entry.get("requires")))
            walk(location, as_dict(entry.get("dependencies")))

    walk("", as_dict(data.get("dependencies")))
    for location, names in requires.items():
        for dep in names:
            target = _resolve(location, dep, nodes)
            if target is not None:
                nodes[location].edges.append(target)
    roots: list[tuple[str, bool]] = []
    declared = manifest_roots(manifest)
    if declared:
        for dep, _spec, dev in declared:
            if f"node_modules/{dep}" in nodes:
                roots.append((f"node_modules/{dep}", dev))
    else:  # v1 does not record the root's own dependencies: top-level entries nobody requires
        required = {target for node in nodes.values() for target in node.edges}
        top_level = [loc for loc in nodes if loc.count("node_modules/") == 1 and loc not in required]
        roots = [(loc, bool(nodes[loc].dev)) for loc in top_level]
    return resolve_graph(nodes, roots)
