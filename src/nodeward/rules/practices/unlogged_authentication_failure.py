"""## What it finds
Login and other authentication handlers (found by path and by password verification) that reject a
request (401/403 response, failed password check) without any log call, in applications that do use a
logger elsewhere. Apps with no logging at all are reported once by missing-request-logging instead.
Low severity.

## Why it matters
Failed logins are the first sign of password guessing and credential stuffing. A request logger
records a 401 status at best, without the account that was tried; without a log line in the handler
nobody can alert on the pattern or tell later which accounts were attacked (CWE-778).

## How to fix
Log each failed attempt with the account name (never the password), the source address and the
reason, at warning level.

## Bad
```js
const express = require("express");
const bcrypt = require("bcrypt");
const logger = require("pino")();
const app = express();
app.post("/login", async (req, res) => {
  if (!(await bcrypt.compare(req.body.password, await hashOf(req.body.user)))) return res.sendStatus(401);
  res.sendStatus(204);
});
app.post("/orders", (req, res) => {
  logger.info({ user: req.session.user }, "order");
  res.end();
});
```

## Good
```js
const express = require("express");
const bcrypt = require("bcrypt");
const logger = require("pino")();
const app = express();
app.post("/login", async (req, res) => {
  if (!(await bcrypt.compare(req.body.password, await hashOf(req.body.user)))) {
    logger.warn({ user: req.body.user, ip: req.ip }, "login failed");
    return res.sendStatus(401);
  }
  res.sendStatus(204);
});
app.post("/orders", (req, res) => res.end());
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel, Route


def logs_failures(route: Route) -> bool:
    """Some log call in the handler: approximated as "the failure branch logs" (branches are not told apart)."""
    return bool(route.handler_facts("logs") or route.handler_facts("audit"))


class UnloggedAuthenticationFailure(AppRule):
    id = "NW357"
    name = "unlogged-authentication-failure"
    title = "Authentication failures are not logged"
    cwe = (778,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Log each failed authentication with the account and source address (never the password)."
    practice = "logging"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if not app.has_logging():
            return
        for route in app.routes:
            if not route.is_auth_route or not route.handler:
                continue
            if not (route.handler_facts("failures") or route.verifies_password):
                continue
            if logs_failures(route):
                continue
            yield self.finding(
                f"{route.label} rejects failed authentication attempts without logging them: password guessing "
                "goes unnoticed",
                route.loc, route.data.get("snippet", ""))
