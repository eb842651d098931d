"""## What it finds
JSON Web Tokens read with a function that does not check the signature — `jsonwebtoken`'s
`jwt.decode()`, `jose`'s `decodeJwt()`, `jws.decode()`, `jwt-decode`, `jwt-simple`'s
`decode(token, key, true)` — in a request handler or middleware whose result is used as the caller's
identity: stored in `req.user`,
`req.auth`, `res.locals`, `ctx.state` or the session, read for a claim such as `sub`, `id`, `userId`, `role`,
`isAdmin`, `permissions` or `scope` (also under `.payload` of `decode(token, { complete: true })` and a `data`
wrapper), sent back
to the client (`res.json(claims)`), or tested in a condition (`if (!claims) return res.sendStatus(401)`: any
string that decodes lets the request through), or given to a function of the file that reads such a claim
(`identity(claims)` with `identity = (payload) => users.find((u) => u.id === payload.id)`); a helper of the
file that returns the decoded claims (`const claimsOf = (t) => jws.decode(t).payload`) is reported when a
request handler uses what it returns so (`claimsOf(token).data.role === "admin"`); when the same
function does not verify that token (`jwt.verify`, `jwtVerify`, or any function whose name contains
"verify", on the same token and not only in the other branch of the `if` that decodes it). Reading the token's
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
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import (
    FUNCTION_TYPES,
    constant_value,
    descendants,
    enclosing_function,
    parameter_name,
    parameter_names,
)

DECODE_FUNCTIONS = frozenset(
    {"jsonwebtoken.decode", "jose.decodeJwt", "jwt-decode", "jwt-decode.jwtDecode",
     "jose.UnsecuredJWT.decode", "jws.decode"}
)
# Claims that identify the caller or grant rights.
IDENTITY_CLAIMS = frozenset(
    {"sub", "id", "_id", "uid", "userId", "user_id", "user", "username", "email", "role", "roles", "admin", "isAdmin",
     "is_admin", "permissions", "scope", "scopes", "groups", "tenant", "tenantId", "accountId", "org", "orgId"}
)
# Properties that hold the claims rather than being one: a complete decode's `payload`, a `data` wrapper.
CLAIM_CONTAINERS = frozenset({"payload", "data", "claims"})
# Objects that hold the authenticated identity for the rest of a request.
IDENTITY_HOLDERS = frozenset({"req.user", "req.auth", "request.user", "request.auth", "req.session.user"})
IDENTITY_HOLDER_OBJECTS = frozenset({"res.locals", "ctx.state", "response.locals", "req.session"})
REQUEST_PARAMETERS = frozenset({"req", "request", "ctx", "context", "socket", "event"})
# Response methods: decoded claims given to them are returned to the client as who it is.
RESPONSE_SENDERS = frozenset({"json", "send", "jsonp", "render", "end", "write"})


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
    call_names = last_names(DECODE_FUNCTIONS, ["jwt-simple.decode"])
    requires_text = (b"jsonwebtoken", b"jose", b"jwt-decode", b"jwt-simple", b"jws")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name == "jwt-simple.decode":
            if len(args) < 3 or constant_value(ctx, args[2]) is not True:
                return
        elif name not in DECODE_FUNCTIONS:
            return
        function = enclosing_function(node)
        if function is None or _verifies(function, node, ctx):
            return
        if _is_request_function(function, ctx):
            use = _identity_use(node, function, ctx)
        else:
            use = _use_through_helper(node, function, ctx)
        if use is None:
            return
        ctx.record_practice("jwt", "missing", node, "token claims used without verifying the signature")
        yield ctx.report(node, f"`{name}` does not check the signature, yet its claims are used as the caller's "
                         f"identity ({use}): anyone can forge them; use `jwt.verify`")


def _use_through_helper(decode: Node, helper: Node, ctx: RuleContext) -> str | None:
    """`const decode = (token) => jws.decode(token).payload`: a helper that returns the claims. Its calls in
    request handlers of the file that use the result as identity (and verify nothing) are the use."""
    current = decode
    while current.parent is not None and (current.parent.type in ("await_expression", "parenthesized_expression",
                                                                  "as_expression", "non_null_expression")
                                          or (current.parent.type == "member_expression"
                                              and ctx.model.member_property(current.parent) in CLAIM_CONTAINERS)):
        current = current.parent
    returned = current.parent is not None and (current.parent.type == "return_statement" or (
        current.parent.type == "arrow_function" and _same(current.parent.child_by_field_name("body"), current)))
    name = _function_name(helper, ctx)
    if not returned or name is None:
        return None
    for call in descendants(ctx.model.tree.root_node, frozenset({"call_expression"})):
        callee = call.child_by_field_name("function")
        if callee is None or ctx.text(callee).split(".")[-1] != name:
            continue
        caller = enclosing_function(call)
        if caller is None or not _is_request_function(caller, ctx) or _verifies(caller, call, ctx):
            continue
        use = _identity_use(call, caller, ctx)
        if use is not None:
            return f"{use} through `{name}` at line {call.start_point[0] + 1}"
    return None


def _function_name(function: Node, ctx: RuleContext) -> str | None:
    """The name a function is called by: declared, held in a variable, or assigned to `exports.x`/`obj.x`."""
    named = function.child_by_field_name("name")
    if named is not None:
        return ctx.text(named)
    holder = function.parent
    if holder is not None and holder.type == "variable_declarator":
        target = holder.child_by_field_name("name")
        return ctx.text(target) if target is not None and target.type == "identifier" else None
    if holder is not None and holder.type in ("assignment_expression", "pair"):
        target = holder.child_by_field_name("left") or holder.child_by_field_name("key")
        return ctx.text(target).split(".")[-1].strip("'\"") if target is not None else None
    return None


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


def _verifies(function: Node, decode: Node, ctx: RuleContext) -> bool:
    """Whether the function verifies the decoded token: a call of a verification function on the same token (or
    on a token it cannot tell), not in the other branch of a choice whose branch runs the decode (`if (alg ===
    "none") claims = jwt.decode(t); else claims = jwt.verify(t, key)` verifies only the tokens it does not decode)."""
    args = ctx.arguments(decode)
    token = ctx.text(args[0]) if args else None
    for call in descendants(function, frozenset({"call_expression"})):
        callee = call.child_by_field_name("function")
        if callee is None or "verify" not in ctx.text(callee).split(".")[-1].lower():
            continue
        verified = ctx.arguments(call)
        references = ("identifier", "member_expression")
        if token is not None and verified and ctx.unwrap(verified[0]).type in references \
                and ctx.unwrap(args[0]).type in references and ctx.text(verified[0]) != token:
            continue  # another token
        if not _exclusive(call, decode):
            return True
    return False


def _exclusive(first: Node, second: Node) -> bool:
    """Whether the two nodes are in different branches of one `if`/`else` or `?:`: never both run."""
    branches: dict[int, Node] = {}
    current: Node | None = first
    while current is not None and current.parent is not None:
        if current.parent.type in ("if_statement", "ternary_expression", "else_clause"):
            branches[node_key(current.parent)] = current
        current = current.parent
    current = second
    while current is not None and current.parent is not None:
        parent = current.parent
        seen = branches.get(node_key(parent))
        if seen is not None and node_key(seen) != node_key(current):
            if parent.type == "ternary_expression":
                return parent.child_by_field_name("condition") not in (seen, current)
            return current.type != "parenthesized_expression" and seen.type != "parenthesized_expression"
        current = parent
    return False


def _identity_use(call: Node, function: Node, ctx: RuleContext) -> str | None:
    """How the decoded claims serve as identity: stored in `req.user` or the session, an identity claim read
    (also under `.payload` of a complete decode), sent back to the client, or tested in a condition."""
    current = _outermost(call)
    direct = _use_of(current, "", ctx)
    if direct is not None:
        return direct
    parent = current.parent
    if parent is None:
        return None
    names: dict[str, str] = {}  # variable -> what it holds ("" the claims, "payload" under `.payload`)
    target: Node | None = None
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
    elif parent.type == "assignment_expression" and _same(parent.child_by_field_name("right"), current):
        target = parent.child_by_field_name("left")
    if target is None:
        return None
    if target.type == "identifier":
        names[ctx.text(target)] = ""
    elif target.type == "object_pattern":
        for child in target.named_children:
            key = child.child_by_field_name("key") if child.type == "pair_pattern" else child
            if key is None:
                continue
            if ctx.text(key) in IDENTITY_CLAIMS:
                return f"`{ctx.text(key)}`"
            if ctx.text(key) == "payload":
                value = child.child_by_field_name("value") if child.type == "pair_pattern" else child
                if value is not None and value.type in ("identifier", "shorthand_property_identifier_pattern"):
                    names[ctx.text(value)] = ""
    for ident in descendants(function, frozenset({"identifier"})):
        name = ctx.text(ident)
        if name not in names or ident.start_byte <= target.start_byte:
            continue
        use = _use_of(ident, name, ctx)
        if use is not None:
            return use
    return None


def _outermost(node: Node) -> Node:
    while node.parent is not None and node.parent.type in ("await_expression", "parenthesized_expression",
                                                           "as_expression", "non_null_expression"):
        node = node.parent
    return node


def _use_of(value: Node, name: str, ctx: RuleContext) -> str | None:
    """Whether this occurrence of the decoded claims (`value`, shown as `name`) uses them as identity."""
    shown = name or "the claims"
    parent = value.parent
    # `claims.payload.role`: the payload of a complete decode holds the claims.
    while parent is not None and parent.type == "member_expression" and _same(parent.child_by_field_name("object"),
                                                                               value):
        prop = ctx.model.member_property(parent)
        if prop in IDENTITY_CLAIMS:
            return f"`{shown}.{prop}`" if name else f"`.{prop}`"
        if prop not in CLAIM_CONTAINERS:
            return None
        value, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "assignment_expression" and _same(parent.child_by_field_name("right"), value):
        left = parent.child_by_field_name("left")
        return _holder(left, ctx) if left is not None else None
    if _is_condition(value):
        return f"`{shown}` tested to let the request through"
    if parent.type == "arguments" and parent.parent is not None:
        claim = _claim_read_by_callee(parent.parent, value, ctx)
        if claim is not None:
            return f"`{shown}` given to `{ctx.text(parent.parent.child_by_field_name('function') or parent)}`, " \
                   f"which reads `{claim}`"
    holder = parent.parent if parent.type == "pair" else None
    arguments = holder.parent if holder is not None and holder.type == "object" else parent
    if arguments is not None and arguments.type == "arguments" and arguments.parent is not None:
        method = ctx.method_name(arguments.parent)
        if method in RESPONSE_SENDERS:
            return f"`{shown}` sent back as the caller's identity"
    return None


def _claim_read_by_callee(call: Node, argument: Node, ctx: RuleContext) -> str | None:
    """`identity(claims)` where the local function `identity(payload)` reads `payload.id`: the claim it reads."""
    callee = call.child_by_field_name("function")
    if callee is None or ctx.unwrap(callee).type != "identifier":
        return None
    binding = ctx.model.resolve(ctx.unwrap(callee))
    if binding is None:
        return None
    # `const identity = (payload) => ...` holds the function; `function identity(payload)` is declared by it.
    candidate: Node | None = binding.value if binding.value is not None else binding.node
    if candidate is not None and candidate.type == "identifier":
        candidate = candidate.parent
    arguments = call.child_by_field_name("arguments")
    if candidate is None or arguments is None or candidate.type not in FUNCTION_TYPES | {"function_declaration"}:
        return None
    function = candidate
    position = next((i for i, arg in enumerate(arguments.named_children) if _same(arg, argument)), None)
    names = parameter_names(function, ctx)
    if position is None or position >= len(names):
        return None
    for member in descendants(function, frozenset({"member_expression"})):
        obj = member.child_by_field_name("object")
        prop = ctx.model.member_property(member)
        if obj is not None and ctx.text(obj) == names[position] and prop in IDENTITY_CLAIMS:
            return f"{names[position]}.{prop}"
    return None


def _is_condition(value: Node) -> bool:
    """`if (!claims)`, `claims && next()`, `claims ? a : b`: the value (negated, grouped, combined) is tested."""
    current = value
    while current.parent is not None and _passes_truth(current.parent):
        current = current.parent
    parent = current.parent
    if parent is None:
        return False
    if parent.type in ("if_statement", "while_statement", "ternary_expression"):
        return _same(parent.child_by_field_name("condition"), current)
    return False


def _passes_truth(node: Node) -> bool:
    """Whether the truth of a part decides the truth of `node`: `!x`, `(x)`, `x && y`, `x || y`."""
    if node.type in ("unary_expression", "parenthesized_expression"):
        return True
    operator = node.child_by_field_name("operator") if node.type == "binary_expression" else None
    return operator is not None and operator.type in ("&&", "||")


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
