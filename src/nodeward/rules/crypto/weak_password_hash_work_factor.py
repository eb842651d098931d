"""## What it finds
Password hashing functions called with too little work: bcrypt (`bcrypt`, `bcryptjs`, `@node-rs/bcrypt`)
with a cost below 10 in `hash`/`hashSync`/`genSalt`/`genSaltSync`; PBKDF2 (`crypto.pbkdf2`,
`pbkdf2Sync`, Web Crypto `deriveBits`/`deriveKey` with `name: "PBKDF2"`) with fewer iterations than
100,000 for SHA-256, 200,000 for SHA-1 and 35,000 for SHA-512 (about a sixth of the OWASP 2023
recommendations of 600,000, 1,300,000 and 210,000, so only clearly weak settings are reported);
scrypt with an explicit cost `N` (or `cost`) below 16,384; and argon2 with `memoryCost` below 19,456 KiB
(the OWASP minimum of 19 MiB). Only values known statically are checked; library defaults are fine.

## Why it matters
The work factor is what makes a leaked password hash expensive to crack. bcrypt with cost 8 is 4
times faster to attack than cost 10 and 16 times faster than cost 12; PBKDF2 with 1,000 iterations
is barely slower than a plain SHA-256 (use of a password hash with insufficient computational
effort, CWE-916).

## How to fix
Use bcrypt with a cost of at least 10 (12 is common today), argon2id with the library's defaults,
scrypt with N >= 2^17, or PBKDF2-HMAC-SHA256 with at least 600,000 iterations. Store the parameters
with each hash so they can be raised later.

## Bad
```js
const bcrypt = require("bcrypt");
async function register(user, password) {
  user.passwordHash = await bcrypt.hash(password, 8);
}
```

## Good
```js
const bcrypt = require("bcrypt");
async function register(user, password) {
  user.passwordHash = await bcrypt.hash(password, 12);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, object_entries

BCRYPT_MIN_COST = 10
# bcrypt functions and the position of their cost argument.
BCRYPT_COST_ARGUMENT = {
    f"{module}.{function}": position
    for module in ("bcrypt", "bcryptjs", "bcrypt-nodejs", "@node-rs/bcrypt")
    for function, position in (("hash", 1), ("hashSync", 1), ("genSalt", 0), ("genSaltSync", 0))
}
# PBKDF2 iterations below which a finding is reported, by digest (lower case, no dash).
PBKDF2_MIN_ITERATIONS = {"sha1": 200_000, "sha256": 100_000, "sha384": 50_000, "sha512": 35_000, "md5": 200_000}
PBKDF2_DEFAULT_MIN = 100_000
PBKDF2_CALLS = frozenset({"crypto.pbkdf2", "crypto.pbkdf2Sync"})
WEBCRYPTO_DERIVE = frozenset({"deriveBits", "deriveKey"})
SCRYPT_CALLS = frozenset({"crypto.scrypt", "crypto.scryptSync"})
SCRYPT_MIN_COST = 16_384
ARGON2_CALLS = frozenset({"argon2.hash", "@node-rs/argon2.hash", "@node-rs/argon2.hashSync"})
ARGON2_MIN_MEMORY_KIB = 19_456


class WeakPasswordHashWorkFactor(Rule):
    id = "NW204"
    name = "weak-password-hash-work-factor"
    title = "Password hash with a work factor too low (bcrypt cost, PBKDF2 iterations)"
    cwe = (916,)
    owasp = "A02"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Use bcrypt cost >= 10 (12 recommended), PBKDF2-SHA256 >= 600,000 iterations, or argon2id defaults."
    visits = ("call_expression",)
    call_names = last_names(BCRYPT_COST_ARGUMENT, PBKDF2_CALLS, WEBCRYPTO_DERIVE, SCRYPT_CALLS, ARGON2_CALLS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in BCRYPT_COST_ARGUMENT:
            yield from self._bcrypt(node, name, args, ctx)
        elif name in PBKDF2_CALLS and len(args) >= 3:
            digest = ctx.string_value(args[4]) if len(args) >= 5 else None
            yield from self._pbkdf2(node, args[2], digest, name, ctx)
        elif ctx.method_name(node) in WEBCRYPTO_DERIVE and args:
            found = object_entries(ctx, args[0])
            if found is not None and ctx.string_value(found[0].get("name") or args[0]) == "PBKDF2" \
                    and "iterations" in found[0]:
                hash_node = found[0].get("hash")
                digest = ctx.string_value(hash_node) if hash_node is not None else None
                yield from self._pbkdf2(node, found[0]["iterations"], digest, "PBKDF2 (Web Crypto)", ctx)
        elif name in SCRYPT_CALLS and len(args) >= 4:
            yield from self._scrypt(node, args[3], name, ctx)
        elif name in ARGON2_CALLS and len(args) >= 2:
            yield from self._argon2(node, args[1], name, ctx)
        elif name in ARGON2_CALLS or name in SCRYPT_CALLS:
            ctx.record_practice("password-storage", "in-place", node, f"`{name}` with default parameters")

    def _bcrypt(self, node: Node, name: str, args: list[Node], ctx: RuleContext) -> Iterator[Finding]:
        position = BCRYPT_COST_ARGUMENT[name]
        if len(args) <= position:
            if name.endswith(("genSalt", "genSaltSync")):
                ctx.record_practice("password-storage", "in-place", node, f"`{name}` with the default cost (10)")
            return
        cost = constant_value(ctx, args[position])
        if not isinstance(cost, (int, float)) or isinstance(cost, bool):
            if not name.endswith(("genSalt", "genSaltSync")):
                ctx.record_practice("password-storage", "in-place", node, f"password hashed with `{name}`")
            return
        if cost >= BCRYPT_MIN_COST:
            ctx.record_practice("password-storage", "in-place", node, f"`{name}` with cost {cost:g}")
            return
        ctx.record_practice("password-storage", "partly", node, f"`{name}` with cost {cost:g} (< 10)")
        yield ctx.report(args[position], f"bcrypt cost {cost:g} is below {BCRYPT_MIN_COST}: each step down halves "
                         "the work of cracking a leaked hash; use 12")

    def _pbkdf2(self, node: Node, iterations_node: Node, digest: str | None, name: str,
                ctx: RuleContext) -> Iterator[Finding]:
        iterations = constant_value(ctx, iterations_node)
        if not isinstance(iterations, (int, float)) or isinstance(iterations, bool):
            return
        key = (digest or "").lower().replace("-", "")
        minimum = PBKDF2_MIN_ITERATIONS.get(key, PBKDF2_DEFAULT_MIN)
        label = f"`{name}` ({digest or 'digest unknown'})"
        if iterations >= minimum:
            ctx.record_practice("password-storage", "in-place", node, f"{label} with {iterations:,.0f} iterations")
            return
        ctx.record_practice("password-storage", "partly", node, f"{label} with only {iterations:,.0f} iterations")
        yield ctx.report(iterations_node, f"PBKDF2 with {iterations:,.0f} iterations{' of ' + digest if digest else ''}"
                         f" is far below the recommended work (reported below {minimum:,}; OWASP recommends "
                         "600,000 for SHA-256)")

    def _scrypt(self, node: Node, options: Node, name: str, ctx: RuleContext) -> Iterator[Finding]:
        found = object_entries(ctx, options)
        if found is None:
            return
        cost_node = found[0].get("N") or found[0].get("cost")
        cost = constant_value(ctx, cost_node) if cost_node is not None else None
        if not isinstance(cost, (int, float)) or isinstance(cost, bool) or cost >= SCRYPT_MIN_COST:
            ctx.record_practice("password-storage", "in-place", node, f"`{name}`")
            return
        assert cost_node is not None
        ctx.record_practice("password-storage", "partly", node, f"`{name}` with N = {cost:g}")
        yield ctx.report(cost_node, f"scrypt cost N = {cost:g} is below {SCRYPT_MIN_COST:,}; use N >= 2^17")

    def _argon2(self, node: Node, options: Node, name: str, ctx: RuleContext) -> Iterator[Finding]:
        found = object_entries(ctx, options)
        if found is None:
            return
        memory_node = found[0].get("memoryCost")
        memory = constant_value(ctx, memory_node) if memory_node is not None else None
        if not isinstance(memory, (int, float)) or isinstance(memory, bool) or memory >= ARGON2_MIN_MEMORY_KIB:
            ctx.record_practice("password-storage", "in-place", node, f"`{name}`")
            return
        assert memory_node is not None
        ctx.record_practice("password-storage", "partly", node, f"`{name}` with memoryCost {memory:g} KiB")
        yield ctx.report(memory_node, f"argon2 memoryCost {memory:g} KiB is below the OWASP minimum of 19 MiB "
                         f"({ARGON2_MIN_MEMORY_KIB:,} KiB); keep the library's default")
