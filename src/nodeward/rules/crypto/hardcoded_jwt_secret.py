"""## What it finds
JWT signing or verification keys written into the code: a string literal (or a constant made of
literals) as the key of `jwt.sign`/`jwt.verify` (`jsonwebtoken`), the `secret` of `express-jwt` and
`koa-jwt`, the `secretOrKey` of `passport-jwt`, and for `jose` a key made with
`new TextEncoder().encode("literal")` or `createSecretKey(Buffer.from("literal"))` passed to
`SignJWT#sign` or `jwtVerify`. A key read from the environment, a file or a secret manager is fine;
a literal used as the fallback of an environment variable (`process.env.JWT_SECRET || "secret"`) is
reported with low confidence. Public keys (PEM `PUBLIC KEY` or `CERTIFICATE`) are not secrets and
are not reported.

## Why it matters
Whoever knows an HMAC signing key can mint tokens for any user and any role (use of hard-coded
credentials, CWE-798; hard-coded cryptographic key, CWE-321). A key in the source is known to
everyone with access to the repository or its history, is the same in every environment, and cannot
be rotated without a release.

## How to fix
Load the key from the environment or a secret manager at start-up (fail when it is missing), use a
long random value or an asymmetric key pair, and rotate the key that was committed.

## Bad
```js
const jwt = require("jsonwebtoken");
const issue = (user) => jwt.sign({ sub: user.id }, "super-secret", { expiresIn: "1h" });
```

## Good
```js
const jwt = require("jsonwebtoken");
const issue = (user) => jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: "1h" });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.hardcoded_session_secret import hardcoded
from nodeward.rules.web.knowledge import object_entries

# Functions and the position of their key argument.
KEY_ARGUMENTS = {"jsonwebtoken.sign": 1, "jsonwebtoken.verify": 1, "jose.jwtVerify": 1, "jwt-simple.encode": 1,
                 "jwt-simple.decode": 1}
# Factories whose options object holds the key.
KEY_OPTIONS = {
    "express-jwt": "secret", "express-jwt.expressjwt": "secret", "express-jwt.expressJwt": "secret",
    "koa-jwt": "secret", "passport-jwt.Strategy": "secretOrKey",
}
KEY_WRAPPERS = frozenset({"crypto.createSecretKey", "Buffer.from", "jose.base64url.decode"})


class HardcodedJwtSecret(Rule):
    id = "NW208"
    name = "hardcoded-jwt-secret"
    title = "JWT signed or verified with a key written in the code"
    cwe = (798, 321)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Load the JWT key from the environment or a secret manager and rotate the committed one."
    visits = ("call_expression", "new_expression")
    call_names = last_names(KEY_ARGUMENTS, KEY_OPTIONS, ["sign"])
    requires_text = (b"jsonwebtoken", b"jose", b"jwt-simple", b"express-jwt", b"koa-jwt", b"passport-jwt")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in KEY_ARGUMENTS and len(args) > KEY_ARGUMENTS[name]:
            yield from self._key(args[KEY_ARGUMENTS[name]], name, ctx)
        elif name in KEY_OPTIONS and args:
            found = object_entries(ctx, args[0])
            if found is not None and KEY_OPTIONS[name] in found[0]:
                yield from self._key(found[0][KEY_OPTIONS[name]], name, ctx)
        elif ctx.method_name(node) == "sign" and len(args) == 1 and _is_jose_signer(node, ctx):
            yield from self._key(args[0], "jose SignJWT", ctx)

    def _key(self, argument: Node, where: str, ctx: RuleContext) -> Iterator[Finding]:
        key = _unwrap_key(argument, ctx)
        text = ctx.string_value(key)
        if text is not None and "-----BEGIN" in text and ("PUBLIC KEY" in text or "CERTIFICATE" in text):
            return
        secrets: list[str] = []
        level = hardcoded(ctx, key, secrets)
        for secret in secrets:
            ctx.record_secret(key, secret)
        if level is None:
            return
        ctx.record_practice("jwt", "missing", argument, f"JWT key of `{where}` hard-coded")
        if level is Confidence.LOW:
            message = (f"the JWT key of `{where}` falls back to a value written in the code when the environment "
                       "does not set it; fail at start-up instead")
        else:
            message = f"the JWT key of `{where}` is written in the code: anyone with the source can mint valid tokens"
        # A key held in a constant is reported where it is written (once, however many calls use it).
        written = _written_at(argument, ctx)
        if written is not None:
            message += f" (used at line {argument.start_point[0] + 1})"
        yield ctx.report(written if written is not None else argument, message, confidence=level)


def _written_at(argument: Node, ctx: RuleContext) -> Node | None:
    """The literal a `const KEY = "..."` argument stands for, when it is declared apart from the call."""
    key = ctx.unwrap(argument)
    if key.type != "identifier":
        return None
    binding = ctx.model.resolve(key)
    if binding is None or binding.value is None or binding.path or not binding.is_stable:
        return None
    value = ctx.unwrap(binding.value)
    return value if value.type in ("string", "template_string") else None


def _unwrap_key(key: Node, ctx: RuleContext, depth: int = 0) -> Node:
    """`new TextEncoder().encode("x")`, `createSecretKey(Buffer.from("x"))`, a const holding one -> `"x"`."""
    key = ctx.unwrap(key)
    if depth > 4:
        return key
    if key.type == "identifier":
        binding = ctx.model.resolve(key)
        if binding is not None and binding.value is not None and binding.is_stable and not binding.path \
                and ctx.unwrap(binding.value).type == "call_expression":
            return _unwrap_key(binding.value, ctx, depth + 1)
        return key
    if key.type == "call_expression":
        args = ctx.arguments(key)
        if not args:
            return key
        if ctx.call_name(key) in KEY_WRAPPERS:
            return _unwrap_key(args[0], ctx, depth + 1)
        callee = ctx.unwrap(key.child_by_field_name("function") or key)
        receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        if ctx.method_name(key) == "encode" and receiver is not None and receiver.type == "new_expression" \
                and (ctx.call_name(receiver) == "util.TextEncoder"
                     or ctx.text(receiver.child_by_field_name("constructor") or receiver) == "TextEncoder"):
            return _unwrap_key(args[0], ctx, depth + 1)
    return key


def _is_jose_signer(call: Node, ctx: RuleContext) -> bool:
    current: Node | None = call
    for _ in range(12):
        if current is None:
            return False
        current = ctx.unwrap(current)
        if current.type == "new_expression":
            return ctx.call_name(current) == "jose.SignJWT"
        if current.type != "call_expression":
            return False
        callee = ctx.unwrap(current.child_by_field_name("function") or current)
        current = callee.child_by_field_name("object") if callee.type == "member_expression" else None
    return False
