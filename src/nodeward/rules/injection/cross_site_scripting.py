"""## What it finds
Request data written into an HTML response or a page without escaping: Express `res.send` of a string
(Express serves strings as `text/html`), `res.write`/`res.end`/Fastify `reply.send` of HTML built
with request data or in a handler that sets `Content-Type: text/html`, what a NestJS handler decorated
`@Header("Content-Type", "text/html")` returns, Koa `ctx.body = "<...>"`, React
`dangerouslySetInnerHTML`, DOM `innerHTML`/`outerHTML`/`insertAdjacentHTML`/`document.write`, and
jQuery `$(html)`/`.html()`/`.append()` with data from the page URL. Objects and arrays (sent as JSON),
also when built field by field in a variable (`let result = {}; result.error = ...`), are not reported.
Front ends: Angular's `DomSanitizer.bypassSecurityTrustHtml/Script/Style/Url/ResourceUrl`
and AngularJS's `$sce.trustAsHtml/Js/Url/ResourceUrl` given any non-constant value (they switch the
framework's sanitizer off for it; a known source makes the finding high confidence), and AngularJS's
`$sceProvider.enabled(false)`, which turns it off for every binding. Angular's own
`[innerHTML]` binding sanitizes and is not reported by itself: the bypass that feeds it is. The inline
`<script>` blocks of pages (HTML files, Vue components, EJS, Handlebars, Mustache, Nunjucks and Pug
templates) are analysed like any file: the page URL (`location.hash`, `document.URL`) or data the template
prints unescaped there (`var bio = '<%- user.bio %>'`) reaching `innerHTML` or `document.write` is reported
on the page's line. Data the template prints HTML-escaped cannot carry markup into `innerHTML`, but is still
code for `eval` (reported by `dynamic-code-evaluation`). Unescaped output in the template's markup itself
(`<%- x %>`, Vue `v-html`) is the concern of `unescaped-template-output`.

## Why it matters
Markup or script that comes from a request runs in the victim's browser with the site's origin: it
reads cookies and tokens, acts as the user, or rewrites the page (cross-site scripting, CWE-79).

## How to fix
Escape data for HTML where it is inserted (`escape-html`, `he.encode`, `validator.escape`), or send
JSON (`res.json`) or text (`res.type("text")`). Render pages with a template engine that escapes by
default; in the browser use `textContent` instead of `innerHTML` and sanitize HTML that must stay HTML
with `DOMPurify.sanitize`.

## Bad
```js
app.get("/hello", (req, res) => {
  res.send("<h1>Hello " + req.query.name + "</h1>");
});
```

## Good
```js
const escapeHtml = require("escape-html");
app.get("/hello", (req, res) => {
  res.send("<h1>Hello " + escapeHtml(req.query.name) + "</h1>");
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import (
    call_chain,
    constant_fragments,
    enclosing_function_text,
    is_response,
    name_of,
    nest_handler_decorators,
    receiver,
    root_identifier,
)

HTML_TAG = re.compile(r"<\s*[a-zA-Z!/]")
HTML_TYPE = re.compile(r"text/html|\.type\(\s*['\"]html['\"]|\.contentType\(\s*['\"](?:text/)?html")
OTHER_TYPE = re.compile(
    r"application/json|text/plain|text/csv|application/javascript|text/javascript|image/|application/octet"
    r"|\.type\(\s*['\"](?:json|text|txt|js|csv|xml|png|svg)['\"]|\.contentType\(\s*['\"](?:json|text)"
)
# Response methods that return the response, so `res.status(404).send(x)` is still `res.send`.
CHAINABLE = frozenset({"status", "type", "set", "header", "append", "vary", "cookie", "clearCookie", "contentType",
                       "code", "headers", "location", "links", "attachment"})
# `res.send(req.query)`: a whole request object is sent as JSON.
REQUEST_OBJECT = re.compile(r"^\w+\.(?:request\.)?(query|body|params|cookies|signedCookies|headers|files)$")
JQUERY_SINKS = frozenset({"html", "append", "prepend", "after", "before", "replaceWith", "wrap", "wrapAll"})
HTML_PROPERTIES = frozenset({"innerHTML", "outerHTML"})
# Calls that tell a front-end framework a value is safe markup, script or URL, so that it inserts it as is:
# Angular's DomSanitizer and AngularJS's $sce.
TRUST_BYPASS_METHODS = frozenset({"bypassSecurityTrustHtml", "bypassSecurityTrustScript", "bypassSecurityTrustStyle",
                                  "bypassSecurityTrustUrl", "bypassSecurityTrustResourceUrl", "trustAsHtml",
                                  "trustAsJs", "trustAsUrl", "trustAsResourceUrl"})



class CrossSiteScripting(TaintRule):
    id = "NW108"
    name = "cross-site-scripting"
    title = "User input written into HTML without escaping"
    cwe = (79,)
    owasp = "A03"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Escape the data for HTML (escape-html, he) or send it as JSON or plain text."
    visits = ("call_expression", "assignment_expression", "augmented_assignment_expression", "jsx_attribute",
              "return_statement")
    call_names = last_names(["write", "writeln", "send", "end", "insertAdjacentHTML", "$", "jQuery", "enabled"],
                            TRUST_BYPASS_METHODS, JQUERY_SINKS)
    sink_class = "xss"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        yield from super().check(node, ctx)
        if node.type == "call_expression" and ctx.method_name(node) == "enabled":
            function = node.child_by_field_name("function")
            args = ctx.arguments(node)
            if function is not None and ctx.text(function).replace(" ", "") == "$sceProvider.enabled" and args \
                    and ctx.text(args[0]) in ("false", "0"):
                yield ctx.report(node, "AngularJS's Strict Contextual Escaping is turned off for the whole app: "
                                 "`ng-bind-html` and `$sce`-checked bindings insert any value as HTML unsanitized",
                                 confidence=Confidence.HIGH)

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        if node.type == "call_expression":
            yield from self._call_sinks(node, ctx)
        elif node.type in ("assignment_expression", "augmented_assignment_expression"):
            yield from self._assignment_sinks(node, ctx)
        elif node.type == "return_statement":
            yield from self._nest_html_return(node, ctx)
        else:
            yield from self._jsx_sinks(node, ctx)

    # server responses ------------------------------------------------------------------------------

    def _nest_html_return(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        """What a NestJS handler decorated `@Header("Content-Type", "text/html")` returns is the HTML page."""
        if not node.named_children or self._is_json(ctx, node.named_children[0]):
            return
        value = node.named_children[0]
        for header in nest_handler_decorators(ctx, node, "Header"):
            args = ctx.arguments(header)
            if len(args) == 2 and (ctx.string_value(args[0]) or "").lower() == "content-type" and \
                    "html" in (ctx.string_value(args[1]) or "").lower():
                yield Sink(node, value, "the HTML page a NestJS handler returns (`@Header(\"Content-Type\", "
                           "\"text/html\")`)", reports_unknown_origin=False)
                return

    def _call_sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        arguments = node.child_by_field_name("arguments")
        if arguments is None or arguments.type == "template_string":
            return
        args = ctx.arguments(node)
        if not args:
            return
        method = ctx.method_name(node)
        function = node.child_by_field_name("function")
        what = shorten(ctx.text(function)) if function is not None else "call"
        if ctx.text(function or node) in ("document.write", "document.writeln", "window.document.write"):
            yield self._dom(node, args[0], what, ctx)
        elif method in TRUST_BYPASS_METHODS:
            # Turning the framework's sanitizer off is only meant for markup the application wrote itself: any
            # value it did not is worth a look, even when where it comes from cannot be told.
            yield Sink(node, args[-1], f"`{what}` (the framework inserts it without sanitizing)",
                       f"the non-constant value `{shorten(ctx.text(args[-1]))}` is marked as trusted markup: "
                       "the framework's sanitizer is turned off for it", reports_unknown_origin=True)
        elif method in ("send", "write", "end"):
            response = self._response(ctx, node)
            if response is None:
                return
            value = args[0]
            if self._is_json(ctx, value):
                return
            function_text = enclosing_function_text(ctx, node, until=node)
            # The content type set last before the sink wins (handlers often set several, one per branch).
            html_at = max((m.start() for m in HTML_TYPE.finditer(function_text)), default=-1)
            other_at = max((m.start() for m in OTHER_TYPE.finditer(function_text)), default=-1)
            html_type, other_type = html_at > other_at, other_at > html_at
            html_value = self._looks_like_html(ctx, value)
            express_send = method == "send" and name_of(ctx, response) != "reply"
            if html_value or html_type or (express_send and not other_type):
                yield Sink(node, value, f"`{what}` (an HTML response)",
                           f"the non-constant value `{shorten(ctx.text(value))}` is written into an HTML response")
        elif method == "insertAdjacentHTML" and len(args) > 1:
            yield self._dom(node, args[1], what, ctx)
        elif function is not None and ctx.unwrap(function).type == "identifier" and self._is_jquery(ctx, function):
            if not self._is_selector(ctx, args[0]):
                yield Sink(node, args[0], f"`{what}` (jQuery parses it as HTML)",
                           f"jQuery parses the non-constant value `{shorten(ctx.text(args[0]))}` as HTML")
        elif method in JQUERY_SINKS and self._on_jquery(ctx, node):
            yield self._dom(node, args[0], what, ctx)

    def _response(self, ctx: RuleContext, call: Node) -> Node | None:
        target = receiver(call)
        if target is None:
            return None
        if is_response(ctx, target):
            return target
        links = list(call_chain(ctx, target))
        if links and all(ctx.method_name(link) in CHAINABLE for link in links):
            root = root_identifier(target)
            if root is not None and is_response(ctx, root):
                return root
        return None

    @staticmethod
    def _is_json(ctx: RuleContext, value: Node) -> bool:
        value = ctx.unwrap(value)
        if value.type in ("object", "array", "number", "true", "false", "null"):
            return True
        if value.type == "identifier":
            # `let result = {}; result.error = ...; res.send(result)`: an object built up field by field is
            # still an object, and Express sends objects as JSON.
            binding = ctx.model.resolve(value)
            if binding is not None and binding.is_stable and not binding.path and binding.value is not None \
                    and ctx.unwrap(binding.value).type in ("object", "array"):
                return True
        return bool(REQUEST_OBJECT.match(ctx.text(value)))

    @staticmethod
    def _looks_like_html(ctx: RuleContext, value: Node) -> bool:
        return any(HTML_TAG.search(fragment) for fragment in constant_fragments(ctx, value))

    # Koa bodies and the DOM ------------------------------------------------------------------------

    def _assignment_sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None or left.type != "member_expression":
            return
        prop = ctx.model.member_property(left)
        if prop in HTML_PROPERTIES:
            yield self._dom(node, right, ctx.text(left), ctx)
        elif prop == "body" and ctx.text(left) in ("ctx.body", "this.body", "ctx.response.body") \
                and self._looks_like_html(ctx, right):
            yield Sink(node, right, f"`{ctx.text(left)}` (an HTML response)",
                       f"the non-constant value `{shorten(ctx.text(right))}` is written into an HTML response")

    def _jsx_sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        children = node.named_children
        if len(children) < 2 or ctx.text(children[0]) != "dangerouslySetInnerHTML":
            return
        expression = children[1]
        if expression.type != "jsx_expression" or not expression.named_children:
            return
        html = ctx.object_property(expression.named_children[0], "__html")
        if html is not None:
            yield Sink(node, html, "`dangerouslySetInnerHTML` (inserted as HTML)",
                       f"the non-constant value `{shorten(ctx.text(html))}` is inserted as HTML")

    def _dom(self, node: Node, value: Node, what: str, ctx: RuleContext) -> Sink:
        return Sink(node, value, f"`{shorten(what)}` (inserted as HTML)",
                    f"the non-constant value `{shorten(ctx.text(value))}` is inserted as HTML")

    # jQuery ------------------------------------------------------------------------------------------

    @staticmethod
    def _is_jquery(ctx: RuleContext, identifier: Node) -> bool:
        identifier = ctx.unwrap(identifier)
        if ctx.text(identifier) not in ("$", "jQuery"):
            return False
        binding = ctx.model.resolve(identifier)
        return binding is None or (binding.import_source or "") == "jquery" or \
            "jquery" in ctx.text(binding.value or identifier)

    @staticmethod
    def _is_selector(ctx: RuleContext, value: Node) -> bool:
        """`$("#list " + id)` starts with a constant selector: jQuery does not parse it as HTML."""
        value = ctx.unwrap(value)
        if value.type == "binary_expression":
            left = value.child_by_field_name("left")
            text = ctx.string_value(left) if left is not None else None
            return text is not None and not text.lstrip().startswith("<")
        if value.type == "template_string":
            fragments = [c for c in value.children if c.type == "string_fragment"]
            return bool(fragments) and fragments[0].start_byte == value.start_byte + 1 and \
                not ctx.text(fragments[0]).lstrip().startswith("<")
        return False

    def _on_jquery(self, ctx: RuleContext, call: Node) -> bool:
        target = receiver(call)
        if target is None:
            return False
        for link in call_chain(ctx, target):
            function = link.child_by_field_name("function")
            if function is not None and ctx.unwrap(function).type == "identifier" and self._is_jquery(ctx, function):
                return True
        return False
