"""## What it finds
Express apps and routers that register CSRF middleware (`csurf`, `lusca.csrf()` or `lusca({csrf})`,
the protection middleware of `csrf-csrf` and `csrf-sync`, Express 3's `express.csrf()`) with `.use()`
before method-override middleware (`method-override`, Express 3's `express.methodOverride()`) on the
same app or router.

## Why it matters
Middleware runs in the order it is registered. CSRF middleware does not check requests whose method
is GET, HEAD or OPTIONS, because those must not change state. When method override runs after it,
the CSRF check looks at the method the browser sent while the router dispatches on the method the
override produced: a request sent as GET (which a cross-site link or image can trigger) with
`_method=DELETE` passes the CSRF middleware unchecked and then reaches the DELETE handler (CWE-352).
That happens when the override accepts GET requests: Connect's and Express 3's `methodOverride`
accepted any method, and `method-override` does with its `methods` option set to `null` or to a
list that includes GET. With `method-override`'s default (only POST requests are overridden) the
order is not exploitable by itself, but it is the order the `method-override` documentation warns
against, and it becomes a bypass as soon as the override or the CSRF options change.

## How to fix
Register method override before the CSRF middleware, so that the CSRF check sees the method the
router will use. Keep method override limited to POST requests (the default of `method-override`).

## Bad
```js
const express = require("express");
const csrf = require("csurf");
const methodOverride = require("method-override");
const app = express();
app.use(csrf());
app.use(methodOverride("_method", { methods: ["GET", "POST"] }));
```

## Good
```js
const express = require("express");
const csrf = require("csurf");
const methodOverride = require("method-override");
const app = express();
app.use(methodOverride("_method"));
app.use(csrf());
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext

# Calls that return CSRF middleware.
CSRF_FACTORIES = frozenset({"csurf", "@dr.pogodin/csurf", "lusca.csrf", "express.csrf", "connect.csrf"})
# Libraries whose factory returns an object holding the middleware: (factory, property).
CSRF_HOLDERS = frozenset(
    {("csrf-csrf.doubleCsrf", "doubleCsrfProtection"), ("csrf-sync.csrfSync", "csrfSynchronisedProtection")}
)
# Calls that return method-override middleware; the Connect/Express 3 one overrides any method.
MODERN_OVERRIDE = "method-override"
LEGACY_OVERRIDES = frozenset({"express.methodOverride", "connect.methodOverride"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_USE_CALLS = '(call_expression function: (member_expression property: (property_identifier) @p (#eq? @p "use"))) @use'


@dataclass(frozen=True, slots=True)
class Registration:
    """One middleware passed to `.use()`: what it is, where, and under which mount path."""

    kind: str  # "csrf" or "override"
    call: Node  # the `.use(...)` call
    middleware: Node
    mount: str | None  # None: every path; "?": a path not known statically
    overrides_safe_methods: bool = False

    @property
    def line(self) -> int:
        return self.middleware.start_point[0] + 1


class CsrfBeforeMethodOverride(Rule):
    id = "NW301"
    name = "csrf-before-method-override"
    title = "CSRF middleware registered before method override"
    cwe = (352,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Register the method-override middleware before the CSRF middleware."
    visits = ("program",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        by_receiver: dict[tuple[str, ...], list[Registration]] = defaultdict(list)
        for call in ctx.model.captures(_USE_CALLS).get("use", []):  # `node` is the program
            callee = ctx.unwrap(call.child_by_field_name("function") or call)
            receiver = callee.child_by_field_name("object")
            if receiver is None:
                continue
            key = self._receiver_key(receiver, ctx)
            by_receiver[key].extend(self._registrations(call, ctx))
        for registrations in by_receiver.values():
            registrations.sort(key=lambda r: r.middleware.start_byte)
            for index, csrf in enumerate(registrations):
                if csrf.kind != "csrf":
                    continue
                override = next(
                    (r for r in registrations[index + 1 :] if r.kind == "override" and _overlap(csrf.mount, r.mount)),
                    None,
                )
                if override is None:
                    continue
                if override.overrides_safe_methods:
                    consequence = (
                        "it overrides GET requests, so a cross-site GET with an overridden method skips the "
                        "CSRF check"
                    )
                else:
                    consequence = "the CSRF check sees the method sent, not the one the router dispatches on"
                yield ctx.report(
                    csrf.call,
                    f"CSRF middleware `{shorten(ctx.text(csrf.middleware))}` is registered before the method "
                    f"override on line {override.line}: {consequence}; register method override first",
                    confidence=Confidence.HIGH if override.overrides_safe_methods else Confidence.MEDIUM,
                )

    def _receiver_key(self, receiver: Node, ctx: RuleContext) -> tuple[str, ...]:
        """The same app or router: one binding, or the same text for `this.app` and the like."""
        for _ in range(20):
            receiver = ctx.unwrap(receiver)
            if receiver.type == "call_expression" and ctx.method_name(receiver) == "use":
                # app.use(a).use(b): the second `use` registers on `app` too
                callee = ctx.unwrap(receiver.child_by_field_name("function") or receiver)
                inner = callee.child_by_field_name("object")
                if inner is None:
                    break
                receiver = inner
                continue
            break
        if receiver.type == "identifier":
            binding = ctx.model.resolve(receiver)
            if binding is not None:
                return ("binding", binding.name, str(binding.node.start_byte))
            return ("global", ctx.text(receiver))
        return ("text", " ".join(ctx.text(receiver).split()))

    def _registrations(self, call: Node, ctx: RuleContext) -> Iterator[Registration]:
        args = ctx.arguments(call)
        mount: str | None = None
        if args and self._is_mount_path(args[0], ctx):
            mount = ctx.string_value(args[0]) if ctx.unwrap(args[0]).type != "array" else "?"
            if mount is None:
                mount = "?"
            args = args[1:]
        for arg in _flatten(args, ctx):
            kind, safe = self._classify(arg, ctx)
            if kind is not None:
                yield Registration(kind, call, arg, mount, safe)

    @staticmethod
    def _is_mount_path(node: Node, ctx: RuleContext) -> bool:
        node = ctx.unwrap(node)
        if node.type in ("string", "template_string", "regex"):
            return True
        if node.type == "array":
            return all(ctx.unwrap(e).type in ("string", "template_string", "regex") for e in node.named_children)
        return ctx.string_value(node) is not None

    def _classify(self, node: Node, ctx: RuleContext) -> tuple[str | None, bool]:
        """("csrf" | "override" | None, whether an override accepts GET/HEAD/OPTIONS requests)."""
        node = ctx.unwrap(node)
        for _ in range(5):
            if node.type != "identifier":
                break
            binding = ctx.model.resolve(node)
            if binding is None or binding.value is None or not binding.is_stable:
                return None, False
            value = ctx.unwrap(binding.value)
            if binding.path:
                # const { doubleCsrfProtection } = doubleCsrf({...})
                if len(binding.path) == 1 and value.type == "call_expression":
                    holder = (ctx.call_name(value), binding.path[0])
                    return ("csrf" if holder in CSRF_HOLDERS else None), False
                return None, False
            node = value
        if node.type == "member_expression":
            # const csrf = doubleCsrf({...}); app.use(csrf.doubleCsrfProtection)
            obj = node.child_by_field_name("object")
            prop = ctx.model.member_property(node)
            factory = self._bound_call(obj, ctx) if obj is not None else None
            if factory is not None and (ctx.call_name(factory), prop) in CSRF_HOLDERS:
                return "csrf", False
            return None, False
        if node.type != "call_expression":
            return None, False
        name = ctx.call_name(node)
        if name in CSRF_FACTORIES:
            return "csrf", False
        if name == "lusca":
            args = ctx.arguments(node)
            option = ctx.object_property(args[0], "csrf") if args else None
            if option is not None:
                enabled = ctx.model.evaluate(option)
                if enabled is None or enabled.value not in (False, None, 0, ""):
                    return "csrf", False
            return None, False
        if name in LEGACY_OVERRIDES:
            return "override", True
        if name == MODERN_OVERRIDE:
            return "override", self._overrides_safe_methods(node, ctx)
        return None, False

    def _bound_call(self, node: Node, ctx: RuleContext) -> Node | None:
        node = ctx.unwrap(node)
        if node.type == "call_expression":
            return node
        if node.type != "identifier":
            return None
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        value = ctx.unwrap(binding.value)
        return value if value.type == "call_expression" else None

    @staticmethod
    def _overrides_safe_methods(call: Node, ctx: RuleContext) -> bool:
        """`methodOverride(getter, { methods: null | [..., "GET"] })`; the default is POST only."""
        args = ctx.arguments(call)
        if len(args) < 2:
            return False
        methods = ctx.object_property(args[1], "methods")
        if methods is None:
            return ctx.resolve_object(args[1]) is None  # options not known statically
        value = ctx.model.evaluate(methods)
        if value is None:
            return True
        if value.value is None:
            return ctx.unwrap(methods).type == "null"  # null overrides every method; undefined is the default
        if isinstance(value.value, list):
            return any(isinstance(m, str) and m.upper() in SAFE_METHODS for m in value.value)
        return isinstance(value.value, str) and value.value.upper() in SAFE_METHODS


def _flatten(args: list[Node], ctx: RuleContext) -> Iterator[Node]:
    """Middleware arguments in order, with arrays of middleware opened: `app.use([a, b], c)`."""
    for arg in args:
        inner = ctx.unwrap(arg)
        if inner.type == "array":
            yield from _flatten([c for c in inner.named_children if c.type != "comment"], ctx)
        elif inner.type != "spread_element":
            yield inner


def _overlap(first: str | None, second: str | None) -> bool:
    """Whether some request path goes through middleware mounted at both paths."""
    if first is None or second is None or "?" in (first, second):
        return True
    a, b = first.rstrip("/") or "/", second.rstrip("/") or "/"
    if "/" in (a, b) or a == b:
        return True
    return a.startswith(b + "/") or b.startswith(a + "/")

