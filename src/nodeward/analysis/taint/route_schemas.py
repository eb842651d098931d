"""Route schemas: request fields a framework validates to a safe shape before the handler runs.

Fastify compiles a route's `schema` (`{ schema: { params, querystring, body, headers } }`, JSON Schema) and
answers 400 to a request that does not match it, before the handler is called (query strings and parameters
are coerced to the declared type). A field declared as a number, an integer or a boolean, one of an `enum` or a
`const`, or a string in a strict format (uuid, date, time, IP address) cannot carry an injection, so reading it
(`request.params.id`) gives a clean value. Only constant schemas written in the file are read (a schema built
with TypeBox or imported from another module is not).
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node

from nodeward.lang.js.model import SemanticModel, object_property

# Schema part -> the request property that holds the validated data.
PARTS = {"body": "body", "querystring": "query", "query": "query", "params": "params", "headers": "headers"}
SAFE_TYPES = frozenset({"integer", "number", "boolean", "null"})
SAFE_FORMATS = frozenset({"uuid", "date", "date-time", "time", "ipv4", "ipv6"})

Fields = frozenset[tuple[str, str]]


def _is_safe(spec: Any) -> bool:
    if not isinstance(spec, dict):
        return False
    if "enum" in spec or "const" in spec:
        return True
    kind = spec.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if kinds and all(k in SAFE_TYPES for k in kinds):
        return True
    return kinds == ["string"] and spec.get("format") in SAFE_FORMATS


def validated_fields(model: SemanticModel, options: Node) -> Fields:
    """(request property, field) pairs that the `schema` of these route options validates to a safe shape."""
    schema = object_property(model, options, "schema")
    if schema is None:
        return frozenset()
    found: set[tuple[str, str]] = set()
    for part, request_property in PARTS.items():
        node = object_property(model, schema, part)
        constant = model.evaluate(node) if node is not None else None
        value = constant.value if constant is not None else None
        properties = value.get("properties") if isinstance(value, dict) else None
        if isinstance(properties, dict):
            found.update((request_property, name) for name, spec in properties.items() if _is_safe(spec))
    return frozenset(found)
