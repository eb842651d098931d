"""## What it finds
Express applications that take care of security headers (helmet with `hidePoweredBy: false`, or headers
set by hand) but still send `X-Powered-By: Express`, because neither `app.disable("x-powered-by")`
nor helmet removes it; and apps that switch it on explicitly with `app.enable("x-powered-by")`.
(An app with no security headers at all is reported by missing-security-headers, which mentions it.)

## Why it matters
The header tells every client which framework serves the site, which makes it cheap to pick the
known vulnerabilities to try (CWE-200). It is a small leak, reported with low severity.

## How to fix
Call `app.disable("x-powered-by")` or keep helmet's default, which removes the header.

## Bad
```js
const express = require("express");
const app = express();
app.use((req, res, next) => {
  res.setHeader("X-Frame-Options", "DENY");
  next();
});
app.get("/", (req, res) => res.send("hello"));
```

## Good
```js
const express = require("express");
const app = express();
app.disable("x-powered-by");
app.use((req, res, next) => {
  res.setHeader("X-Frame-Options", "DENY");
  next();
});
app.get("/", (req, res) => res.send("hello"));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel
from nodeward.rules.practices.missing_security_headers import header_middleware


def powered_by_removed(app: AppModel) -> bool | None:
    """True when removed, False when left on (or switched on), None for frameworks that do not send it."""
    if app.framework not in ("express", "nestjs"):
        return None
    if any(s.get("setting") == "x-powered-by" and s.get("on") for s in app.settings):
        return False
    if any(s.get("setting") == "x-powered-by" and not s.get("on") for s in app.settings):
        return True
    if any(m.kind == "helmet" and not m.info.get("powered_by") for m in app.all_middleware):
        return True
    return any(h[1] == "remove X-Powered-By" for m in app.all_middleware for f in m.facts for h in f.get("headers", []))


class XPoweredByHeaderEnabled(AppRule):
    id = "NW354"
    name = "x-powered-by-header-enabled"
    title = "X-Powered-By header left on"
    cwe = (200,)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    fix = 'Call app.disable("x-powered-by") or keep helmet\'s default that removes it.'
    practice = "security-headers"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if not app.routes or powered_by_removed(app) is not False:
            return
        switched_on = next((s for s in app.settings if s.get("setting") == "x-powered-by" and s.get("on")), None)
        if switched_on is None and not header_middleware(app):
            return  # missing-security-headers reports the app and mentions the header
        yield self.finding(
            "responses announce the framework with `X-Powered-By: Express`: "
            + ("it is switched on here" if switched_on else "security headers are set, but this one is not removed"),
            switched_on["loc"] if switched_on else app.loc,
            app.data.get("snippet", "") if switched_on is None else "")
