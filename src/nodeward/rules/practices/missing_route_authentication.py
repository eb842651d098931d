"""## What it finds
State-changing or admin routes registered without the authentication middleware the rest of the
application uses: a route missing the per-route guard (`requireLogin`, `passport.authenticate("jwt")`,
`expressjwt(...)`, ...) that its sibling routes on the same resource have, or a route registered before
the `app.use(auth)` that protects the routes after it. Login, registration, logout and password-reset
routes are public by design and not reported.

## Why it matters
Express runs middleware in registration order and only for the routes it is given to. One route
without the guard, or registered one line too early, is open to anyone: the classic missing function
level access control (CWE-862).

## How to fix
Add the guard to the route, or register the global authentication middleware before every route that
needs it (and the public routes before it, on purpose).

## Bad
```js
const express = require("express");
const app = express();
app.get("/orders", requireLogin, (req, res) => res.json([]));
app.post("/orders", requireLogin, (req, res) => res.end());
app.delete("/orders/:id", (req, res) => res.end());
```

## Good
```js
const express = require("express");
const app = express();
app.get("/orders", requireLogin, (req, res) => res.json([]));
app.post("/orders", requireLogin, (req, res) => res.end());
app.delete("/orders/:id", requireLogin, (req, res) => res.end());
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices import catalog
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel, Route

PUBLIC_PATH = re.compile(r"(?i)(logout|log-out|signout|sign-out|forgot|webhook|health|callback|public)")


def resource(route: Route) -> str:
    """The first static segment after any mount prefix: /orders for /orders/:id, /api/orders/:id."""
    parts = [p for p in route.path.split("/") if p and not p.startswith(":") and p != "?"]
    return "/".join(parts[:2]) if len(parts) > 1 and parts[0] in ("api", "v1", "v2") else (parts[0] if parts else "")


def is_public(route: Route) -> bool:
    return route.is_auth_route or (bool(catalog.REGISTER_PATH.search(route.path)) and route.auth_guard() is None) \
        or bool(PUBLIC_PATH.search(route.path))


class MissingRouteAuthentication(AppRule):
    id = "NW359"
    name = "missing-route-authentication"
    title = "Route registered without the authentication its siblings have"
    cwe = (862,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Add the authentication middleware to the route, or register the global one before it."
    practice = "authorization"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        guarded = [r for r in app.routes if r.auth_guard() is not None]
        if not guarded:
            return
        for route in app.routes:
            if route.auth_guard() is not None or not (route.changes_state or route.is_admin) or is_public(route):
                continue
            late = next((m for m in route.after if m.is_auth() and m.prefix in ("", "/")), None)
            if late is not None:
                yield self.finding(
                    f"{route.label} is registered before the authentication middleware at {late.where()}, "
                    "so it runs without it", route.loc, route.data.get("snippet", ""), confidence=Confidence.HIGH)
                continue
            siblings = [r for r in guarded if resource(r) == resource(route) and r is not route]
            if siblings:
                guard = siblings[0].auth_guard()
                assert guard is not None
                yield self.finding(
                    f"{route.label} has no authentication middleware while {siblings[0].label} on the same "
                    f"resource uses `{guard.info.get('text', '')}` ({guard.where()})",
                    route.loc, route.data.get("snippet", ""))
