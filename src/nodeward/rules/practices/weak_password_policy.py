"""## What it finds
Registration and password-change handlers (POST/PUT/PATCH routes whose path names register, signup,
users or password, or whose handler hashes a password with bcrypt, argon2, scrypt or PBKDF2) that
accept a password with no minimum length check, or with a minimum below 8 characters. Checks are
found in joi, zod and yup schemas (`password: Joi.string().min(12)`), express-validator chains
(`body("password").isLength({ min: 12 })`, `isStrongPassword()`), class-validator decorators
(`@MinLength(12)`) and hand-written comparisons (`password.length < 12`), in the handler, its route
middleware, its module or any module of the same package.

## Why it matters
Short passwords fall to guessing and to offline cracking of a leaked hash database within minutes
(CWE-521). NIST SP 800-63B asks for at least 8 characters (15 without a second factor).

## How to fix
Validate the password before storing it: at least 8 characters (better 12 to 15), a generous maximum
such as 128, and a check against known-breached passwords.

## Bad
```js
const express = require("express");
const bcrypt = require("bcrypt");
const app = express();
app.post("/register", async (req, res) => {
  await save(req.body.email, await bcrypt.hash(req.body.password, 12));
  res.sendStatus(201);
});
```

## Good
```js
const express = require("express");
const bcrypt = require("bcrypt");
const app = express();
app.post("/register", async (req, res) => {
  const password = String(req.body.password);
  if (password.length < 12) return res.status(400).send("password too short");
  await save(req.body.email, await bcrypt.hash(password, 12));
  res.sendStatus(201);
});
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel, Route

MINIMUM = 8


def password_checks(app: AppModel, route: Route) -> tuple[list[dict[str, Any]], bool]:
    """The checks that apply to a route's password, and whether they are local to it (else package-wide)."""
    local = [*route.data.get("inline_checks", []), *route.handler_facts("password_checks")]
    for middleware in route.own:
        local.extend(c for f in middleware.facts for c in f.get("password_checks", []))
    if local:
        return local, True
    files = {route.file, *(str(h["loc"][0]) for h in route.handler)}
    nearby = [c for c in app.password_checks if c["loc"][0] in files]
    if nearby:
        return nearby, True
    return list(app.password_checks), False


class WeakPasswordPolicy(AppRule):
    id = "NW355"
    name = "weak-password-policy"
    title = "Password accepted without a minimum length of 8"
    cwe = (521,)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Require at least 8 characters (better 12 or more) before storing a password."
    practice = "password-policy"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        reported: set[tuple[Any, ...]] = set()
        for route in app.routes:
            if not route.sets_password:
                continue
            checks, local = password_checks(app, route)
            if not checks:
                yield self.finding(
                    f"{route.label} stores a password but no minimum length check was found (handler, route "
                    "validators, or schemas of this package)",
                    route.loc, route.data.get("snippet", ""),
                    confidence=Confidence.MEDIUM if route.handler_facts("hash") else Confidence.LOW)
                continue
            best = max(checks, key=lambda c: c["min"])
            if best["min"] >= MINIMUM:
                continue
            key = tuple(best["loc"])
            if key in reported:
                continue
            reported.add(key)
            yield self.finding(
                f"the password minimum length is {best['min']} ({best['how']}), used by {route.label}: "
                f"require at least {MINIMUM} characters",
                best["loc"], best.get("snippet", ""), confidence=Confidence.HIGH if local else Confidence.MEDIUM)
