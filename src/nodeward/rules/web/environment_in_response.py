"""## What it finds
Responses that send the process's whole environment or build configuration: `res.json(process.env)`,
`res.send({ env: process.env, config: process.config })`, `{ ...process.env }`, `ctx.body = process.env`,
Fastify `reply.send(process.env)`, directly or through a variable that holds such an object. A single
variable the response names (`process.env.PUBLIC_URL`) is a choice, not a leak, and is not reported.

## Why it matters
The environment is where applications keep their secrets: database URLs with passwords, API keys, signing
keys, cloud credentials. A debug or status endpoint that returns it hands them to anyone who finds the
route (exposure of sensitive information through environment variables, CWE-526; CWE-200).

## How to fix
Return only the values the client needs, named one by one (`{ version: pkg.version }`), and keep debug
endpoints out of production builds.

## Bad
```js
app.get("/debug/info", (req, res) => {
  res.json({ node: process.version, env: process.env });
});
```

## Good
```js
app.get("/debug/info", (req, res) => {
  res.json({ node: process.version, release: process.env.RELEASE_TAG });
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import response_of

SEND_METHODS = frozenset({"send", "json", "jsonp", "end", "write"})
# What holds secrets when sent whole: the environment, and Node's build configuration (`process.config`,
# which also lists paths and flags of the host).
SECRET_HOLDERS = {"process.env": "the whole environment", "process.config": "Node's build configuration"}
BODY_TARGETS = frozenset({"ctx.body", "this.body", "ctx.response.body"})
MAX_DEPTH = 6


class EnvironmentInResponse(Rule):
    id = "NW321"
    name = "environment-in-response"
    title = "Response sends the whole process environment"
    cwe = (526, 200)
    owasp = "A01"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Send only the values the client needs, one by one, never process.env as a whole."
    visits = ("call_expression", "assignment_expression")
    call_names = last_names(SEND_METHODS)
    requires_text = (b"process.env", b"process.config")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            value = node.child_by_field_name("right")
            if left is None or value is None or ctx.text(left).replace(" ", "") not in BODY_TARGETS:
                return
        else:
            if ctx.method_name(node) not in SEND_METHODS or response_of(ctx, node) is None:
                return
            args = ctx.arguments(node)
            if not args:
                return
            value = args[0]
        holder = _secret_holder(value, ctx, 0)
        if holder is not None:
            expression, what = holder
            yield ctx.report(node, f"`{expression}` ({what}, with its secrets: database URLs, API and signing keys) "
                             "is sent in the response; send only the values the client needs")


def _secret_holder(value: Node, ctx: RuleContext, depth: int) -> tuple[str, str] | None:
    """`process.env` (or `process.config`) as a whole somewhere in the value: itself, a property, a spread."""
    if depth > MAX_DEPTH:
        return None
    value = ctx.unwrap(value)
    if value.type == "member_expression":
        name = ctx.qualified_name(value)
        return (name, SECRET_HOLDERS[name]) if name in SECRET_HOLDERS else None
    if value.type == "object":
        for child in value.named_children:
            part = child.child_by_field_name("value") if child.type == "pair" else child \
                if child.type == "shorthand_property_identifier" else \
                child.named_children[0] if child.type == "spread_element" and child.named_children else None
            found = _secret_holder(part, ctx, depth + 1) if part is not None else None
            if found is not None:
                return found
        return None
    if value.type == "call_expression" and ctx.call_name(value) in ("Object.assign", "structuredClone",
                                                                   "JSON.stringify"):
        for arg in ctx.arguments(value):
            found = _secret_holder(arg, ctx, depth + 1)
            if found is not None:
                return found
        return None
    if value.type in ("identifier", "shorthand_property_identifier"):
        binding = ctx.model.resolve(value)
        if binding is not None and binding.value is not None and not binding.path and binding.is_stable:
            return _secret_holder(binding.value, ctx, depth + 1)
    return None
