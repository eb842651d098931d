"""## What it finds
`Math.random()` used to make a value that must not be guessed: a token, session id, password, reset
or verification code, OTP, nonce, salt, API key or CSRF secret. The value is recognised by the name
it ends up under: the variable, property or object key it is assigned to (`resetToken`, `otp`,
`user.apiKey`, `{ sessionId: ... }`), the function that returns it (`generateToken()`, `makeSalt`),
and by sinks: the value of a cookie (`res.cookie(...)`) and express-session's `genid`. It follows the
value through arithmetic, `Math.floor`, `toString(36)`, `slice`, string building in a loop (when the
function returns the string) and callbacks such as `Array.from({ length: 6 }, () => ...)`. Random
numbers for jitter, retry delays, animation, sampling, shuffling, colours or element ids are not
reported, nor are UUID-style ids whose purpose the name does not tell.

## Why it matters
`Math.random()` is not a cryptographic generator: V8's xorshift128+ state can be recovered from a few
outputs, after which every later value — the next password-reset code, the next session id — can be
predicted (use of insufficiently random values, CWE-330; weak PRNG, CWE-338).

## How to fix
Use the `crypto` module: `crypto.randomBytes(32).toString("hex")` or `crypto.randomUUID()` for tokens
and ids, `crypto.randomInt(0, 1_000_000)` for numeric codes, `crypto.getRandomValues()` in browsers.

## Bad
```js
function generateResetToken() {
  return Math.random().toString(36).slice(2);
}
```

## Good
```js
const crypto = require("crypto");
function generateResetToken() {
  return crypto.randomBytes(32).toString("hex");
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.lang.js.parser import node_key
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import FUNCTION_TYPES, descendants, is_security_value_name, property_words

WEAK_RANDOM = frozenset({"Math.random"})
STRONG_RANDOM = frozenset(
    {"crypto.randomBytes", "crypto.randomUUID", "crypto.randomInt", "crypto.getRandomValues",
     "crypto.webcrypto.getRandomValues", "nanoid", "nanoid.nanoid", "uuid.v4", "uuid"}
)
# Expression types a value flows through on its way to where it is stored.
PASS_THROUGH = frozenset(
    {"binary_expression", "unary_expression", "parenthesized_expression", "template_substitution",
     "template_string", "member_expression", "subscript_expression", "call_expression", "arguments",
     "await_expression", "ternary_expression", "array", "spread_element", "as_expression", "non_null_expression",
     "sequence_expression"}
)
COOKIE_SETTERS = frozenset({"cookie", "setCookie"})
MAX_STEPS = 20


class InsecureRandomness(Rule):
    id = "NW210"
    name = "insecure-randomness"
    title = "Security value (token, code, id, salt) made with Math.random()"
    cwe = (330, 338)
    owasp = "A02"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Use crypto.randomBytes, crypto.randomUUID or crypto.randomInt for tokens, ids and codes."
    visits = ("call_expression",)
    call_names = last_names(WEAK_RANDOM, STRONG_RANDOM)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name in WEAK_RANDOM:
            where = security_destination(node, ctx)
            if where is None:
                return
            ctx.record_practice("randomness", "missing", node, f"Math.random() for {where}")
            yield ctx.report(node, f"`Math.random()` is predictable, yet it makes {where}; use "
                             "`crypto.randomBytes` / `crypto.randomInt`")
        elif name in STRONG_RANDOM:
            where = security_destination(node, ctx)
            if where is not None:
                ctx.record_practice("randomness", "in-place", node, f"`{name}` for {where}")


def security_destination(node: Node, ctx: RuleContext) -> str | None:
    """Where a value ends up, when that place is named like a secret: "`resetToken`", "a cookie value"."""
    current = node
    for _ in range(MAX_STEPS):
        parent = current.parent
        if parent is None:
            return None
        kind = parent.type
        if kind == "arguments":
            call = parent.parent
            if call is not None and ctx.method_name(call) in COOKIE_SETTERS:
                args = ctx.arguments(call)
                if len(args) >= 2 and node_key(args[1]) == node_key(current):
                    return "a cookie value"
            current = parent
            continue
        if kind in PASS_THROUGH:
            current = parent
            continue
        if kind == "variable_declarator":
            target = parent.child_by_field_name("name")
            return _named(target, parent, ctx) if target is not None else None
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            target = parent.child_by_field_name("left")
            return _named(target, parent, ctx) if target is not None else None
        if kind == "pair":
            key = parent.child_by_field_name("key")
            name = property_words(ctx, key) if key is not None else None
            return f"`{name}`" if name is not None and is_security_value_name(name) else None
        is_body = kind in FUNCTION_TYPES and _same(parent.child_by_field_name("body"), current)
        if kind == "return_statement" or is_body:
            function = parent if kind in FUNCTION_TYPES else _function_of(parent)
            return _returned_from(function, ctx)
        return None
    return None


def _named(target: Node, statement: Node, ctx: RuleContext) -> str | None:
    name = property_words(ctx, target)
    if name is None:
        return None
    if is_security_value_name(name):
        return f"`{name}`"
    if target.type != "identifier":
        return None
    function = _function_of(statement)
    if function is None:
        return None
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for ret in descendants(function, frozenset({"return_statement"})):
        owner = _function_of(ret)
        if owner is not None and node_key(owner) == node_key(function) and pattern.search(ctx.text(ret)):
            return _returned_from(function, ctx)
    return None


def _returned_from(function: Node | None, ctx: RuleContext) -> str | None:
    """A function's result: its name, or, for a callback, where the call it is given to goes."""
    if function is None:
        return None
    name = ctx.taint.function_name(function)
    if name != "<anonymous>":
        if is_security_value_name(name):
            return f"the result of `{name}()`"
        return None
    parent = function.parent
    if parent is not None and parent.type == "arguments":
        return security_destination(parent, ctx)
    if parent is not None and parent.type == "pair":
        return security_destination(function, ctx)
    return None


def _function_of(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and node_key(a) == node_key(b)
