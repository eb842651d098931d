"""## What it finds
Redirects to a URL that comes from the request: Express `res.redirect(url)` (the URL is the last argument when
a status comes first), `res.location(url)`, Koa `ctx.redirect(url)`, Fastify `reply.redirect(url)`, Hapi
`h.redirect(url)`, the `url` a NestJS handler decorated `@Redirect()` returns, Next.js
`NextResponse.redirect(url)` and `redirect(url)` of `next/navigation`, a `Location` header set with
`setHeader`/`set`/`header`/`writeHead`, and in the browser (scripts of pages included) `location = url`,
`location.href = url`, `location.assign/replace(url)` and `window.open(url)`, where a `javascript:` URL also
runs script. A URL that starts with a constant path (`"/users/" + id`) or a constant origin followed by `/`
stays on that site and is not reported; neither is a URL checked first by an `if` that tests it (`startsWith`,
a regular expression, membership in an allow-list) and leaves the handler when the test fails. A substring
test of the URL (`url.includes(allowedHost)`, `url.indexOf(domain) !== -1`, `url.endsWith(domain)`) is not
such a check: `https://evil.example/?good.example` passes it.

## Why it matters
A link to a trusted site that bounces the visitor to an attacker's page makes phishing convincing,
and leaks tokens carried in the URL to the other site (open redirect, CWE-601). `//evil.example` and
`/\\evil.example` are absolute URLs for a browser, so a check that only tests for a leading `/` is not
enough.

## How to fix
Redirect only to paths of your own site: accept a value only if it starts with `/` and not with `//`
or `/\\`, or look the target up in an allow-list of URLs or route names. Prefer passing an identifier
of the destination rather than the URL itself.

## Bad
```js
app.get("/login/done", (req, res) => {
  res.redirect(req.query.returnTo);
});
```

## Good
```js
app.get("/login/done", (req, res) => {
  const target = req.query.returnTo;
  if (typeof target !== "string" || !target.startsWith("/") || target.startsWith("//")) {
    return res.redirect("/");
  }
  res.redirect(target);
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import (
    is_guarded,
    leading_text,
    nest_handler_decorators,
    response_headers,
    response_of,
    root_identifier,
)

# A constant start that fixes the destination's origin: a path (not `//` or `/\`), a query, a fragment,
# or an absolute URL with its host and the `/` after it.
SAME_SITE_PREFIX = re.compile(r"^(?:/[^/\\]|\?|#|\.{0,2}/?[\w-]+/|[a-z][a-z0-9+.-]*://[^/?#\\@]+[/?#])", re.IGNORECASE)
# Next.js redirects by function: in route handlers and middleware, and in server actions and components.
NEXT_REDIRECTS = frozenset({"next/server.NextResponse.redirect", "next/navigation.redirect",
                            "next/navigation.permanentRedirect"})
# Tests that can make a redirect target safe. A substring test of the URL itself (`url.includes(allowed)`,
# `url.indexOf(host) !== -1`, `url.endsWith(domain)`) is not one: `https://evil.example/?good.example` passes;
# membership of the URL in a list (`ALLOWED.includes(url)`) is.
GUARD_CHECKS = re.compile(
    r"\.(?:startsWith|test|match|some|every)\s*\(|[iI]s(?:Safe|Valid|Allowed"
    r"|Local|Relative|Internal|SameOrigin|Trusted)\w*\s*\(|\bnew URL\b"
)



# Objects through which a page reaches its own window: `window.location`, `self.location`, `top.location`.
_WINDOW_PREFIX = re.compile(r"^(?:(?:window|self|top|parent|globalThis)\.)?(?:document\.)?")


def _browser_location(text: str) -> str:
    """`window.location.href` -> `location.href`, `window.open` -> `open`: the page's navigation, by its name."""
    return _WINDOW_PREFIX.sub("", text.replace(" ", ""), count=1)


