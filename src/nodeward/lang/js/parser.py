"""tree-sitter parsers and queries for JavaScript, TypeScript and TSX, made once per process."""

from __future__ import annotations

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


def captures(dialect: str, text: str, root: Node) -> dict[str, list[Node]]:
    """Run a query over a tree in C and return its captures by name, each list in document order.

    tree-sitter lists captures in the order their matches complete, which for nested nodes is not the
    order they appear in; sorting keeps every consumer's results independent of that.
    """
    return {
        name: sorted(nodes, key=_document_order)
        for name, nodes in QueryCursor(query(dialect, text)).captures(root).items()
    }


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


def node_key(node: Node) -> int:
    """A stable identity for a node of one tree, for memo tables.

    `Node.id` is not one: for leaf nodes reached through a query cursor it points into the cursor's own
    stack, so two different identifiers can share it. Position and kind do identify a node.
    """
    return (node.start_byte << 42) | (node.end_byte << 12) | node.kind_id


def matches(dialect: str, text: str, root: Node) -> list[dict[str, Node]]:
    """Run a query and return one {capture name: node} dict per match.

    Use this, not `captures`, when captures of one match belong together: `captures` sorts each name's
    list on its own, so the n-th nodes of two names need not come from the same match.
    """
    return [
        {name: nodes[0] for name, nodes in found.items() if nodes}
        for _, found in QueryCursor(query(dialect, text)).matches(root)
    ]
