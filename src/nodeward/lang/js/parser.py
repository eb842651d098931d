"""tree-sitter parsers and queries for JavaScript, TypeScript and TSX, made once per process."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

DIALECTS = ("javascript", "typescript", "tsx")


@cache
def language(dialect: str) -> Language:
    if dialect == "javascript":
        return Language(tree_sitter_javascript.language())
    if dialect == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if dialect == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    raise ValueError(f"unknown dialect {dialect!r}")


@cache
def parser(dialect: str) -> Parser:
    return Parser(language(dialect))


def parse(source: bytes, dialect: str) -> Tree:
    return parser(dialect).parse(source)


@cache
def query(dialect: str, text: str) -> Query:
    return Query(language(dialect), text)


def captures(dialect: str, text: str, root: Node, outside: Sequence[Node] = ()) -> dict[str, list[Node]]:
    """Run a query over a tree in C and return its captures by name, each list in document order.

    tree-sitter lists captures in the order their matches complete, which for nested nodes is not the
    order they appear in; sorting keeps every consumer's results independent of that. Nodes inside the
    subtrees `outside` (in document order, not nested in each other) are not captured.
    """
    if not outside:
        return {
            name: sorted(nodes, key=_document_order)
            for name, nodes in QueryCursor(query(dialect, text)).captures(root).items()
        }
    found: dict[str, dict[int, Node]] = {}
    for start, end in _ranges_between(root, outside):
        cursor = QueryCursor(query(dialect, text))
        cursor.set_byte_range(start, end)
        for name, nodes in cursor.captures(root).items():
            found.setdefault(name, {}).update((node_key(node), node) for node in nodes)
    return {name: sorted(nodes.values(), key=_document_order) for name, nodes in found.items()}


def _document_order(node: Node) -> tuple[int, int]:
    return (node.start_byte, -node.end_byte)


VISIT_PREFIX = "visit."


def node_type_query(dialect: str, node_types: frozenset[str]) -> str:
    """A query capturing every node of the given types, each under `visit.<type>` as capture name."""
    known = [t for t in sorted(node_types) if _is_named_type(dialect, t)]
    return "\n".join(f"({t}) @{VISIT_PREFIX}{t}" for t in known)


def _is_named_type(dialect: str, node_type: str) -> bool:
    return language(dialect).id_for_node_kind(node_type, True) is not None


def first_error_line(root: Node) -> int | None:
    """The 1-based line of the first syntax error or missing token, if the tree has any."""
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node.start_point[0] + 1
        stack.extend(child for child in reversed(node.children) if child.has_error)
    return None


def too_deep(root: Node, limit: int) -> list[Node]:
    """The subtrees that start `limit` levels below `root` and nest deeper still, in document order.

    Walking up from a node costs tree-sitter time in proportion to the node's depth, so analysing code
    nested thousands of levels deep (generated or hostile) takes quadratic time; the caller leaves these
    subtrees out. Only subtrees with more than `limit` descendants below that depth can hold such nesting,
    so a normal file costs a look at its few large subtrees, not a walk of every node.
    """
    found: list[Node] = []
    path: list[Node] = []  # the ancestors of the node being looked at, by depth
    stack = [(root, 0)]  # depths never decrease from bottom to top
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        path.append(node)
        if depth > limit:
            found.append(path[limit])
            while stack and stack[-1][1] > limit:  # the rest of that subtree
                stack.pop()
        elif depth + node.descendant_count > limit:
            stack.extend((child, depth + 1) for child in reversed(node.children))
    return found


def node_key(node: Node) -> int:
    """A stable identity for a node of one tree, for memo tables.

    `Node.id` is not one: for leaf nodes reached through a query cursor it points into the cursor's own
    stack, so two different identifiers can share it. Position and kind do identify a node.
    """
    return (node.start_byte << 42) | (node.end_byte << 12) | node.kind_id


def matches(dialect: str, text: str, root: Node, outside: Sequence[Node] = ()) -> list[dict[str, Node]]:
    """Run a query and return one {capture name: node} dict per match (none inside the subtrees `outside`).

    Use this, not `captures`, when captures of one match belong together: `captures` sorts each name's
    list on its own, so the n-th nodes of two names need not come from the same match.
    """
    found: dict[tuple[int, ...], dict[str, Node]] = {}
    for start, end in _ranges_between(root, outside):
        cursor = QueryCursor(query(dialect, text))
        if outside:
            cursor.set_byte_range(start, end)
        for _, captured in cursor.matches(root):
            match = {name: nodes[0] for name, nodes in captured.items() if nodes}
            found.setdefault(tuple(sorted(node_key(node) for node in match.values())), match)
    return list(found.values())


def _ranges_between(root: Node, outside: Sequence[Node]) -> list[tuple[int, int]]:
    """The byte ranges of `root` around the subtrees `outside` (in document order, disjoint)."""
    ranges = []
    start = root.start_byte
    for node in outside:
        if node.start_byte > start:
            ranges.append((start, node.start_byte))
        start = node.end_byte
    if root.end_byte > start or not ranges:
        ranges.append((start, root.end_byte))
    return ranges
