"""What the lockfile parsers produce: the packages a project installs, one format-independent shape."""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class LockfileError(Exception):
    """A lockfile that cannot be read; the message names the file and says what is wrong."""


class DependencyPath:
    """The chain of package names from a direct dependency of the project down to a package
    (``debug > ms``); a direct dependency's path is its own name alone.

    Each path is a link to its parent's path plus one name, so the paths of a whole graph take memory in
    proportion to the number of packages even when the chain is 50,000 long (a tuple per package would
    take the square). The first names are kept with every link, so that a path is shown, capped in length,
    without walking the whole chain.
    """

    __slots__ = ("head", "length", "name", "parent")

    #: How many names a shown path keeps from its start and from its end; the rest are counted.
    SHOWN_HEAD = 4
    SHOWN_TAIL = 3

    def __init__(self, name: str, parent: DependencyPath | None = None) -> None:
        self.name = name
        self.parent = parent
        self.length: int = 1 if parent is None else parent.length + 1
        # The first SHOWN_HEAD names; once full, the same tuple is shared by every path below.
        if parent is None:
            self.head: tuple[str, ...] = (name,)
        elif parent.length < self.SHOWN_HEAD:
            self.head = (*parent.head, name)
        else:
            self.head = parent.head

    @classmethod
    def of(cls, *names: str) -> DependencyPath:
        """The path through ``names``, from the direct dependency down."""
        path = cls(names[0])
        for name in names[1:]:
            path = path.child(name)
        return path

    def child(self, name: str) -> DependencyPath:
        return DependencyPath(name, self)

    def names(self) -> tuple[str, ...]:
        """Every name, from the direct dependency down (as long as the chain: for tests and short paths)."""
        names: list[str] = []
        link: DependencyPath | None = self
        while link is not None:
            names.append(link.name)
            link = link.parent
        return tuple(reversed(names))

    def shown(self) -> str:
        """``a > b > c``; a long chain keeps its first and last names: ``a > b > c > d > … (49,993 more) > x > y > z``
        (the count is of the names left out)."""
        if self.length <= self.SHOWN_HEAD + self.SHOWN_TAIL + 1:
            return " > ".join(self.names())
        tail: list[str] = []
        link: DependencyPath | None = self
        while link is not None and len(tail) < self.SHOWN_TAIL:
            tail.append(link.name)
            link = link.parent
        hidden = self.length - self.SHOWN_HEAD - self.SHOWN_TAIL
        return " > ".join((*self.head, f"… ({hidden:,} more)", *reversed(tail)))

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DependencyPath):
            return NotImplemented
        return self.length == other.length and self.head == other.head and self.names() == other.names()

    def __hash__(self) -> int:
        return hash((self.length, self.name, self.head))

    def __repr__(self) -> str:
        return f"DependencyPath({self.shown()!r})"


@dataclass(frozen=True, slots=True)
class InstalledPackage:
    """One package a lockfile installs; ``path`` is how the project comes to install it."""

    name: str
    version: str
    direct: bool
    dev: bool
    path: DependencyPath
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
    paths: dict[str, DependencyPath] = {}
    # Production roots first, so that paths go through production dependencies where they can.
    ordered = [r for r in root_list if not r[1]] + [r for r in root_list if r[1]]
    queue: deque[str] = deque()
    for key, _ in ordered:
        if key not in paths:
            paths[key] = DependencyPath(nodes[key].name)
            queue.append(key)
    while queue:
        key = queue.popleft()
        for child in nodes[key].edges:
            if child in nodes and child not in paths:
                paths[child] = paths[key].child(nodes[child].name)
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
                path=paths.get(key) or DependencyPath(node.name),
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
    """Finds the line where a lockfile writes an entry.

    Parsers look entries up in the order the file lists them, so each search starts where the previous
    one matched and the whole file is read about once, however many entries it has. A needle not found
    ahead is searched for from the start; once such searches have read the file ``_FULL_SEARCHES`` times
    over, only the stretch just ahead is searched: a file whose keys are never written the way they
    are parsed (escapes in JSON keys) must not make the parse quadratic. Its lines are then unknown
    (None), and findings point at the top of the file.
    """

    _FULL_SEARCHES = 20
    _NEARBY = 64 * 1024

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: list[int] | None = None
        self._cursor = 0
        self._budget = self._FULL_SEARCHES * max(len(text), 1)

    def line_of(self, needle: str | re.Pattern[str]) -> int | None:
        """The line of the next occurrence of ``needle`` (a string or a pattern) from the last match on."""
        text, cursor = self.text, self._cursor
        if self._budget <= 0:
            offset = self._find(needle, cursor, cursor + self._NEARBY)
        else:
            offset = self._find(needle, cursor, len(text))
            if offset < 0:
                offset = self._find(needle, 0, cursor)
                self._budget -= len(text)
        if offset < 0:
            return None
        self._cursor = offset + 1
        return self.line_at(offset)

    def _find(self, needle: str | re.Pattern[str], start: int, end: int) -> int:
        if isinstance(needle, str):
            return self.text.find(needle, start, end)
        match = needle.search(self.text, start, end)
        return match.start() if match is not None else -1

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
