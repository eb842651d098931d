"""## What it finds
JSON Web Tokens read with a function that does not check the signature — `jsonwebtoken`'s
`jwt.decode()`, `jose`'s `decodeJwt()`, `jwt-decode`, `jwt-simple`'s `decode(token, key, true)` — in a
request handler or middleware whose result is used as the caller's identity: stored in `req.user`,
`req.auth`, `res.locals` or `ctx.state`, or read for a claim such as `sub`, `id`, `userId`, `role`,
`isAdmin`, `permissions` or `scope`, when the same function never calls a verification function
(`jwt.verify`, `jwtVerify`, or any function whose name contains "verify"). Reading the token's
header (`kid`, `alg`) to choose the key before verifying, or reading `exp` to schedule a refresh, is
not reported.

## Why it matters
`decode` only base64-decodes the token: anyone can write `{"sub": "admin", "role": "admin"}`, encode
it and send it. Code that trusts the decoded claims accepts forged identities (improper
verification of a cryptographic signature, CWE-347; authentication bypass, CWE-287).

## How to fix
Verify the token and use what `jwt.verify(token, key, { algorithms: [...] })` (or `jose.jwtVerify`)
returns; keep `decode` for reading tokens you do not need to trust.

## Bad
```js
const jwt = require("jsonwebtoken");
function authenticate(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  req.user = jwt.decode(token);
  next();
}
```

## Good
```js
const jwt = require("jsonwebtoken");
function authenticate(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  req.user = jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ["RS256"] });
  next();
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.lang.js.parser import node_key
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, descendants, enclosing_function, parameter_name

DECODE_FUNCTIONS = frozenset(
    {"jsonwebtoken.decode", "jose.decodeJwt", "jwt-decode", "jwt-decode.jwtDecode",
     "jose.UnsecuredJWT.decode"}
)
# Claims that identify the caller or grant rights.
IDENTITY_CLAIMS = frozenset(
    {"sub", "id", "_id", "uid", "userId", "user_id", "user", "username", "email", "role", "roles", "admin", "isAdmin",
     "is_admin", "permissions", "scope", "scopes", "groups", "tenant", "tenantId", "accountId", "org", "orgId"}
)
# Objects that hold the authenticated identity for the rest of a request.
IDENTITY_HOLDERS = frozenset({"req.user", "req.auth", "request.user", "request.auth", "req.session.user"})
IDENTITY_HOLDER_OBJECTS = frozenset({"res.locals", "ctx.state", "response.locals", "req.session"})
REQUEST_PARAMETERS = frozenset({"req", "request", "ctx", "context", "socket", "event"})


class JwtDecodeWithoutVerify(Rule):
    id = "NW206"
    name = "jwt-decode-without-verify"
    title = "JWT claims trusted after decode() without signature verification"
    cwe = (347, 287)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Use the claims returned by jwt.verify (or jose.jwtVerify) with a pinned algorithm, not jwt.decode."
    visits = ("call_expression",)
    requires_text = (b"jsonwebtoken", b"jose", b"jwt-decode", b"jwt-simple")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name == "jwt-simple.decode":
            if len(args) < 3 or constant_value(ctx, args[2]) is not True:
                return
        elif name not in DECODE_FUNCTIONS:
            return
        function = enclosing_function(node)
        if function is None or not _is_request_function(function, ctx) or _verifies(function, ctx):
            return
        use = _identity_use(node, function, ctx)
        if use is None:
            return
        ctx.record_practice("jwt", "missing", node, "token claims used without verifying the signature")
        yield ctx.report(node, f"`{name}` does not check the signature, yet its claims are used as the caller's "
                         f"identity ({use}): anyone can forge them; use `jwt.verify`")


def _is_request_function(function: Node, ctx: RuleContext) -> bool:
    if ctx.taint.handler_role(function) is not None:
        return True
    current: Node | None = function
    while current is not None:
        params = current.child_by_field_name("parameters")
        if params is not None and any(parameter_name(p, ctx) in REQUEST_PARAMETERS for p in params.named_children):
            return True
        current = enclosing_function(current)
    return False


def _verifies(function: Node, ctx: RuleContext) -> bool:
    for call in descendants(function, frozenset({"call_expression"})):
        callee = call.child_by_field_name("function")
        if callee is not None and "verify" in ctx.text(callee).split(".")[-1].lower():
            return True
    return False


def _identity_use(call: Node, function: Node, ctx: RuleContext) -> str | None:
    """How the decoded claims serve as identity: assigned to `req.user`, or an identity claim is read."""
    current = call
    while current.parent is not None and current.parent.type in ("await_expression", "parenthesized_expression",
                                                                 "as_expression", "non_null_expression"):
        current = current.parent
    parent = current.parent
    if parent is None:
        return None
    if parent.type == "member_expression":
        prop = ctx.model.member_property(parent)
        return f"`.{prop}`" if prop in IDENTITY_CLAIMS else None
    if parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
        return _holder(target, ctx) if target is not None else None
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
        if target is None:
            return None
        if target.type == "object_pattern":
            for child in target.named_children:
                key = child.child_by_field_name("key") if child.type == "pair_pattern" else child
                if key is not None and ctx.text(key) in IDENTITY_CLAIMS:
                    return f"`{ctx.text(key)}`"
            return None
        if target.type != "identifier":
            return None
        name = ctx.text(target)
        for ident in descendants(function, frozenset({"identifier"})):
            if ctx.text(ident) != name or ident.start_byte <= target.start_byte:
                continue
            use = ident.parent
            if use is None:
                continue
            if use.type == "member_expression" and _same(use.child_by_field_name("object"), ident):
                prop = ctx.model.member_property(use)
                if prop in IDENTITY_CLAIMS:
                    return f"`{name}.{prop}`"
            if use.type == "assignment_expression" and _same(use.child_by_field_name("right"), ident):
                left = use.child_by_field_name("left")
                holder = _holder(left, ctx) if left is not None else None
                if holder is not None:
                    return holder
    return None


def _holder(target: Node, ctx: RuleContext) -> str | None:
    text = ctx.text(target).replace(" ", "")
    if text in IDENTITY_HOLDERS:
        return f"stored in `{text}`"
    if target.type == "member_expression":
        obj = target.child_by_field_name("object")
        if obj is not None and ctx.text(obj).replace(" ", "") in IDENTITY_HOLDER_OBJECTS:
            return f"stored in `{text}`"
    return None


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and node_key(a) == node_key(b)
