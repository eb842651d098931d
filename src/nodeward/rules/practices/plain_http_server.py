"""## What it finds
Applications that serve plain HTTP with nothing that says TLS is provided in front of them: an Express, Koa,
Fastify or NestJS app started with `app.listen(...)` when the application has no HTTPS server
(`https.createServer`, `http2.createSecureServer`, Fastify's `https` option, Nest's `httpsOptions`) and does
not declare a TLS-terminating proxy (`app.set("trust proxy", ...)`, `app.enable("trust proxy")`, Koa's
`app.proxy = true`, Fastify's `trustProxy`). Low severity and low confidence (shown with `--min-confidence
low`, and always on the scorecard's TLS line): most deployments terminate TLS in a proxy or load balancer,
and this finding asks you to make that visible in code.

## Why it matters
Without TLS, passwords, session cookies and personal data cross the network in clear and can be read or
changed by anyone on the path (cleartext transmission of sensitive information, CWE-319). An app behind
a proxy that does not trust it also sees every client as the proxy: rate limits and logs key on the
wrong address, and `secure` cookies are refused.

## How to fix
Terminate TLS in front of the app and tell the framework so (`app.set("trust proxy", 1)` for one proxy
hop, Koa `app.proxy = true`, Fastify `trustProxy: true`), or serve HTTPS from Node.js itself with
`https.createServer({ key, cert }, app)`.

## Bad
```js
const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("hello"));
app.listen(3000);
```

## Good
```js
const express = require("express");
const app = express();
app.set("trust proxy", 1);
app.get("/", (req, res) => res.send("hello"));
app.listen(3000);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel

TLS_OPTIONS = ("https", "http2", "httpsOptions")


class PlainHttpServer(AppRule):
    id = "NW361"
    name = "plain-http-server"
    title = "App serves plain HTTP with no TLS or trusted proxy declared"
    cwe = (319,)
    owasp = "A02"
    severity = Severity.LOW
    # Whether a proxy adds TLS in front is decided by the deployment, which the code rarely shows: an audit
    # finding (shown with --min-confidence low) that the scorecard's TLS line always reports.
    confidence = Confidence.LOW
    fix = "Terminate TLS in a proxy and declare it (app.set('trust proxy', 1)), or serve HTTPS from Node.js."
    practice = "tls"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        listens = [s for s in app.settings if s.get("setting") == "listen"]
        if not listens:
            return
        if any(s.get("setting") == "trust proxy" and s.get("on") for s in app.settings):
            return
        options = app.data.get("options", {})
        if any(options.get(name) not in (None, False) for name in (*TLS_OPTIONS, "trustProxy")):
            return
        if any(c["practice"] == "tls" for c in app.practice_calls):
            return
        first = listens[0]
        yield self.finding(
            f"{app.name} listens on plain HTTP and declares no TLS-terminating proxy (no `trust proxy` "
            "setting) and no HTTPS server: if nothing in front adds TLS, passwords and session cookies travel "
            "in clear", first["loc"], first.get("snippet", ""))
