"""## What it finds
HTTP requests whose URL or host comes from outside: `http.get`/`https.request` (URL, or the `host` and
`hostname` options), axios (`axios(url)`, `axios.get(url)`, `axios({ url })`, `axios.create({ baseURL })`),
`fetch` and node-fetch, got, request, superagent, needle, undici, NestJS's injected `HttpService`
(@nestjs/axios, also through `axiosRef`), and headless-browser navigation
(`page.goto(url)` of puppeteer or playwright). A URL whose scheme and host are constant
(`` `https://api.example.com/users/${id}` ``) is not reported: the caller then controls only the path.

## Why it matters
When a client chooses where the server sends a request, it can make the server reach what the client
cannot: cloud metadata endpoints (`http://169.254.169.254/`), admin interfaces on `localhost`, internal
services behind the firewall, or `file:` URLs in a headless browser. The response, or its timing, leaks
internal data; the request itself may change state (server-side request forgery, CWE-918).

## How to fix
Keep the scheme and host constant and let the input choose only an encoded path segment or query value.
When the host really must vary, compare the parsed URL's `hostname` with an allow-list before the request
and block private address ranges after DNS resolution.

## Bad
```js
const axios = require("axios");
app.get("/preview", async (req, res) => {
  const page = await axios.get(req.query.url);
  res.send(page.data);
});
```

## Good
```js
const axios = require("axios");
app.get("/user", async (req, res) => {
  const user = await axios.get(`https://api.example.com/users/${encodeURIComponent(req.query.id)}`);
  res.json(user.data);
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

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "del", "head", "options", "request", "stream", "fetch")

#: Calls whose first argument is a URL (a string or URL object) or, for some, an options object.
URL_FIRST = {
    "http.get", "http.request", "https.get", "https.request", "http2.connect",
    "fetch", "node-fetch", "cross-fetch", "isomorphic-fetch", "axios", "got", "request", "superagent",
    "undici.request", "undici.fetch", "undici.stream", "undici.connect", "bent", "phin", "make-fetch-happen",
    "needle.request",  # needle.request(method, url, ...): handled below
    *(f"{library}.{verb}" for library in ("axios", "got", "request", "superagent", "needle", "request-promise")
      for verb in HTTP_VERBS),
    "request-promise", "request-promise-native",
}
#: Calls where the URL comes second: needle("get", url), needle.request("get", url), superagent("GET", url).
URL_SECOND = {"needle", "needle.request", "superagent"}
#: Option keys that choose where a request goes, per library.
URL_OPTIONS = {
    "http": ("host", "hostname", "href"), "https": ("host", "hostname", "href"),
    "axios": ("url", "baseURL"), "got": ("url", "prefixUrl"), "request": ("url", "uri", "baseUrl"),
    "request-promise": ("url", "uri", "baseUrl"), "undici": ("origin",),
}
INSTANCE_FACTORIES = {"axios.create": ("baseURL",), "got.extend": ("prefixUrl",), "request.defaults": ("baseUrl",)}
BROWSER_LIBRARIES = (b"puppeteer", b"playwright")
NEST_HTTP_SERVICE = "@nestjs/axios.HttpService"
GLOBAL_PREFIXES = ("globalThis.", "global.", "window.", "self.")
FIXED_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]+/", re.IGNORECASE)


def normal_name(name: str | None) -> str | None:
    """`globalThis.fetch` -> `fetch` (the model already names `axios.default.get` as `axios.get`)."""
    if name is None:
        return None
    for prefix in GLOBAL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name



def constant_prefix(node: Node, ctx: RuleContext) -> str:
    """The statically known beginning of a string built by a template or a `+` chain."""
    node = ctx.unwrap(node)
    if node.type == "template_string":
        prefix = ""
        for child in node.named_children:
            if child.type == "string_fragment":
                prefix += ctx.text(child)
            elif child.type == "escape_sequence":
                value = ctx.string_value(child)
                prefix += value if value is not None else ""
            elif child.type == "template_substitution":
                inner = child.named_children[0] if child.named_children else None
                value = ctx.string_value(inner) if inner is not None else None
                if value is None:
                    return prefix
                prefix += value
        return prefix
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator is None or ctx.text(operator) != "+" or left is None or right is None:
            return ""
        value = ctx.string_value(left)
        if value is None:
            return constant_prefix(left, ctx)
        right_value = ctx.string_value(right)
        return value + (right_value if right_value is not None else constant_prefix(right, ctx))
    value = ctx.string_value(node)
    return value if value is not None else ""


def has_fixed_host(node: Node, ctx: RuleContext) -> bool:
    """`https://api.example.com/users/${id}`: scheme and host are constant, only the path varies."""
    return FIXED_HOST.match(constant_prefix(node, ctx)) is not None


class ServerSideRequestForgery(TaintRule):
    id = "NW109"
    name = "server-side-request-forgery"
    title = "HTTP request to a URL or host chosen by the client"
    cwe = (918,)
    owasp = "A10"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Keep the scheme and host of outgoing requests constant, or check the host against an allow-list."
    visits = ("call_expression", "new_expression")
    sink_class = "ssrf"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        args = ctx.arguments(node)
        if not args:
            return
        name = normal_name(ctx.call_name(node))
        if node.type == "new_expression":
            return
        if name in INSTANCE_FACTORIES:
            yield from self._options(node, name, args[0], INSTANCE_FACTORIES[name], ctx)
            return
        if name is None or name not in URL_FIRST | URL_SECOND:
            yield from self._other_sinks(node, args, ctx)
            return
        library = name.split(".", 1)[0]
        target = args[1] if name in URL_SECOND and len(args) > 1 and ctx.string_value(args[0]) is not None \
            else args[0]
        keys = URL_OPTIONS.get(library, ("url", "uri"))
        if ctx.resolve_object(target) is not None:
            yield from self._options(node, name, target, keys, ctx)
            return
        yield from self._url(node, name, target, ctx)
        if library in ("http", "https") and len(args) > 1 and ctx.resolve_object(args[1]) is not None:
            yield from self._options(node, name, args[1], ("host", "hostname"), ctx)

    def _url(self, node: Node, name: str, url: Node, ctx: RuleContext, *, base: bool = False) -> Iterator[Sink]:
        if url.type == "spread_element" or has_fixed_host(url, ctx):
            return
        if base and re.match(r"^/(?!/)", constant_prefix(url, ctx)):
            return  # a path under the instance's base URL
        yield Sink(node, url, f"`{name}` (the URL of an outgoing request)",
                   f"`{name}` sends a request to the non-constant URL `{shorten(ctx.text(url))}`")

    def _options(self, node: Node, name: str, options: Node, keys: tuple[str, ...],
                 ctx: RuleContext) -> Iterator[Sink]:
        for key in keys:
            value = ctx.object_property(options, key)
            if value is None:
                continue
            if key not in ("host", "hostname") and has_fixed_host(value, ctx):
                continue
            yield Sink(node, value, f"`{name}` (the `{key}` of an outgoing request)",
                       f"`{name}` sends a request to the non-constant `{key}` `{shorten(ctx.text(value))}`")

    def _other_sinks(self, node: Node, args: list[Node], ctx: RuleContext) -> Iterator[Sink]:
        method = ctx.method_name(node)
        if method == "goto" and any(library in ctx.model.source for library in BROWSER_LIBRARIES):
            yield from self._url(node, "page.goto", args[0], ctx)
        elif method in HTTP_VERBS and self._receiver_factory(node, ctx) is not None:
            factory = self._receiver_factory(node, ctx)
            yield from self._url(node, f"{factory}(…).{method}", args[0], ctx, base=True)
        elif method in HTTP_VERBS and self._nest_http_service(node, ctx):
            yield from self._url(node, f"HttpService.{method}", args[0], ctx)

    @staticmethod
    def _nest_http_service(node: Node, ctx: RuleContext) -> bool:
        """`this.http.get(url)` or `this.http.axiosRef.get(url)` on an injected `HttpService` of @nestjs/axios."""
        callee = ctx.unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        if receiver is not None and receiver.type == "member_expression" and \
                ctx.model.member_property(receiver) == "axiosRef":
            receiver = receiver.child_by_field_name("object")
        return receiver is not None and b"@nestjs/axios" in ctx.model.source and \
            ctx.taint.instance_type(ctx.unwrap(receiver)) == NEST_HTTP_SERVICE

    @staticmethod
    def _receiver_factory(node: Node, ctx: RuleContext) -> str | None:
        """`const client = axios.create(...); client.get(url)`: the factory that made the receiver."""
        callee = ctx.unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        if receiver is None or receiver.type != "identifier":
            return None
        binding = ctx.model.resolve(receiver)
        if binding is None or binding.value is None or binding.path:
            return None
        value = ctx.unwrap(binding.value)
        if value.type == "await_expression" and value.named_children:
            value = ctx.unwrap(value.named_children[0])
        if value.type != "call_expression":
            return None
        factory = normal_name(ctx.call_name(value))
        return factory if factory in INSTANCE_FACTORIES else None
