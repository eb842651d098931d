"""## What it finds
Passwords hashed with a fast, general-purpose hash: `crypto.createHash(...)` or `crypto.createHmac(...)`
(any algorithm: md5, sha1, sha256, sha512, sha3, ...) whose `update()` receives a value named like a
password (`password`, `user.pwd`, `newPassword`, `salt + password`, `` `${password}${salt}` ``), and
the hash functions of `md5`, `blueimp-md5`, `sha1`, `js-sha256`, `js-sha512` and `crypto-js` applied to
one. Salted or not makes no difference. Names are split into words as for timing-unsafe-comparison
(NW202): `passwordHash`, `passwordLength` or `resetPasswordToken` are not passwords. A fast hash
computed only to feed bcrypt, scrypt, argon2 or PBKDF2 (pre-hashing long passwords) is not reported.

## Why it matters
General-purpose hashes are built to be fast: a single GPU computes billions of MD5 or SHA-256
hashes per second, so a leaked table of such hashes is cracked for most real passwords within
hours, salt or no salt (use of a password hash with insufficient computational effort, CWE-916;
broken or risky algorithm, CWE-328).

## How to fix
Hash passwords with a function designed for it, with a work factor: `bcrypt.hash(password, 12)`,
`argon2.hash(password)` (argon2id), or `crypto.scrypt`. Verify with the library's own compare
function, and re-hash old fast hashes when users next log in.

## Bad
```js
const crypto = require("crypto");
function storePassword(user, password) {
  user.passwordHash = crypto.createHash("sha256").update(user.salt + password).digest("hex");
}
```

## Good
```js
const bcrypt = require("bcrypt");
async function storePassword(user, password) {
  user.passwordHash = await bcrypt.hash(password, 12);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import (
    SLOW_HASH_CALLS,
    descendants,
    enclosing_function,
    inside_slow_hash,
    password_part,
)

HASH_OBJECT_FACTORIES = frozenset({"crypto.createHash", "crypto.createHmac"})
# One-call hash functions of popular packages (qualified names as the model gives them).
HASH_FUNCTIONS = {
    "md5": "MD5", "blueimp-md5": "MD5", "sha1": "SHA-1", "js-sha256": "SHA-256", "js-sha256.sha256": "SHA-256",
    "js-sha256.sha224": "SHA-224", "js-sha512": "SHA-512", "js-sha512.sha512": "SHA-512", "crypto-js.MD5": "MD5",
    "crypto-js.SHA1": "SHA-1", "crypto-js.SHA256": "SHA-256", "crypto-js.SHA512": "SHA-512",
    "crypto-js.SHA3": "SHA-3", "crypto-js.HmacSHA256": "HMAC-SHA-256", "crypto-js.HmacSHA512": "HMAC-SHA-512",
    "crypto-js.HmacMD5": "HMAC-MD5", "crypto-js.HmacSHA1": "HMAC-SHA-1", "crypto-js/md5": "MD5",
    "crypto-js/sha1": "SHA-1", "crypto-js/sha256": "SHA-256", "crypto-js/sha512": "SHA-512",
    "crypto-js/hmac-sha256": "HMAC-SHA-256",
}


class PasswordFastHash(Rule):
    id = "NW203"
    name = "password-fast-hash"
    title = "Password hashed with a fast hash such as MD5 or SHA-256"
    cwe = (916, 328)
    owasp = "A02"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Hash passwords with bcrypt (cost >= 12), argon2id or scrypt, never with createHash/createHmac."
    visits = ("call_expression",)
    call_names = last_names(HASH_FUNCTIONS, ["update"])

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in HASH_FUNCTIONS:
            algorithm = HASH_FUNCTIONS[name]
        elif ctx.method_name(node) == "update":
            found = _hash_algorithm(node, ctx)
            if found is None:
                return
            algorithm = found
        else:
            return
        if not args:
            return
        password = password_part(ctx, args[0])
        if password is None or inside_slow_hash(ctx, node) or _feeds_slow_hash(node, ctx):
            return
        ctx.record_practice("password-storage", "missing", node, f"password hashed with {algorithm}")
        yield ctx.report(node, f"password `{shorten(password)}` is hashed with {algorithm}, a fast hash that "
                         "GPUs compute billions of times per second; use bcrypt, argon2id or scrypt")


def _hash_algorithm(update: Node, ctx: RuleContext) -> str | None:
    """`crypto.createHash("md5").update(x)`, also through `.update(a).update(x)` and a variable holding the hash."""
    current: Node | None = update
    for _ in range(8):
        if current is None:
            return None
        current = ctx.unwrap(current)
        if current.type == "call_expression":
            name = ctx.call_name(current)
            if name in HASH_OBJECT_FACTORIES:
                args = ctx.arguments(current)
                algorithm = ctx.string_value(args[0]) if args else None
                kind = "HMAC-" if name == "crypto.createHmac" else ""
                return f"{kind}{algorithm.upper()}" if algorithm else f"`{name}`"
            callee = ctx.unwrap(current.child_by_field_name("function") or current)
            if callee.type != "member_expression" or (ctx.method_name(current) != "update" and current is not update):
                return None
            current = callee.child_by_field_name("object")
        elif current.type == "identifier":
            binding = ctx.model.resolve(current)
            if binding is None or binding.value is None or binding.path:
                return None
            current = binding.value
        else:
            return None
    return None


def _feeds_slow_hash(node: Node, ctx: RuleContext) -> bool:
    """`const pre = sha256(password).digest(); bcrypt.hash(pre, 12)`: the digest is a pre-hash."""
    current = node.parent
    while current is not None and current.type not in ("variable_declarator", "statement_block", "program"):
        current = current.parent
    if current is None or current.type != "variable_declarator":
        return False
    target = current.child_by_field_name("name")
    function = enclosing_function(node)
    if target is None or function is None:
        return False
    name = ctx.text(target)
    return any(ctx.call_name(call) in SLOW_HASH_CALLS and any(name in ctx.text(a) for a in ctx.arguments(call))
               for call in descendants(function, frozenset({"call_expression"})))