def _is_global(expression: Node, ctx: RuleContext) -> bool:
    """Whether the name a member chain starts with is the page's global (`location`, `window`), not a local."""
    root = root_identifier(expression) if expression.type != "identifier" else expression
    return root is not None and ctx.model.resolve(root) is None


class OpenRedirect(TaintRule):
    id = "NW110"
    name = "open-redirect"
    title = "Redirect to a URL taken from the request"
    cwe = (601,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Redirect only to local paths (starting with `/`, not `//` or `/\\`) or to URLs from an allow-list."
    visits = ("call_expression", "assignment_expression", "return_statement")
    sink_class = "redirect"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        method = ctx.method_name(node) if node.type == "call_expression" else None
        target: Node | None = None
        if node.type == "return_statement":
            # NestJS `@Redirect()`: a returned `{ url }` replaces the decorator's target
            if not node.named_children or not nest_handler_decorators(ctx, node, "Redirect"):
                return
            target = ctx.object_property(node.named_children[0], "url")
        elif node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            if left is None or left.type not in ("identifier", "member_expression") \
                    or not ctx.text(left).endswith(("location", "location.href")) \
                    or _browser_location(ctx.text(left)) not in ("location", "location.href") \
                    or not _is_global(left, ctx):
                return
            target = node.child_by_field_name("right")
        elif (method in ("assign", "replace", "open") and _browser_location(ctx.text(
                node.child_by_field_name("function") or node)) in ("location.assign", "location.replace", "open")
                and _is_global(node.child_by_field_name("function") or node, ctx)) \
                or (node.type == "call_expression" and ctx.call_name(node) in NEXT_REDIRECTS):
            target = next(iter(ctx.arguments(node)), None)
        elif method in ("redirect", "location"):
            if response_of(ctx, node) is None:
                return
            target = self._redirect_target(ctx, ctx.arguments(node)) if method == "redirect" else \
                next(iter(ctx.arguments(node)), None)
        else:
            for _, name, value in response_headers(ctx, node):
                if name is not None and name.lower() == "location":
                    target = value
        if target is None or self._stays_on_site(ctx, target):
            return
        # Membership in a list (`ALLOWED.includes(url)`) or equality with a value (`url === HOME`).
        name = re.escape(ctx.text(ctx.unwrap(target)))
        checked = re.compile(rf"\.(?:includes|indexOf|has)\s*\(\s*{name}\s*\)"
                             rf"|(?<![\w$.]){name}\s*[!=]==?(?!\s*(?:undefined|null)\b)|[!=]==?\s*{name}(?![\w$.(])")
        if is_guarded(ctx, node, target, GUARD_CHECKS) or is_guarded(ctx, node, target, checked):
            return
        function = node.child_by_field_name("function") or node.child_by_field_name("left")
        what = shorten(ctx.text(function)) if function is not None else "@Redirect()"
        yield Sink(node, target, f"`{what}` (the redirect target)",
                   f"the redirect target `{shorten(ctx.text(target))}` is not constant")

    @staticmethod
    def _redirect_target(ctx: RuleContext, args: list[Node]) -> Node | None:
        if not args:
            return None
        if len(args) >= 2:
            first = ctx.model.evaluate(args[0])
            if first is not None and (isinstance(first.value, int | float) or first.value == "back"):
                return args[1]  # res.redirect(301, url); ctx.redirect("back", fallback)
            if ctx.unwrap(args[0]).type == "number":
                return args[1]
            second = ctx.model.evaluate(args[1])
            if second is not None and isinstance(second.value, int | float):
                return args[0]  # fastify 5: reply.redirect(url, 301)
            return args[-1]
        return args[0]

    @staticmethod
    def _stays_on_site(ctx: RuleContext, target: Node) -> bool:
        prefix = leading_text(ctx, target)
        return prefix is not None and bool(SAME_SITE_PREFIX.match(prefix))
