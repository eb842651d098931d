"""## What it finds
Response headers whose value or name comes from the request: `res.setHeader(name, value)`,
Express `res.set`/`res.header`/`res.append`, `res.writeHead(status, headers)`, Koa `ctx.set`. The
`Location` header is left to `open-redirect`.

## Why it matters
A header value with a carriage return and a line feed ends the header and starts another one, or the
body (HTTP response splitting, CWE-113): the attacker sets cookies or serves their own page from your
origin. Current Node.js versions reject CR and LF in header names and values (`ERR_INVALID_CHAR`), so
splitting needs an old runtime or a proxy that forwards the header; what remains on any runtime is the
header's own meaning: a `Set-Cookie` value chosen by the client (session fixation, cookie injection),
`Access-Control-Allow-Origin` reflecting any origin (other sites read the responses), a chosen
`Content-Type` or `Content-Disposition` filename, or a header whose name the client picks.

## How to fix
Do not copy request data into headers. When a value must come from the request, check it against an
allow-list (for CORS, compare the origin with the list of trusted origins) or encode it
(`encodeURIComponent`); set cookies with `res.cookie`, which encodes the value.

## Bad
```js
app.get("/api", (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin);
  res.json({ ok: true });
});
```

## Good
```js
const TRUSTED = new Set(["https://app.example.com"]);
app.get("/api", (req, res) => {
  if (TRUSTED.has(req.headers.origin)) {
    res.setHeader("Access-Control-Allow-Origin", "https://app.example.com");
  }
  res.json({ ok: true });
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import response_headers

LEFT_TO_OTHER_RULES = frozenset({"location"})



class HttpHeaderInjection(TaintRule):
    id = "NW115"
    name = "http-header-injection"
    title = "Response header set from user input"
    cwe = (113,)
    owasp = "A03"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Do not copy request data into response headers; allow-list or encode (encodeURIComponent) the value."
    visits = ("call_expression",)
    sink_class = "header"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        function = node.child_by_field_name("function")
        what = shorten(ctx.text(function)) if function is not None else "setHeader"
        for name_node, name, value in response_headers(ctx, node):
            if name is not None and name.lower() in LEFT_TO_OTHER_RULES:
                continue
            if name_node is not None and name is None:
                yield Sink(node, name_node, f"the name of a header set by `{what}`",
                           f"the header name `{shorten(ctx.text(name_node))}` is not constant")
            header = f"`{name}`" if name is not None else "a header"
            yield Sink(node, value, f"{header} set by `{what}`",
                       f"the value of {header} set by `{what}` is not constant")
