"""What the lockfile parsers produce: the packages a project installs, one format-independent shape."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class LockfileError(Exception):
    """A lockfile that cannot be read; the message names the file and says what is wrong."""


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    """One package a lockfile installs.

    ``path`` is the chain of package names from a direct dependency of the project down to this
    package (``("debug", "ms")``); a direct dependency's path is its own name alone.
    """

    name: str
    version: str
    direct: bool
    dev: bool
    path: tuple[str, ...]
    line: int | None = None  # 1-based line of the package's entry in the lockfile
    resolved: str = ""  # where it was downloaded from (registry tarball, git URL, ...)
    integrity: str = ""
    install_script: bool = False
    optional: bool = False
    #: Shipped inside its parent's tarball (`bundleDependencies`), so the lockfile cannot record its own hash.
    bundled: bool = False
    #: From package.json ranges, not a lockfile: the version is the lowest the range allows.
    approximate: bool = False
    #: The range written in package.json, for approximate packages.
    spec: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(slots=True)
class Lockfile:
    """A parsed lockfile: its format and every package it installs."""

    path: str
    format: str  # e.g. "package-lock.json v3", "yarn.lock v1", "pnpm-lock.yaml 9.0", "bun.lock 1"
    packages: list[InstalledPackage] = field(default_factory=list)


@dataclass(slots=True)
class Node:
    """A package in a lockfile's dependency graph, before paths and dev flags are computed."""

    name: str
    version: str
    line: int | None = None
    resolved: str = ""
    integrity: str = ""
    install_script: bool = False
    optional: bool = False
    bundled: bool = False
    dev: bool | None = None  # set when the lockfile says; otherwise computed from the roots
    edges: list[str] = field(default_factory=list)  # keys of the nodes it depends on


def resolve_graph(
    nodes: Mapping[str, Node], roots: Iterable[tuple[str, bool]], *, trust_dev_flags: bool = True
) -> list[InstalledPackage]:
    """Installed packages from a graph: ``roots`` are the direct dependencies as (node key, is dev).

    The dependency path is the shortest chain from a direct dependency, preferring production ones.
    A package is dev-only when a dev dependency reaches it and no production one does (unless the
    lockfile says). Nodes nobody reaches are kept too, as production packages whose path is their own
    name: a lockfile entry is installed whatever the graph says, and an incomplete graph must not hide
    a vulnerability.
    """
    root_list = [(key, dev) for key, dev in roots if key in nodes]
    direct = {key for key, _ in root_list}
    prod_reached = _reach(nodes, [key for key, dev in root_list if not dev])
    dev_reached = _reach(nodes, [key for key, dev in root_list if dev])
    paths: dict[str, tuple[str, ...]] = {}
    # Production roots first, so that paths go through production dependencies where they can.
    ordered = [r for r in root_list if not r[1]] + [r for r in root_list if r[1]]
    queue: deque[str] = deque()
    for key, _ in ordered:
        if key not in paths:
            paths[key] = (nodes[key].name,)
            queue.append(key)
    while queue:
        key = queue.popleft()
        for child in nodes[key].edges:
            if child in nodes and child not in paths:
                paths[child] = (*paths[key], nodes[child].name)
                queue.append(child)
    packages = []
    for key, node in nodes.items():
        trusted = node.dev is not None and trust_dev_flags
        dev = bool(node.dev) if trusted else key in dev_reached and key not in prod_reached
        packages.append(
            InstalledPackage(
                name=node.name,
                version=node.version,
                direct=key in direct,
                dev=dev,
                path=paths.get(key, (node.name,)),
                line=node.line,
                resolved=node.resolved,
                integrity=node.integrity,
                install_script=node.install_script,
                optional=node.optional,
                bundled=node.bundled,
            )
        )
    return packages


def _reach(nodes: Mapping[str, Node], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = [s for s in starts if s in nodes]
    while stack:
        key = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        stack.extend(child for child in nodes[key].edges if child in nodes and child not in seen)
    return seen


class LineFinder:
    """Finds the line of a key in a lockfile's text, searching forward so repeated keys map in order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: list[int] | None = None

    def line_of(self, needle: str, start: int = 0) -> int | None:
        offset = self.text.find(needle, start)
        if offset < 0:
            return None
        return self.line_at(offset)

    def line_at(self, offset: int) -> int:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return bisect.bisect_right(self._line_starts, offset)
