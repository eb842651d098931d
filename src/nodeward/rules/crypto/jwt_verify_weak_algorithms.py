"""## What it finds
JWT verification that lets the token choose a dangerous algorithm:
- `algorithms` containing `"none"` in `jwt.verify` (`jsonwebtoken`), `express-jwt` or `passport-jwt`
  options: unsigned tokens are accepted;
- `algorithms` mixing HMAC (`HS*`) with public-key algorithms (`RS*`, `ES*`, `PS*`): a token signed
  with HS256 using the public key as the HMAC secret passes;
- `jwt.verify` without an `algorithms` list when the key is a public key: a variable or property named
  like one (`publicKey`, `pubKey`, `cert`, `jwks`, `pem`), a PEM literal, a file read whose name ends
  in `.pem`, `.pub`, `.crt` or `.cer`, or a key-lookup function (`getKey`, as with `jwks-rsa`). With a
  shared secret (an HMAC key) only HMAC algorithms can be verified, so a missing list is not reported.

## Why it matters
The algorithm is written in the token by whoever made it. jsonwebtoken before 9.0.0 used the key as an
HMAC secret when the token said HS256, even when the key was an RSA public key (CVE-2022-23541):
since the public key is public, anyone can sign tokens the server accepts. `none` accepts tokens with
no signature at all (improper verification of a cryptographic signature, CWE-347; CWE-327).

## How to fix
Always pass the exact algorithms the issuer uses: `jwt.verify(token, publicKey, { algorithms:
["RS256"] })`, never `none`, and never HMAC and public-key algorithms together.

## Bad
```js
const jwt = require("jsonwebtoken");
const fs = require("fs");
const publicKey = fs.readFileSync("keys/jwt.pub");
const verifyToken = (token) => jwt.verify(token, publicKey);
```

## Good
```js
const jwt = require("jsonwebtoken");
const fs = require("fs");
const publicKey = fs.readFileSync("keys/jwt.pub");
const verifyToken = (token) => jwt.verify(token, publicKey, { algorithms: ["RS256"] });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import FUNCTION_TYPES, constant_value, object_entries, split_words

VERIFY_FUNCTIONS = frozenset({"jsonwebtoken.verify"})
# Middlewares and strategies that take an options object with `algorithms`.
OPTION_FACTORIES = frozenset(
    {"express-jwt", "express-jwt.expressjwt", "express-jwt.expressJwt", "passport-jwt.Strategy", "koa-jwt",
     "@fastify/jwt"}
)
PUBLIC_KEY_WORDS = frozenset({"public", "pub", "cert", "certificate", "jwks", "pem", "x509", "spki"})
PUBLIC_KEY_FILES = (".pem", ".pub", ".crt", ".cer")
KEY_GETTER_WORDS = frozenset({"get", "key", "jwks", "signing"})
FILE_READS = frozenset({"fs.readFileSync", "fs.readFile", "fs.promises.readFile", "fs-extra.readFileSync"})


class JwtVerifyWeakAlgorithms(Rule):
    id = "NW207"
    name = "jwt-verify-weak-algorithms"
    title = "JWT verification accepts 'none' or algorithms chosen by the token"
    cwe = (347, 327)
    owasp = "A02"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Pass `algorithms` with exactly the issuer's algorithm (e.g. ['RS256']); never 'none' or HS* with RS*."
    visits = ("call_expression", "new_expression")
    call_names = last_names(VERIFY_FUNCTIONS, OPTION_FACTORIES)
    requires_text = (b"jsonwebtoken", b"express-jwt", b"passport-jwt", b"koa-jwt", b"@fastify/jwt")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in VERIFY_FUNCTIONS and len(args) >= 2:
            options = args[2] if len(args) >= 3 and ctx.unwrap(args[2]).type not in FUNCTION_TYPES else None
            found = object_entries(ctx, options) if options is not None else ({}, False)
            if found is None:
                return
            entries, open_ended = found
            algorithms = entries.get("algorithms")
            if algorithms is not None:
                yield from self._algorithms(algorithms, ctx)
            elif not open_ended:
                kind = _public_key(args[1], ctx)
                if kind is not None:
                    ctx.record_practice("jwt", "partly", node, "jwt.verify without an algorithms list")
                    yield ctx.report(node, f"`jwt.verify` with {kind} and no `algorithms` list: jsonwebtoken "
                                     "before 9.0.0 accepts HS256 tokens signed with the public key as the HMAC "
                                     "secret (CVE-2022-23541); pass `algorithms: ['RS256']`",
                                     confidence=Confidence.MEDIUM)
                else:
                    ctx.record_practice("jwt", "in-place", node, "jwt.verify with a shared secret")
        elif name in OPTION_FACTORIES and args:
            for arg in args[:2]:
                found = object_entries(ctx, arg)
                if found is not None and "algorithms" in found[0]:
                    yield from self._algorithms(found[0]["algorithms"], ctx)

    def _algorithms(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        value = constant_value(ctx, node)
        if not isinstance(value, list):
            return
        names = [v for v in value if isinstance(v, str)]
        if any(v.lower() == "none" for v in names):
            ctx.record_practice("jwt", "missing", node, "JWT verification accepts alg 'none'")
            yield ctx.report(node, "the `algorithms` list accepts `none`: tokens without any signature pass "
                             "verification")
            return
        hmac = [v for v in names if v.upper().startswith("HS")]
        public = [v for v in names if v.upper()[:2] in ("RS", "ES", "PS") or v.upper() == "EDDSA"]
        if hmac and public:
            ctx.record_practice("jwt", "partly", node, "JWT verification mixes HMAC and public-key algorithms")
            yield ctx.report(node, f"the `algorithms` list mixes HMAC ({', '.join(hmac)}) with public-key algorithms "
                             f"({', '.join(public)}): a token signed with the public key as HMAC secret passes")
            return
        ctx.record_practice("jwt", "in-place", node, f"JWT verification pinned to {', '.join(names)}")


def _public_key(key: Node, ctx: RuleContext, depth: int = 0) -> str | None:
    """Why the verification key looks like a public key (or a key-lookup function), or None."""
    key = ctx.unwrap(key)
    if depth > 4:
        return None
    if key.type in FUNCTION_TYPES:
        return "a key-lookup function"
    text = ctx.string_value(key)
    if text is not None and "-----BEGIN" in text and ("PUBLIC KEY" in text or "CERTIFICATE" in text):
        return "a PEM public key"
    if key.type in ("identifier", "member_expression"):
        name = ctx.text(key) if key.type == "identifier" else (ctx.model.member_property(key) or "")
        words = set(split_words(name))
        if PUBLIC_KEY_WORDS.intersection(words):
            return f"the public key `{ctx.text(key)}`"
        if key.type == "identifier":
            binding = ctx.model.resolve(key)
            if binding is not None and binding.kind == "function":
                return "a key-lookup function"
            if binding is not None and binding.value is not None and binding.is_stable and not binding.path:
                return _public_key(binding.value, ctx, depth + 1)
    if key.type in ("call_expression", "await_expression"):
        call = key if key.type == "call_expression" else (key.named_children[0] if key.named_children else key)
        if call.type == "call_expression" and ctx.call_name(call) in FILE_READS:
            args = ctx.arguments(call)
            path = ctx.string_value(args[0]) if args else None
            if path is not None and path.lower().endswith(PUBLIC_KEY_FILES) and "priv" not in path.lower():
                return f"the public key file `{path}`"
    return None
