"""## What it finds
Express, Koa, Fastify, Hapi and NestJS applications with routes but no rate limiter anywhere:
no `express-rate-limit`, `express-slow-down`, `express-brute`, `rate-limiter-flexible` (a
`consume()` call in a middleware), `@fastify/rate-limit`, `koa-ratelimit` or `hapi-rate-limit`.
Reported once, at the application.

## Why it matters
Without a limit a single client can send as many requests as the server accepts: guessing
passwords and reset codes, scraping data, or exhausting CPU, memory and database connections
until real users are refused (CWE-770). A limit at a reverse proxy or API gateway works too; this
rule cannot see those, so it reports with medium confidence.

## How to fix
Register a limiter for the whole app (for instance `app.use(rateLimit({ windowMs: 60_000, limit: 100 }))`)
and a stricter one on authentication routes.

## Bad
```js
const express = require("express");
const app = express();
app.get("/search", (req, res) => res.json([]));
```

## Good
```js
const express = require("express");
const rateLimit = require("express-rate-limit");
const app = express();
app.use(rateLimit({ windowMs: 60 * 1000, limit: 100 }));
app.get("/search", (req, res) => res.json([]));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel


def has_any_limiter(app: AppModel) -> bool:
    if any(m.is_limiter() for m in app.all_middleware) or any(m.is_limiter() for r in app.routes for m in r.own):
        return True
    return any(r.handler_facts("limiter") for r in app.routes) or "@nestjs/throttler" in app.modules


class MissingRateLimiting(AppRule):
    id = "NW351"
    name = "missing-rate-limiting"
    title = "Application without any rate limiting"
    cwe = (770,)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Register a rate limiter (express-rate-limit, @fastify/rate-limit, koa-ratelimit) for the whole app."
    practice = "rate-limiting"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if not app.routes or has_any_limiter(app):
            return
        yield self.finding(
            f"no rate limiter on this {app.framework} app "
            f"({len(app.routes)} route{'s' if len(app.routes) != 1 else ''}): "
            "one client can send unlimited requests (password guessing, scraping, resource exhaustion)",
            app.loc, app.data.get("snippet", ""))
