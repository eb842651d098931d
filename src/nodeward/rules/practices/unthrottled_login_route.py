"""## What it finds
Authentication routes (login, sign-in, token, password reset, one-time-code verification: found by
their path and by handlers that verify a password with `bcrypt.compare`, `argon2.verify` or
`crypto.timingSafeEqual`) that no rate limiter or lockout covers: none on the route, none on its
router or app before it, no `rate-limiter-flexible` call and no failed-attempts counter in the handler.

## Why it matters
An attacker can try passwords, leaked credential lists or every six-digit code as fast as the server
answers (CWE-307). A global limit of hundreds of requests a minute still allows many guesses; login
routes need a stricter limit per account and per address, or a lockout.

## How to fix
Put a strict limiter on the route (for instance `rateLimit({ windowMs: 15 * 60 * 1000, limit: 5 })`) or
count failed attempts per account and lock it for a while.

## Bad
```js
const express = require("express");
const bcrypt = require("bcrypt");
const app = express();
app.post("/login", async (req, res) => {
  const ok = await bcrypt.compare(req.body.password, await hashOf(req.body.user));
  res.sendStatus(ok ? 204 : 401);
});
```

## Good
```js
const express = require("express");
const bcrypt = require("bcrypt");
const rateLimit = require("express-rate-limit");
const app = express();
const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 5 });
app.post("/login", loginLimiter, async (req, res) => {
  const ok = await bcrypt.compare(req.body.password, await hashOf(req.body.user));
  res.sendStatus(ok ? 204 : 401);
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel


class UnthrottledLoginRoute(AppRule):
    id = "NW352"
    name = "unthrottled-login-route"
    title = "Authentication route without rate limit or lockout"
    cwe = (307,)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Add a strict rate limiter or an account lockout to the authentication route."
    practice = "login-throttling"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        for route in app.routes:
            if not route.is_auth_route or route.limiter() is not None:
                continue
            if route.handler_facts("limiter") or route.handler_facts("lockout"):
                continue
            why = "verifies a password" if route.verifies_password else "is an authentication endpoint"
            yield self.finding(
                f"{route.label} {why} but no rate limiter or lockout covers it (not on the route, its router "
                "or the app): credentials can be guessed at full speed",
                route.loc, route.data.get("snippet", ""),
                confidence=Confidence.HIGH if route.verifies_password else Confidence.MEDIUM)
