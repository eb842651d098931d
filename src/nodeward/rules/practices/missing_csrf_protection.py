"""## What it finds
Express, Koa and Fastify applications that keep users logged in with a cookie (`express-session`,
`cookie-session`, `koa-session`, `@fastify/session`, `passport.session()`, or a sign-in token the handlers
put in a cookie themselves: `res.cookie("token", jwt)`, `Set-Cookie: auth_token=...`) and accept state-changing
requests (POST, PUT, PATCH, DELETE) without CSRF protection (`csurf`, `csrf-csrf`, `csrf-sync`,
`lusca.csrf`, `@fastify/csrf-protection`, `koa-csrf`, `tiny-csrf`). Reported once, at the application,
naming the routes left unprotected (across routers mounted from other files).

## Why it matters
The browser attaches the session cookie to any request to the site, including one a malicious page
sends from a hidden form. Without a token the server cannot tell the user's own request from a
forged one, so the attacker can change the victim's email, place orders or transfer money in their
name (CWE-352). A session cookie with `SameSite=Strict` stops most such requests and is reported
with lower confidence; `SameSite=Lax` still lets some through (top-level navigations, GET handlers
that change state, method override).

## How to fix
Add CSRF middleware before the routes that change state, for instance `doubleCsrfProtection` from
`csrf-csrf`, and send its token with each form or fetch; also set `sameSite: "strict"` (or `"lax"`)
on the session cookie.

## Bad
```js
const express = require("express");
const session = require("express-session");
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.post("/account/email", (req, res) => res.end());
```

## Good
```js
const express = require("express");
const session = require("express-session");
const { doubleCsrf } = require("csrf-csrf");
const { doubleCsrfProtection } = doubleCsrf({ getSecret: () => process.env.CSRF_SECRET });
const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));
app.use(doubleCsrfProtection);
app.post("/account/email", (req, res) => res.end());
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule, listing
from nodeward.practices.model import AppModel, Middleware


def session_middleware(app: AppModel) -> list[Middleware]:
    return [m for m in app.all_middleware
            if m.kind == "session" or (m.kind == "auth" and m.info.get("module") == "passport.session")]


def auth_cookies(app: AppModel) -> list[dict[str, Any]]:
    """Cookies the app's route handlers and middleware set to sign the user in (`res.cookie("token", jwt)`),
    in file order."""
    found = [cookie for route in app.routes for cookie in route.handler_facts("auth_cookie")]
    found += [cookie for middleware in app.all_middleware for facts in middleware.facts
              for cookie in facts.get("auth_cookie", [])]
    unique = {(cookie["loc"][0], cookie["loc"][1]): cookie for cookie in found}
    return [unique[key] for key in sorted(unique)]


class MissingCsrfProtection(AppRule):
    id = "NW350"
    name = "missing-csrf-protection"
    title = "Cookie-session app without CSRF protection"
    cwe = (352,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Add CSRF middleware (csrf-csrf, csrf-sync, lusca.csrf) before the state-changing routes."
    practice = "csrf"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        sessions = session_middleware(app)
        cookies = auth_cookies(app)
        if not sessions and not cookies:
            return
        unprotected = [r for r in app.routes if r.changes_state and not any(m.kind == "csrf" or (
            m.kind == "lusca" and "csrf" in m.info.get("lusca", [])) for m in r.middleware)]
        if not unprotected:
            return
        if sessions:
            session = sessions[0]
            same_site = str(session.info.get("session", {}).get("sameSite", "")).lower()
            keeps = f"a session cookie ({session.info.get('module') or 'session'} at {session.where()})"
        else:
            cookie = cookies[0]
            same_site = str(cookie.get("same_site", ""))
            keeps = f"its sign-in token in a cookie (`{cookie['name']}` set at {cookie['loc'][0]}:{cookie['loc'][1]})"
        confidence, note = Confidence.HIGH, ""
        if same_site in ("strict", "true"):
            confidence, note = Confidence.LOW, "; its SameSite=Strict cookie blocks most cross-site requests"
        elif same_site == "lax":
            confidence, note = Confidence.MEDIUM, "; SameSite=Lax still allows top-level cross-site navigations"
        yield self.finding(
            f"the app keeps {keeps} "
            f"but {len(unprotected)} state-changing route{'s' if len(unprotected) != 1 else ''} "
            f"{'have' if len(unprotected) != 1 else 'has'} no CSRF protection: "
            f"{listing([f'{r.label} ({r.file}:{r.line})' for r in unprotected])}{note}",
            app.loc, app.data.get("snippet", ""), confidence=confidence)
