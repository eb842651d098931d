"""## What it finds
Passwords, tokens, secrets and API keys written to logs: calls of `console.log`/`info`/`warn`/`error`/
`debug` and of loggers (`logger.info`, `log.error`, `req.log.warn`, `fastify.log.info`, winston, pino,
bunyan, `this.logger.debug`) with an argument named like a secret (`password`, `req.body.password`,
`accessToken`, `apiKey`, `clientSecret`, the `Authorization` header) — directly, as a property of a
logged object (`{ email, password }`), or inside a template or concatenation — and the whole request
body (`req.body`) in handlers that read a password from it or serve login, sign-up, password and token
routes. Names are split into words as for timing-unsafe-comparison (NW202): `passwordLength`,
`isTokenValid`, `tokenType` or `nextPageToken` are not secrets; lengths, `typeof`, booleans and string
literals are not reported, nor are masked values (`mask(token)`, `token.slice(0, 4)`). Object fields
are not reported for loggers in files that configure pino's `redact`.

## Why it matters
Logs are copied to log services, kept for months, read by support staff and often less protected than
the database: passwords and tokens in them hand accounts to anyone with log access (insertion of
sensitive information into a log file, CWE-532).

## How to fix
Log identifiers, not secrets: the user id and the outcome of the check. Configure your logger to
redact sensitive paths (pino `redact: ["req.headers.authorization", "*.password"]`, a winston format
that drops them), and never log request bodies of authentication routes.

## Bad
```js
app.post("/login", (req, res) => {
  console.log("login attempt", req.body.email, req.body.password);
  res.sendStatus(204);
});
```

## Good
```js
app.post("/login", (req, res) => {
  console.log("login attempt", req.body.email);
  res.sendStatus(204);
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.crypto.timing_unsafe_comparison import classify_name
from nodeward.rules.web.knowledge import (
    FUNCTION_TYPES,
    LOG_CALL_NAMES,
    enclosing_function,
    logger_kind,
    object_entries,
    property_words,
)

PASS_THROUGH_METHODS = frozenset({"toString", "trim", "toLowerCase", "toUpperCase"})
PASS_THROUGH_CALLS = frozenset({"JSON.stringify", "String", "util.inspect", "util.format"})
AUTH_ROUTE = re.compile(r"(log-?in|sign-?in|sign-?up|register|password|passwd|reset|token|auth|otp|mfa|2fa|"
                        r"credential|session)", re.IGNORECASE)
READS_PASSWORD = re.compile(r"(req|request)\.body\.\w*(password|passwd|pwd)|\b(password|passwd|pwd)\w*\s*[,}][^=]*"
                            r"=\s*(req|request)\.body", re.IGNORECASE)
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "all", "use", "route"})
MAX_DEPTH = 4


class SensitiveDataLogged(Rule):
    id = "NW315"
    name = "sensitive-data-logged"
    title = "Password, token or secret written to a log"
    cwe = (532,)
    owasp = "A09"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Log user ids and outcomes, never passwords, tokens or secrets; configure logger redaction."
    visits = ("call_expression",)
    call_names = LOG_CALL_NAMES

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        logger = logger_kind(node, ctx)
        if logger is None:
            return
        redacting = logger != "console" and b"redact" in ctx.model.source
        for arg in ctx.arguments(node):
            found = self._secret(ctx, arg, node, 0, redacting)
            if found is not None:
                what, confidence = found
                ctx.record_practice("sensitive-data", "missing", node, f"{what} written to logs")
                yield ctx.report(node, f"{what} is written to the log; logs are kept, copied and read widely: log "
                                 "an id or the outcome instead", confidence=confidence)
                return

    def _secret(self, ctx: RuleContext, node: Node, call: Node, depth: int,
                redacting: bool) -> tuple[str, Confidence] | None:
        node = ctx.unwrap(node)
        if depth > MAX_DEPTH or ctx.is_constant(node):
            return None
        kind = node.type
        if kind in ("identifier", "member_expression", "subscript_expression"):
            text = ctx.text(node).replace(" ", "")
            if text in ("req.body", "request.body", "ctx.request.body") and _auth_handler(call, ctx):
                return f"the request body of an authentication route (`{text}`)", Confidence.MEDIUM
            name = property_words(ctx, node) if kind != "identifier" else ctx.text(node)
            if kind == "subscript_expression" and name is None:
                return None
            secret = classify_name(name) if name else None
            if secret is not None and secret.strong:
                return f"`{shorten(ctx.text(node))}`", Confidence.MEDIUM
            return None
        if kind == "object" and not redacting:
            found = object_entries(ctx, node)
            if found is None:
                return None
            for key, value in found[0].items():
                secret = classify_name(key)
                if secret is not None and secret.strong and not ctx.is_constant(value):
                    return f"the `{key}` field", Confidence.MEDIUM
                if value.type != "shorthand_property_identifier":
                    inner = self._secret(ctx, value, call, depth + 1, redacting)
                    if inner is not None:
                        return inner
            return None
        if kind == "template_string":
            for child in node.named_children:
                if child.type == "template_substitution" and child.named_children:
                    inner = self._secret(ctx, child.named_children[0], call, depth + 1, redacting)
                    if inner is not None:
                        return inner
            return None
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or ctx.text(operator) != "+":
                return None
            for side in ("left", "right"):
                operand = node.child_by_field_name(side)
                inner = self._secret(ctx, operand, call, depth + 1, redacting) if operand is not None else None
                if inner is not None:
                    return inner
            return None
        if kind == "call_expression":
            method = ctx.method_name(node)
            args = ctx.arguments(node)
            if method in PASS_THROUGH_METHODS:
                callee = ctx.unwrap(node.child_by_field_name("function") or node)
                receiver = callee.child_by_field_name("object")
                return self._secret(ctx, receiver, call, depth + 1, redacting) if receiver is not None else None
            if ctx.call_name(node) in PASS_THROUGH_CALLS and args:
                return self._secret(ctx, args[0], call, depth + 1, redacting)
        return None


def _auth_handler(call: Node, ctx: RuleContext) -> bool:
    """Whether the call is in a route handler for an authentication path or one that reads a password."""
    function: Node | None = enclosing_function(call)
    while function is not None:
        if READS_PASSWORD.search(ctx.text(function)):
            return True
        parent = function.parent
        if parent is not None and parent.type == "arguments":
            route = parent.parent
            args = ctx.arguments(route) if route is not None else []
            path = ctx.string_value(args[0]) if args else None
            if route is not None and ctx.method_name(route) in ROUTE_METHODS and path is not None:
                return bool(AUTH_ROUTE.search(path))
        function = enclosing_function(function) if function.type in FUNCTION_TYPES else None
    return False

