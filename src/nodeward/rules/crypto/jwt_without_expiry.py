"""## What it finds
JSON Web Tokens issued without an expiry: `jwt.sign(payload, key, options)` (`jsonwebtoken`) where
neither the options have `expiresIn` nor the payload an `exp` claim, and `jose`'s `new
SignJWT(payload)...sign(key)` without `setExpirationTime()` and without `exp` in the payload. Only
payloads and options that are visible (object literals, directly or through a const) are judged: a
payload built elsewhere may carry `exp`.

## Why it matters
A token without `exp` is valid forever. A token that leaks once — from a log, a browser's storage, a
proxy, a former employee's laptop — keeps working until the signing key is rotated, and logging out
or changing a password does not end it (insufficient session expiration, CWE-613).

## How to fix
Give every token a short lifetime (`expiresIn: "15m"` for access tokens) and renew it with a refresh
token that is stored server-side and can be revoked.

## Bad
```js
const jwt = require("jsonwebtoken");
const issue = (user) => jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET);
```

## Good
```js
const jwt = require("jsonwebtoken");
const issue = (user) => jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { expiresIn: "15m" });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import FUNCTION_TYPES, object_entries

SIGN_FUNCTIONS = frozenset({"jsonwebtoken.sign"})


class JwtWithoutExpiry(Rule):
    id = "NW209"
    name = "jwt-without-expiry"
    title = "JWT issued without an expiry"
    cwe = (613,)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Set expiresIn (jsonwebtoken) or setExpirationTime (jose) on every token, e.g. '15m' for access tokens."
    visits = ("call_expression",)
    call_names = last_names(SIGN_FUNCTIONS, ["sign"])
    requires_text = (b"jsonwebtoken", b"jose")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in SIGN_FUNCTIONS and len(args) >= 2:
            if _has_exp(args[0], ctx) is not False:
                return
            options = args[2] if len(args) >= 3 and ctx.unwrap(args[2]).type not in FUNCTION_TYPES else None
            if options is not None:
                found = object_entries(ctx, options)
                if found is None or found[1]:
                    return
                if "expiresIn" in found[0]:
                    ctx.record_practice("jwt", "in-place", node, "tokens signed with an expiry")
                    return
            yield from self._report(node, "`jwt.sign` without `expiresIn` (and no `exp` claim)", ctx)
        elif ctx.method_name(node) == "sign" and len(args) == 1:
            payload = _jose_payload(node, ctx)
            if payload is None:
                return
            chain, first = payload
            if "setExpirationTime" in chain:
                ctx.record_practice("jwt", "in-place", node, "tokens signed with an expiry")
                return
            if first is not None and _has_exp(first, ctx) is not False:
                return
            yield from self._report(node, "`SignJWT` without `setExpirationTime()`", ctx)

    def _report(self, node: Node, what: str, ctx: RuleContext) -> Iterator[Finding]:
        ctx.record_practice("jwt", "partly", node, "token issued without expiry")
        yield ctx.report(node, f"{what}: the token never expires, so a leaked token works until the key is rotated")


def _has_exp(payload: Node, ctx: RuleContext) -> bool | None:
    """True/False when the payload visibly has/lacks `exp`; None when it cannot be known."""
    payload = ctx.unwrap(payload)
    if payload.type in ("string", "template_string") or (
            payload.type == "binary_expression" and "string" in {c.type for c in payload.named_children}):
        return False  # a string payload cannot carry claims
    found = object_entries(ctx, payload)
    if found is None:
        return None
    entries, open_ended = found
    if "exp" in entries:
        return True
    return None if open_ended else False


def _jose_payload(call: Node, ctx: RuleContext) -> tuple[set[str], Node | None] | None:
    """For `new SignJWT(p).a().b().sign(k)`: the methods called in the chain and `p`; None if not jose."""
    methods: set[str] = set()
    current: Node | None = call
    for _ in range(16):
        if current is None:
            return None
        current = ctx.unwrap(current)
        if current.type == "new_expression":
            if ctx.call_name(current) != "jose.SignJWT":
                return None
            args = ctx.arguments(current)
            return methods, (args[0] if args else None)
        if current.type != "call_expression":
            return None
        method = ctx.method_name(current)
        if method is not None:
            methods.add(method)
        callee = ctx.unwrap(current.child_by_field_name("function") or current)
        current = callee.child_by_field_name("object") if callee.type == "member_expression" else None
    return None
