"""## What it finds
Applications with authentication (login routes, auth middleware or sessions) and state-changing routes
that have no logging at all: no logging library (winston, pino, bunyan, log4js, ...) in the package, no
request logger (morgan, pino-http, express-winston, koa-logger, hapi-pino) and no `logger` option of
Fastify or NestJS. `console.log` calls are not counted as logging. Low severity.

## Why it matters
When an account is taken over or data is changed, the logs are what tells the team what happened,
since when, and from where (CWE-778). Without them an attack goes unnoticed and cannot be
investigated.

## How to fix
Add a structured logger (pino, winston) and a request logger (pino-http, morgan), and log
authentication events and sensitive changes with the user and the source address.

## Bad
```js
const express = require("express");
const session = require("express-session");
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post("/login", (req, res) => res.end());
app.post("/orders", (req, res) => res.end());
```

## Good
```js
const express = require("express");
const session = require("express-session");
const pinoHttp = require("pino-http");
const app = express();
app.use(pinoHttp());
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post("/login", (req, res) => res.end());
app.post("/orders", (req, res) => res.end());
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel


def has_authentication(app: AppModel) -> bool:
    return any(r.is_auth_route for r in app.routes) or any(
        m.is_auth() or m.kind == "session" for m in app.all_middleware) or any(
        m.is_auth() for r in app.routes for m in r.own)


class MissingRequestLogging(AppRule):
    id = "NW356"
    name = "missing-request-logging"
    title = "Application with authentication but no logging"
    cwe = (778,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Add a structured logger and a request logger (pino and pino-http, winston and express-winston, morgan)."
    practice = "logging"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if app.has_logging() or not has_authentication(app) or not any(r.changes_state for r in app.routes):
            return
        yield self.finding(
            "this app has authentication and state-changing routes but no logging library or request logger: "
            "logins, failures and changes leave no trace to investigate",
            app.loc, app.data.get("snippet", ""))
