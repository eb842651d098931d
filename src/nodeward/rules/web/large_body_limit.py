"""## What it finds
Request body parsers configured to accept very large or unlimited bodies: `express.json`,
`express.urlencoded`, `express.text`, `express.raw` and the same parsers of `body-parser`, with a
`limit` above 5 MB (50 MB for `raw`, which upload routes use) or `Infinity`; `koa-bodyparser` and
`koa-body` with `jsonLimit`, `formLimit` or `textLimit` above 5 MB; and Fastify's `bodyLimit` above 5 MB.
Limits given as numbers of bytes or as strings (`"50mb"`, `"1gb"`) are understood; limits known only
at run time are not judged. The parsers' defaults (100 KB for Express, 1 MB for Fastify and Koa) are
fine.

## Why it matters
Every body is read into memory and parsed on the event loop before any handler runs, for every
client, authenticated or not. A few concurrent requests with bodies of tens of megabytes exhaust
memory or block the process while `JSON.parse` runs (uncontrolled resource consumption, CWE-400;
allocation of resources without limits, CWE-770).

## How to fix
Keep the global limit small (the default, or a few hundred KB), raise it only on the routes that need
it, and stream large uploads to storage (multer, busboy) with their own size limits.

## Bad
```js
const express = require("express");
const app = express();
app.use(express.json({ limit: "50mb" }));
```

## Good
```js
const express = require("express");
const app = express();
app.use(express.json({ limit: "200kb" }));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, human_size, numeric_value, object_entries, parse_size

MB = 1024 * 1024
# Parsers: qualified name -> {option: threshold in bytes above which it is reported}.
PARSERS: dict[str, dict[str, float]] = {
    **{f"{m}.{p}": {"limit": 5 * MB} for m in ("express", "body-parser") for p in ("json", "urlencoded", "text")},
    **{f"{m}.raw": {"limit": 50 * MB} for m in ("express", "body-parser")},
    "koa-bodyparser": {"jsonLimit": 5 * MB, "formLimit": 5 * MB, "textLimit": 5 * MB},
    "@koa/bodyparser": {"jsonLimit": 5 * MB, "formLimit": 5 * MB, "textLimit": 5 * MB},
    "koa-body": {"jsonLimit": 5 * MB, "formLimit": 5 * MB, "textLimit": 5 * MB},
    "koa-body.koaBody": {"jsonLimit": 5 * MB, "formLimit": 5 * MB, "textLimit": 5 * MB},
    "fastify": {"bodyLimit": 5 * MB},
    "fastify.fastify": {"bodyLimit": 5 * MB},
}


class LargeBodyLimit(Rule):
    id = "NW317"
    name = "large-body-limit"
    title = "Request body parser accepts very large or unlimited bodies"
    cwe = (400, 770)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Keep body limits small (default or a few hundred KB) and stream large uploads with their own limits."
    visits = ("call_expression",)
    call_names = last_names(PARSERS)
    app_policy = True

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name not in PARSERS:
            return
        args = ctx.arguments(node)
        found = object_entries(ctx, args[0]) if args else None
        if found is None:
            if not args:
                ctx.record_practice("body-size", "in-place", node, f"`{name}` with its default limit")
            return
        entries, _ = found
        for option, threshold in PARSERS[name].items():
            value = entries.get(option)
            if value is None:
                continue
            number = numeric_value(ctx, value)
            size = parse_size(number if number is not None else constant_value(ctx, value))
            if size is None:
                continue
            if size > threshold or size < 0:
                readable = "unlimited" if size < 0 else human_size(size)
                ctx.record_practice("body-size", "missing", value, f"`{name}` {option} {readable}")
                yield ctx.report(value, f"`{name}` accepts bodies of {readable} ({option}): a few concurrent "
                                 "requests exhaust memory or block the event loop; keep the limit small and stream "
                                 "large uploads")
                return
        ctx.record_practice("body-size", "in-place", node, f"`{name}` with a bounded limit")
