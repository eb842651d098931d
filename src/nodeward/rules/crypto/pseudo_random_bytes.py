"""## What it finds
Calls of `crypto.pseudoRandomBytes()` and of its undocumented alias `crypto.prng()` from the Node.js
`crypto` module, however the function was reached (`require`, `import`, destructuring, an alias,
`util.promisify`). Objects of your own with a method of the same name are not reported, and neither
is `crypto.rng()`, which always was an alias of the secure `crypto.randomBytes()`.

## Why it matters
`pseudoRandomBytes` promised bytes that are "not necessarily unpredictable": up to Node.js 0.12 it
used OpenSSL's `RAND_pseudo_bytes`, which quietly returned guessable output when the generator was
not seeded well. Tokens, identifiers, salts or keys built from it can then be predicted (use of a
weak pseudo-random generator, CWE-338). Since io.js 1.x and Node.js 4 it is an alias of
`crypto.randomBytes()`, and it is deprecated (DEP0115) and may be removed; code that chose it asked
for non-cryptographic randomness, so whatever it protects deserves a second look.

## How to fix
Call `crypto.randomBytes()` (or `crypto.randomUUID()`, `crypto.randomInt()`, or
`crypto.getRandomValues()` from Web Crypto): they take the same arguments and give
cryptographically strong bytes on every Node.js version.

## Bad
```js
const crypto = require("crypto");
function sessionId() {
  return crypto.pseudoRandomBytes(16).toString("hex");
}
```

## Good
```js
const crypto = require("crypto");
function sessionId() {
  return crypto.randomBytes(16).toString("hex");
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext

# `crypto.prng` was exported as the same function as `pseudoRandomBytes`; `crypto.rng` was
# `randomBytes` (cryptographically strong) and is deliberately absent.
PSEUDO_RANDOM_FUNCTIONS = {"crypto.pseudoRandomBytes", "crypto.prng"}


class PseudoRandomBytes(Rule):
    id = "NW201"
    name = "pseudo-random-bytes"
    title = "Random bytes from the non-cryptographic crypto.pseudoRandomBytes"
    cwe = (338,)
    owasp = "A02"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Use crypto.randomBytes(), which takes the same arguments and gives cryptographically strong bytes."
    visits = ("call_expression",)
    call_names = last_names(PSEUDO_RANDOM_FUNCTIONS)
    requires_text = (b"pseudoRandomBytes", b"prng")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name in PSEUDO_RANDOM_FUNCTIONS:
            yield ctx.report(
                node,
                f"`{name}` gives bytes that are not guaranteed to be unpredictable; use `crypto.randomBytes`",
            )
