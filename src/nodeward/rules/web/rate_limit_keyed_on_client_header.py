"""## What it finds
Rate limiters, lockouts and throttles that tell clients apart by a header the client writes itself:
`X-Forwarded-For`, `X-Real-IP`, `Forwarded`, `True-Client-IP`, `X-Client-IP`, `CF-Connecting-IP`. Reported
where the header is read inside a limiter's key function (`keyGenerator` of express-rate-limit and
express-slow-down, `id` of koa-ratelimit, `keyGenerator` of @fastify/rate-limit), as the key given to a
limiter (`limiter.consume(req.headers["x-forwarded-for"])` of rate-limiter-flexible), or inside a
hand-made limiter: a function that answers 429 / "too many requests" or counts attempts to lock out.

## Why it matters
Anyone can send `X-Forwarded-For: 1.2.3.<n>` with a new value on every request: each one is a new client
to the limiter, so password guessing, credential stuffing and scraping run without limit (use of a less
trusted source, CWE-348; improper restriction of excessive authentication attempts, CWE-307). Behind a
proxy, the first address of the header is still the client's own choice.

## How to fix
Key limiters on the connection's address as the framework resolves it: `req.ip` in Express with
`app.set("trust proxy", <the number of proxies in front of the app>)`, `request.ip` in Fastify with
`trustProxy`, `ctx.ip` in Koa with `app.proxy = true`. For sign-in limits, key on the account too.

## Bad
```js
const rateLimit = require("express-rate-limit");
app.use("/login", rateLimit({
  windowMs: 15 * 60 * 1000,
  max: 10,
  keyGenerator: (req) => req.headers["x-forwarded-for"] || req.ip,
}));
```

## Good
```js
const rateLimit = require("express-rate-limit");
app.set("trust proxy", 1);
app.use("/login", rateLimit({ windowMs: 15 * 60 * 1000, max: 10, keyGenerator: (req) => req.ip }));
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import enclosing_function, is_request_data

CLIENT_IP_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "forwarded", "true-client-ip", "x-client-ip",
                               "cf-connecting-ip", "x-cluster-client-ip", "fastly-client-ip", "x-forwarded"})
HEADER_METHODS = frozenset({"get", "header", "getHeader"})
# Options that hold a limiter's key function: express-rate-limit, express-slow-down, @fastify/rate-limit
# (`keyGenerator`), koa-ratelimit (`id`), express-brute (`key`).
KEY_OPTIONS = frozenset({"keyGenerator", "id", "key", "getKey", "identifier"})
# Methods that take a limiter's key: rate-limiter-flexible (`consume`, `penalty`, `block`, `get`), limiter.
KEY_METHODS = frozenset({"consume", "penalty", "block", "reward"})
# What a hand-made limiter does: refuse with 429 or "too many", count attempts and lock out.
LIMITER_TEXT = re.compile(r"\b429\b|too\s*many|rate.?limit|throttl|brute|lock.?out|attempts", re.IGNORECASE)


class RateLimitKeyedOnClientHeader(Rule):
    id = "NW319"
    name = "rate-limit-keyed-on-client-header"
    title = "Rate limiter tells clients apart by a header the client sets"
    cwe = (348, 307)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Key the limiter on req.ip with the proxy count set in 'trust proxy' (or the account for sign-in)."
    visits = ("subscript_expression", "member_expression", "call_expression")
    call_names = last_names(HEADER_METHODS)
    requires_text = (b"orwarded", b"ORWARDED", b"eal-ip", b"eal-IP", b"lient-ip", b"lient-IP", b"lient-Ip",
                     b"onnecting-ip", b"onnecting-IP")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        header = self._header(node, ctx)
        if header is None or not is_request_data(ctx, node):
            return
        role = _limiter_role(node, ctx)
        if role is None:
            return
        yield ctx.report(node, f"the `{header}` header, which any client can set to a new value on every request, "
                         f"is the key of {role}: the limit never applies; key on `req.ip` with 'trust proxy' set")

    @staticmethod
    def _header(node: Node, ctx: RuleContext) -> str | None:
        """The client-IP header this expression reads: `req.headers["x-forwarded-for"]`, `req.get("X-Real-IP")`."""
        if node.type == "call_expression":
            if ctx.method_name(node) not in HEADER_METHODS:
                return None
            args = ctx.arguments(node)
            name = ctx.string_value(args[0]) if args else None
        else:
            obj = node.child_by_field_name("object")
            if obj is None or (ctx.model.member_property(obj) != "headers" and not ctx.text(obj).endswith("headers")):
                return None
            name = ctx.model.member_property(node)
        if name is None or name.lower() not in CLIENT_IP_HEADERS:
            return None
        return name


def _limiter_role(node: Node, ctx: RuleContext) -> str | None:
    """What the header read is the key of, or None when it serves something else (a log line, a redirect)."""
    # The key given to a limiter: `limiter.consume(key)` with the header in the argument.
    current: Node | None = node
    while current is not None and current.type not in ("statement_block", "program"):
        if current.type == "arguments" and current.parent is not None \
                and ctx.method_name(current.parent) in KEY_METHODS:
            return f"`{ctx.method_name(current.parent)}` of a rate limiter"
        current = current.parent
    function = enclosing_function(node)
    if function is None:
        return None
    holder = function.parent
    # `keyGenerator: (req) => ...` or the method `keyGenerator(req) { ... }` of an options object.
    key = function.child_by_field_name("name") if function.type == "method_definition" else \
        holder.child_by_field_name("key") if holder is not None and holder.type == "pair" else None
    if key is not None and ctx.text(key).strip("'\"") in KEY_OPTIONS:
        return f"the limiter's `{ctx.text(key)}`"
    # A hand-made limiter: the function (or the one it is in, for a middleware factory) refuses or locks out.
    outer = enclosing_function(function)
    for scope in (function, outer):
        if scope is not None and LIMITER_TEXT.search(ctx.text(scope)):
            return "a hand-made rate limiter"
    return None
