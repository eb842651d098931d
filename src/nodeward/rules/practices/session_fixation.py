"""## What it finds
Sign-in handlers that mark the session as authenticated without giving it a new id: an authentication route
(found by its path or by a handler that verifies a password) that writes who the user is into a
server-side session (`req.session.userId = user.id`, `req.session.user = ...`, `ctx.session.authenticated =
true`) and never calls `req.session.regenerate(...)` (or Koa's `ctx.regenerateSession()`, or Passport's
`req.login`, which regenerates the session since Passport 0.6) in that handler. Sessions kept entirely in
a signed cookie (`cookie-session`, `@fastify/secure-session`, `koa-session` without a store) are not
reported: their id changes with their content.

## Why it matters
A session id that exists before sign-in and survives it can be planted: an attacker obtains an anonymous
session, gets the victim's browser to use it (a link on a sub-domain, a cookie set over plain HTTP, a
shared computer) and is signed in as the victim as soon as the victim logs in (session fixation,
CWE-384).

## How to fix
Regenerate the session when the user signs in, then write the user into the new session:
`req.session.regenerate((err) => { req.session.userId = user.id; ... })`; with Passport, use `req.login`
(0.6 or later); with Koa's `koa-generic-session`, `await ctx.regenerateSession()`.

## Bad
```js
const express = require("express");
const session = require("express-session");
const bcrypt = require("bcrypt");
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post("/login", async (req, res) => {
  const user = await findUser(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) return res.sendStatus(401);
  req.session.userId = user.id;
  res.redirect("/");
});
```

## Good
```js
const express = require("express");
const session = require("express-session");
const bcrypt = require("bcrypt");
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post("/login", async (req, res) => {
  const user = await findUser(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) return res.sendStatus(401);
  req.session.regenerate((err) => {
    if (err) return res.sendStatus(500);
    req.session.userId = user.id;
    res.redirect("/");
  });
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices import catalog
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel


class SessionFixation(AppRule):
    id = "NW360"
    name = "session-fixation"
    title = "Session not regenerated at sign-in"
    cwe = (384,)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Call req.session.regenerate() at sign-in and write the user into the new session."
    practice = "session-cookies"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        sessions = app.of_kind("session")
        if sessions and all(m.info.get("module") in catalog.COOKIE_SESSIONS for m in sessions):
            return
        confidence = Confidence.HIGH if sessions else Confidence.MEDIUM
        reported: set[tuple[str, int]] = set()
        for route in app.routes:
            writes = route.handler_facts("session_login")
            if not writes or not route.is_auth_route or route.handler_facts("session_renewal"):
                continue
            first = writes[0]
            where = (str(first["loc"][0]), int(first["loc"][1]))
            if where in reported:  # one handler mounted on several routes
                continue
            reported.add(where)
            fields = ", ".join(dict.fromkeys(f"`session.{w['field']}`" for w in writes))
            yield self.finding(
                f"{route.label} signs the user in ({fields}) without giving the session a new id: a session id "
                "planted before sign-in stays valid after it; call `req.session.regenerate()` first",
                first["loc"], first["snippet"], confidence=confidence)
