"""## What it finds
Error details sent to the client: a stack trace (`err.stack`) or a raw error object (`res.json(err)`,
`res.status(500).send(error)`, `res.send({ error: err })`, `JSON.stringify(err)`, `util.inspect(err)`)
in a response — Express `res.send`/`json`/`jsonp`/`end`/`write`, Fastify `reply.send`, Koa
`ctx.body = ...`. An error is a `catch` parameter or a parameter named `err`, `error`, `e`, `ex` or
`exception` (error handlers, error-first callbacks, `.catch(err => ...)`). Passing the error on with
`next(err)`, sending `err.message`, and responses inside a development-only branch (`if
(process.env.NODE_ENV !== "production")`, `app.get("env") === "development"`) are not reported. In
the source of a web framework or middleware (the scanned package is express, fastify, koa...), the
error pipeline is the framework's own and the finding has low confidence.

## Why it matters
Stack traces reveal file paths, library versions, internal function names and sometimes query text,
and raw error objects carry whatever the library attached: the SQL statement of a database error,
the request options of an HTTP client error, credentials in a connection string. This maps the
application for an attacker and can leak data directly (generation of error message containing
sensitive information, CWE-209; CWE-497).

## How to fix
Log the full error on the server and send the client a generic message and a correlation id; keep
detailed errors to development builds.

## Bad
```js
app.use((err, req, res, next) => {
  res.status(500).send(err.stack);
});
```

## Good
```js
app.use((err, req, res, next) => {
  req.log.error(err);
  res.status(500).json({ error: "Internal server error", requestId: req.id });
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import FUNCTION_TYPES, object_entries, property_words

SEND_METHODS = frozenset({"send", "json", "jsonp", "end", "write"})
RESPONSE_NAMES = frozenset({"res", "response", "reply", "resp", "rep"})
CHAIN_METHODS = frozenset({"status", "code", "type", "set", "header", "contentType", "append", "vary"})
ERROR_NAMES = frozenset({"err", "error", "e", "ex", "exc", "exception", "er", "cause"})
SERIALIZERS = frozenset({"JSON.stringify", "util.inspect", "util.format"})
DEVELOPMENT_ONLY = re.compile(r"NODE_ENV|development|isDev|isDevelopment|debug|get\(\s*['\"]env['\"]\s*\)",
                              re.IGNORECASE)


class ErrorDetailsInResponse(Rule):
    id = "NW314"
    name = "error-details-in-response"
    title = "Stack trace or raw error object sent to the client"
    cwe = (209, 497)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Log the error server-side and send a generic message (and a request id) to the client."
    visits = ("call_expression", "assignment_expression")
    call_names = last_names(SEND_METHODS)
    app_policy = True

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            value = node.child_by_field_name("right")
            if left is None or value is None or ctx.text(left).replace(" ", "") not in ("ctx.body", "this.body"):
                return
        else:
            if ctx.method_name(node) not in SEND_METHODS or not _is_response(node, ctx):
                return
            args = ctx.arguments(node)
            if not args:
                return
            value = args[0]
        exposure = error_exposure(ctx, value, 0)
        if exposure is None or _development_only(node, ctx):
            return
        ctx.record_practice("sensitive-data", "missing", node, f"{exposure} sent to the client")
        yield ctx.report(node, f"{exposure} is sent to the client: it reveals paths, versions and internals (and "
                         "whatever the library attached, such as SQL); log it and send a generic message")


def _is_response(call: Node, ctx: RuleContext) -> bool:
    """`res.send(...)`, `res.status(500).json(...)`, `reply.code(500).send(...)`."""
    callee = ctx.unwrap(call.child_by_field_name("function") or call)
    receiver = callee.child_by_field_name("object")
    for _ in range(6):
        if receiver is None:
            return False
        receiver = ctx.unwrap(receiver)
        if receiver.type == "call_expression" and ctx.method_name(receiver) in CHAIN_METHODS:
            inner = ctx.unwrap(receiver.child_by_field_name("function") or receiver)
            receiver = inner.child_by_field_name("object")
            continue
        name = property_words(ctx, receiver)
        return name in RESPONSE_NAMES
    return False


def error_exposure(ctx: RuleContext, node: Node, depth: int) -> str | None:
    """What of an error a value shows: "a stack trace (`err.stack`)", "the raw error object `err`", or None."""
    node = ctx.unwrap(node)
    if depth > 4:
        return None
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        if ctx.model.member_property(node) == "stack" and obj is not None and _is_error(ctx, obj):
            return f"a stack trace (`{ctx.text(node)}`)"
        return None
    if node.type == "identifier" and _is_error(ctx, node):
        return f"the raw error object `{ctx.text(node)}`"
    if node.type == "object":
        found = object_entries(ctx, node)
        if found is None:
            return None
        for value in found[0].values():
            if value.type == "shorthand_property_identifier":
                if _error_binding(ctx, value):
                    return f"the raw error object `{ctx.text(value)}`"
                continue
            inner = error_exposure(ctx, value, depth + 1)
            if inner is not None:
                return inner
        return None
    if node.type == "call_expression" and ctx.call_name(node) in SERIALIZERS:
        args = ctx.arguments(node)
        return error_exposure(ctx, args[0], depth + 1) if args else None
    parts: list[Node] = []
    if node.type == "template_string":
        parts = [c.named_children[0] for c in node.named_children
                 if c.type == "template_substitution" and c.named_children]
    elif node.type == "binary_expression":
        parts = [c for c in (node.child_by_field_name("left"), node.child_by_field_name("right")) if c is not None]
    for part in parts:
        if ctx.unwrap(part).type == "member_expression":
            shown = error_exposure(ctx, part, depth + 1)
            if shown is not None:
                return shown
    return None


def _is_error(ctx: RuleContext, node: Node) -> bool:
    node = ctx.unwrap(node)
    return node.type == "identifier" and _error_binding(ctx, node)


def _error_binding(ctx: RuleContext, node: Node) -> bool:
    name = ctx.text(node)
    current: Node | None = node
    while current is not None:  # the nearest catch clause or function that declares the name
        if current.type == "catch_clause":
            param = current.child_by_field_name("parameter")
            if param is not None and ctx.text(param) == name:
                return True
        if current.type in FUNCTION_TYPES:
            params = current.child_by_field_name("parameters")
            names = [ctx.text(p).split(":")[0].strip() for p in params.named_children] if params is not None else []
            single = current.child_by_field_name("parameter")
            if single is not None:
                names.append(ctx.text(single))
            if name in names:
                return name in ERROR_NAMES or name.endswith(("Error", "Err"))
        current = current.parent
    return False


def _development_only(node: Node, ctx: RuleContext) -> bool:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type in ("if_statement", "ternary_expression"):
            condition = current.child_by_field_name("condition")
            if condition is not None and DEVELOPMENT_ONLY.search(ctx.text(condition)):
                return True
        current = current.parent
    return False
