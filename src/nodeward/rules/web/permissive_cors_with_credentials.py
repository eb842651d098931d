"""## What it finds
CORS set up to let any site read responses made with the user's cookies: the `cors` middleware (and
`@fastify/cors`, NestJS `enableCors`) with `credentials: true` and an origin that is `"*"`, `true`
(reflect the requesting origin), or a function that allows every origin (`(origin, cb) => cb(null,
true)`); `@koa/cors` with `credentials: true` and no `origin` (it reflects the request's origin by
default); and an `Access-Control-Allow-Origin` header set by hand from the request's `Origin` header
in a function that also sends `Access-Control-Allow-Credentials: true`. An origin checked against
an allow-list first (an `if` around the header, an allow-list callback) is not reported.

## Why it matters
With credentials allowed for an origin chosen by the requester, any web page the victim visits can
send requests to the API with the victim's cookies and read the answers: their data, CSRF tokens,
API keys (permissive cross-domain policy, CWE-942; origin not validated, CWE-346). `"*"` with
credentials is rejected by browsers, which is why code that needed it often ends up reflecting the
origin instead; it is reported so that the intent is fixed the right way.

## How to fix
List the origins that may call the API (`origin: ["https://app.example.com"]`) or check the
`Origin` header against such a list before reflecting it, and enable `credentials` only for them.

## Bad
```js
const cors = require("cors");
app.use(cors({ origin: true, credentials: true }));
```

## Good
```js
const cors = require("cors");
app.use(cors({ origin: ["https://app.example.com"], credentials: true }));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.lang.js.parser import node_key
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import (
    FUNCTION_TYPES,
    constant_value,
    descendants,
    enclosing_function,
    is_request_data,
    object_entries,
    parameter_names,
)

# CORS middlewares: the value their `origin` option takes when it is absent ("reflect" or "*").
CORS_MIDDLEWARES = {"cors": "*", "@fastify/cors": "*", "@koa/cors": "reflect", "koa2-cors": "*", "kcors": "reflect"}
HEADER_SETTERS = frozenset({"setHeader", "set", "header", "append", "writeHead"})
ALLOW_ORIGIN = "access-control-allow-origin"
ALLOW_CREDENTIALS = "access-control-allow-credentials"


class PermissiveCorsWithCredentials(Rule):
    id = "NW313"
    name = "permissive-cors-with-credentials"
    title = "CORS allows any origin to make credentialed requests"
    cwe = (942, 346)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Allow credentials only for a fixed list of trusted origins; never reflect the Origin header unchecked."
    visits = ("call_expression",)
    call_names = last_names(CORS_MIDDLEWARES, ["register", "enableCors"], HEADER_SETTERS)
    app_policy = True

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        method = ctx.method_name(node)
        args = ctx.arguments(node)
        if name in CORS_MIDDLEWARES:
            yield from self._options(node, args[0] if args else None, CORS_MIDDLEWARES[name], name, ctx)
        elif method == "register" and len(args) >= 2 and ctx.qualified_name(args[0]) == "@fastify/cors":
            yield from self._options(node, args[1], "*", "@fastify/cors", ctx)
        elif method == "enableCors" and args:
            yield from self._options(node, args[0], "*", "enableCors", ctx)
        elif method in HEADER_SETTERS and len(args) >= 2:
            yield from self._header(node, args, ctx)

    def _options(self, call: Node, options: Node | None, default: str, what: str,
                 ctx: RuleContext) -> Iterator[Finding]:
        if options is None:
            ctx.record_practice("cors", "in-place", call, f"`{what}` without credentials")
            return
        found = object_entries(ctx, options)
        if found is None:
            return
        entries, open_ended = found
        credentials = entries.get("credentials")
        if credentials is None or constant_value(ctx, credentials) is not True:
            ctx.record_practice("cors", "in-place", options, f"`{what}` without credentials")
            return
        origin = entries.get("origin")
        problem: str | None
        if origin is None:
            if open_ended:
                return
            problem = "reflects any requesting origin" if default == "reflect" else "allows origin `*`"
        else:
            problem = self._origin_problem(origin, ctx)
            if problem is None:
                ctx.record_practice("cors", "in-place", options, f"`{what}` with credentials for listed origins")
                return
        ctx.record_practice("cors", "missing", options, f"`{what}` {problem} with credentials")
        confidence = Confidence.MEDIUM if problem.endswith("`*`") else Confidence.HIGH
        # Point at the setting that is wrong: the `origin` entry, also when the options are declared apart.
        where = origin.parent if origin is not None and origin.parent is not None and origin.parent.type == "pair" \
            else options
        yield ctx.report(where, f"`{what}` {problem} with `credentials: true`: any web site can read "
                         "responses made with the user's cookies", confidence=confidence)

    def _origin_problem(self, origin: Node, ctx: RuleContext) -> str | None:
        value = constant_value(ctx, origin)
        if value == "*":
            return "allows origin `*`"
        if value is True:
            return "reflects any requesting origin (`origin: true`)"
        if isinstance(value, list) and "*" in value:
            return "allows origin `*`"
        function = ctx.unwrap(origin)
        if function.type == "identifier":
            binding = ctx.model.resolve(function)
            if binding is not None and binding.value is not None and binding.is_stable:
                function = ctx.unwrap(binding.value)
        if function.type in FUNCTION_TYPES and _always_allows(function, ctx):
            return "allows every origin (its origin callback always accepts)"
        return None

    def _header(self, call: Node, args: list[Node], ctx: RuleContext) -> Iterator[Finding]:
        header = ctx.string_value(args[0])
        if header is None or header.lower() != ALLOW_ORIGIN:
            return
        value = args[1]
        if ctx.is_constant(value) or not is_request_data(ctx, value) or ("origin" not in ctx.text(value).lower() \
                and not _bound_to_origin(value, ctx)):
            return
        function = enclosing_function(call)
        scope = function if function is not None else ctx.model.tree.root_node
        if not _sends_credentials(scope, ctx) or _checked_first(call, value, scope, ctx):
            return
        ctx.record_practice("cors", "missing", call, "Access-Control-Allow-Origin reflects the request's Origin")
        yield ctx.report(call, "`Access-Control-Allow-Origin` is set from the request's `Origin` header in a "
                         "response that allows credentials: any web site can read responses made with the "
                         "user's cookies")


def _always_allows(function: Node, ctx: RuleContext) -> bool:
    """`(origin, callback) => callback(null, true)`: every call of the callback accepts the origin."""
    names = parameter_names(function, ctx)
    if len(names) < 2:
        return False
    origin_name, callback_name = names[0], names[1]
    calls = [c for c in descendants(function, frozenset({"call_expression"}))
             if ctx.text(c.child_by_field_name("function") or c) == callback_name]
    if not calls or any(descendants(function, frozenset({"if_statement", "ternary_expression", "switch_statement"}))):
        return False
    for call in calls:
        args = ctx.arguments(call)
        if len(args) < 2:
            return False
        allowed = args[1]
        if constant_value(ctx, allowed) is not True and ctx.text(allowed) != origin_name:
            return False
    return True


def _bound_to_origin(value: Node, ctx: RuleContext) -> bool:
    value = ctx.unwrap(value)
    if value.type != "identifier":
        return False
    binding = ctx.model.resolve(value)
    return binding is not None and binding.value is not None and "origin" in ctx.text(binding.value).lower()


def _sends_credentials(scope: Node, ctx: RuleContext) -> bool:
    for call in descendants(scope, frozenset({"call_expression"})):
        if ctx.method_name(call) not in HEADER_SETTERS:
            continue
        args = ctx.arguments(call)
        if len(args) >= 2 and (ctx.string_value(args[0]) or "").lower() == ALLOW_CREDENTIALS \
                and str(constant_value(ctx, args[1])).lower() == "true":
            return True
    return False


def _checked_first(call: Node, value: Node, scope: Node, ctx: RuleContext) -> bool:
    """An `if` around the header (or an early return before it) that tests the origin."""
    name = ctx.text(ctx.unwrap(value))
    current = call.parent
    while current is not None and node_key(current) != node_key(scope):
        if current.type in ("if_statement", "ternary_expression") or (
                current.type == "binary_expression" and ctx.text(current.child_by_field_name("operator") or current)
                == "&&"):
            condition = current.child_by_field_name("condition") or current.child_by_field_name("left")
            if condition is not None and (name in ctx.text(condition) or "origin" in ctx.text(condition).lower()):
                return True
        current = current.parent
    for statement in descendants(scope, frozenset({"if_statement"})):
        if statement.start_byte >= call.start_byte:
            continue
        condition = statement.child_by_field_name("condition")
        if condition is not None and (name in ctx.text(condition) or "origin" in ctx.text(condition).lower()) \
                and any(descendants(statement, frozenset({"return_statement", "throw_statement"}))):
            return True
    return False
