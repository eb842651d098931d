"""## What it finds
Secrets that sign session cookies written into the code: the `secret` of `express-session` and
`@fastify/session`, the `secret` or `keys` of `cookie-session`, the secret of `cookie-parser`, and the
`keys` of a Koa application (`app.keys = [...]`), when they are string literals (or constants made of
literals). A value read from the environment or a configuration object is fine; a literal used as the
fallback of an environment variable (`process.env.SESSION_SECRET || "dev-secret"`) is reported with
low confidence, since production may run without the variable.

## Why it matters
Whoever knows the signing secret can forge session cookies: sign `{ "user": "admin" }` and be
logged in as anyone (use of hard-coded credentials, CWE-798). A secret in the code is known to
everyone with access to the repository, its history, its forks and every build artefact, and it
cannot be rotated without a release.

## How to fix
Read the secret from the environment or a secret manager at start-up, fail when it is missing, and
rotate the value that was committed.

## Bad
```js
const session = require("express-session");
app.use(session({ name: "sid", secret: "keyboard cat" }));
```

## Good
```js
const session = require("express-session");
if (!process.env.SESSION_SECRET) throw new Error("SESSION_SECRET is not set");
app.use(session({ name: "sid", secret: process.env.SESSION_SECRET }));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import evaluate, object_entries

# Session libraries and the options (or argument positions) that hold their signing secret.
SECRET_OPTIONS: dict[str, tuple[str, ...]] = {
    "express-session": ("secret",),
    "@fastify/session": ("secret",),
    "cookie-session": ("secret", "keys"),
    "koa-session": (),
}
SECRET_ARGUMENTS: dict[str, int] = {"cookie-parser": 0}
ENV_FALLBACK_OPERATORS = frozenset({"||", "??"})


def hardcoded(ctx: RuleContext, value: Node, secrets: list[str] | None = None) -> Confidence | None:
    """HIGH when the value is made of literals only, LOW when a literal is the fallback of a non-constant;
    the literals themselves are added to ``secrets``."""
    value = ctx.unwrap(value)
    known = evaluate(ctx, value)
    found = secrets if secrets is not None else []
    if known is not None:
        content = known.value
        if isinstance(content, str) and content:
            found.append(content)
            return Confidence.HIGH
        if isinstance(content, list) and content and all(isinstance(v, str) and v for v in content):
            found.extend(content)
            return Confidence.HIGH
        return None
    if value.type == "binary_expression":
        operator = value.child_by_field_name("operator")
        right = value.child_by_field_name("right")
        if operator is not None and right is not None and ctx.text(operator) in ENV_FALLBACK_OPERATORS \
                and hardcoded(ctx, right, found) is not None:
            return Confidence.LOW
    if value.type == "array":
        levels = [hardcoded(ctx, item, found) for item in value.named_children]
        if levels and any(level is not None for level in levels):
            return Confidence.HIGH if Confidence.HIGH in levels else Confidence.LOW
    return None


class HardcodedSessionSecret(Rule):
    id = "NW312"
    name = "hardcoded-session-secret"
    title = "Session cookies signed with a secret written in the code"
    cwe = (798,)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Read the session secret from the environment or a secret manager, and rotate the committed one."
    visits = ("call_expression", "assignment_expression")
    call_names = last_names(SECRET_ARGUMENTS, SECRET_OPTIONS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "assignment_expression":
            yield from self._koa_keys(node, ctx)
            return
        library = ctx.call_name(node)
        args = ctx.arguments(node)
        if library in SECRET_ARGUMENTS:
            index = SECRET_ARGUMENTS[library]
            if len(args) > index:
                yield from self._verdict(ctx, args[index], library, "secret")
            return
        if library not in SECRET_OPTIONS or not args:
            return
        found = object_entries(ctx, args[0])
        if found is None:
            return
        entries, _ = found
        for option in SECRET_OPTIONS[library]:
            value = entries.get(option)
            if value is not None:
                yield from self._verdict(ctx, value, library, option)

    def _koa_keys(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None or left.type != "member_expression":
            return
        if ctx.model.member_property(left) != "keys" or not ctx.model.source.count(b"koa"):
            return
        obj = left.child_by_field_name("object")
        if obj is None or obj.type != "identifier":
            return
        binding = ctx.model.resolve(obj)
        if binding is None or binding.value is None or ctx.call_name(binding.value) != "koa":
            return
        yield from self._verdict(ctx, right, "koa", "keys")

    def _verdict(self, ctx: RuleContext, value: Node, library: str, option: str) -> Iterator[Finding]:
        secrets: list[str] = []
        level = hardcoded(ctx, value, secrets)
        for secret in secrets:
            ctx.record_secret(value, secret)
        if level is None:
            if not ctx.is_constant(value):
                ctx.record_practice("session-cookies", "in-place", value,
                                    f"`{library}` {option} read from configuration")
            return
        ctx.record_practice("session-cookies", "missing", value, f"`{library}` {option} hard-coded")
        if level is Confidence.LOW:
            message = (f"the `{option}` of `{library}` falls back to a secret written in the code when the "
                       "environment does not set it; fail at start-up instead")
        else:
            message = (f"the `{option}` of `{library}` is written in the code: anyone with the source can forge "
                       "session cookies")
        yield ctx.report(value, message, confidence=level)
