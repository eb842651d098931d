"""## What it finds
TLS certificate checks switched off: `rejectUnauthorized: false` in any options object (`https.request`,
`https.Agent`, `tls.connect`, axios/got agents, database `ssl` options, `ws`), `strictSSL: false`
(`request`) and `verifySSL`/`sslVerify: false`; assignments such as
`agent.options.rejectUnauthorized = false`, `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"` (which
turns checks off for the whole process), and a `checkServerIdentity` that accepts every certificate
(`() => undefined`). A flag set from an expression (`rejectUnauthorized: !isDev`) is a configuration
choice and is not reported.

## Why it matters
Without certificate verification any machine on the network path — a compromised Wi-Fi, a proxy, a
cloud neighbour — can present its own certificate and read or change the traffic, credentials and
tokens included (improper certificate validation, CWE-295).

## How to fix
Keep verification on. For a private CA, pass its certificate with the `ca` option (or
`NODE_EXTRA_CA_CERTS`) instead of disabling checks; for a database, use the provider's CA bundle.

## Bad
```js
const https = require("https");
const agent = new https.Agent({ rejectUnauthorized: false });
```

## Good
```js
const https = require("https");
const fs = require("fs");
const agent = new https.Agent({ ca: fs.readFileSync("certs/internal-ca.pem") });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import FUNCTION_TYPES, constant_value, descendants, property_words

# Options whose value turns verification off when it is constant false.
OFF_WHEN_FALSE = frozenset({"rejectUnauthorized", "strictSSL", "verifySSL", "verify_ssl", "sslVerify"})
ENVIRONMENT_SWITCH = "NODE_TLS_REJECT_UNAUTHORIZED"


class TlsVerificationDisabled(Rule):
    id = "NW211"
    name = "tls-verification-disabled"
    title = "TLS certificate verification disabled"
    cwe = (295,)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Keep certificate verification on; trust a private CA with the `ca` option instead."
    visits = ("pair", "assignment_expression")
    requires_text = (b"rejectUnauthorized", b"strictSSL", b"verifySSL", b"verify_ssl", b"sslVerify",
                     b"NODE_TLS_REJECT_UNAUTHORIZED", b"checkServerIdentity")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "pair":
            key = node.child_by_field_name("key")
            value = node.child_by_field_name("value")
            name = property_words(ctx, key) if key is not None else None
            if name is None or value is None:
                return
            if name in OFF_WHEN_FALSE and _is_off(ctx, value):
                yield self._report(ctx, node, f"`{name}: {ctx.text(value)}` turns off certificate verification")
            elif name == "checkServerIdentity" and _accepts_all(ctx, value):
                yield self._report(ctx, node, "`checkServerIdentity` accepts every certificate")
            return
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        if ctx.qualified_name(left) == f"process.env.{ENVIRONMENT_SWITCH}" or (
                left.type in ("member_expression", "subscript_expression")
                and ctx.model.member_property(left) == ENVIRONMENT_SWITCH
                and ctx.text(left).startswith("process.env")):
            if _is_off(ctx, right):
                yield self._report(ctx, node, f"`{ENVIRONMENT_SWITCH} = {ctx.text(right)}` turns off certificate "
                                   "verification for every TLS connection of the process")
            return
        if left.type == "member_expression" and ctx.model.member_property(left) in OFF_WHEN_FALSE \
                and _is_off(ctx, right):
            yield self._report(ctx, node, f"`{ctx.text(left)} = {ctx.text(right)}` turns off certificate verification")

    def _report(self, ctx: RuleContext, node: Node, message: str) -> Finding:
        ctx.record_practice("tls", "missing", node, "TLS certificate verification disabled")
        return ctx.report(node, f"{message}: anyone on the network path can impersonate the server and read or "
                          "change the traffic")


def _is_off(ctx: RuleContext, value: Node) -> bool:
    known = constant_value(ctx, value)
    return known is False or known == 0 or known == "0" or known == "false"


def _accepts_all(ctx: RuleContext, value: Node) -> bool:
    """`() => undefined`, `() => {}`, `function () { return undefined; }`: no error is ever returned."""
    function = ctx.unwrap(value)
    if function.type not in FUNCTION_TYPES:
        return False
    body = function.child_by_field_name("body")
    if body is None:
        return False
    if body.type != "statement_block":
        return ctx.text(body) in ("undefined", "null", "void 0")
    returns = list(descendants(body, frozenset({"return_statement"})))
    statements = [c for c in body.named_children if c.type != "comment"]
    if not statements:
        return True
    return len(statements) == len(returns) and all(
        not r.named_children or ctx.text(r.named_children[0]) in ("undefined", "null", "void 0") for r in returns)
