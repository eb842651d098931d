"""## What it finds
Express, Koa, Fastify, Hapi, NestJS and Next.js applications that set no security headers: no `helmet`
(`@fastify/helmet`, `koa-helmet`), no `lusca` header options, no `headers()` in `next.config.js`, no
Hapi `routes: { security }` option, and no middleware that sets `Content-Security-Policy`,
`Strict-Transport-Security`, `X-Frame-Options` or `X-Content-Type-Options` by hand. Also `helmet` with
protections switched off (`contentSecurityPolicy: false`, `frameguard: false`, `hsts: false`, `noSniff: false`).

## Why it matters
These headers are cheap defences the browser applies: CSP limits what an injected script can do,
frame options stop clickjacking, HSTS keeps users on HTTPS, `nosniff` stops content-type confusion
(CWE-693). Express also announces itself with `X-Powered-By`, which helmet removes.

## How to fix
Register `helmet()` first on the app (or `@fastify/helmet`, `koa-helmet`) and configure the
Content-Security-Policy instead of switching it off.

## Bad
```js
const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("hello"));
```

## Good
```js
const express = require("express");
const helmet = require("helmet");
const app = express();
app.use(helmet());
app.get("/", (req, res) => res.send("hello"));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule, listing
from nodeward.practices.model import AppModel, Middleware

FRAMEWORKS = frozenset({"express", "koa", "fastify", "nestjs", "nextjs", "hapi"})


def header_middleware(app: AppModel) -> list[Middleware]:
    """Middleware that sets security headers: helmet, lusca with header options, hand-written ones."""
    return [m for m in app.all_middleware if m.kind == "helmet"
            or (m.kind == "lusca" and set(m.info.get("lusca", [])) & {"xframe", "hsts", "csp", "nosniff"})
            or any(h[1] != "remove X-Powered-By" for f in m.facts for h in f.get("headers", []))]


class MissingSecurityHeaders(AppRule):
    id = "NW353"
    name = "missing-security-headers"
    title = "Application without security headers"
    cwe = (693,)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Register helmet() (or @fastify/helmet, koa-helmet) on the app and keep its protections on."
    practice = "security-headers"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if app.framework not in FRAMEWORKS or not app.routes:
            return
        headers = header_middleware(app)
        if not headers:
            extra = " and Express announces itself with X-Powered-By" if app.framework == "express" else ""
            yield self.finding(
                "no helmet or equivalent middleware: responses carry no Content-Security-Policy, "
                f"Strict-Transport-Security, X-Frame-Options or X-Content-Type-Options header{extra}",
                app.loc, app.data.get("snippet", ""))
            return
        for middleware in headers:
            off = middleware.info.get("off", [])
            if off:
                yield self.finding(
                    f"helmet is registered with protections switched off: {listing(off)}",
                    middleware.info["loc"], middleware.info.get("snippet", ""), severity=Severity.LOW,
                    confidence=Confidence.HIGH)
