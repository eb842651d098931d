"""## What it finds
State-changing admin routes (paths under admin, roles or permissions, or behind an admin/role guard) and
password changes behind authentication whose handlers make no audit or log call, in applications that
use a logger elsewhere. A call on anything named `audit` (an `auditLog()` helper, `audit.record()`) or on
a logger counts. Low severity.

## Why it matters
Deleting users, granting roles and changing passwords are the actions an intruder with a stolen
admin session performs, and the ones an investigation must reconstruct: who did what, to whom, when
(CWE-778). A request log shows a DELETE happened, not which account made it or what changed.

## How to fix
Write an audit record for each sensitive change: the acting user, the action, the target and the time,
to a log or table that the application itself cannot rewrite.

## Bad
```js
const express = require("express");
const logger = require("pino")();
const app = express();
app.delete("/admin/users/:id", requireAdmin, async (req, res) => {
  await users.remove(req.params.id);
  res.sendStatus(204);
});
```

## Good
```js
const express = require("express");
const logger = require("pino")();
const app = express();
app.delete("/admin/users/:id", requireAdmin, async (req, res) => {
  await users.remove(req.params.id);
  logger.info({ audit: true, actor: req.user.id, action: "user.delete", target: req.params.id });
  res.sendStatus(204);
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from nodeward.findings import Confidence, Finding, Severity
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel, Route


def is_sensitive_change(route: Route) -> bool:
    if not route.changes_state or route.is_auth_route:
        return False
    return route.is_admin or (route.sets_password and route.auth_guard() is not None)


class MissingAuditLog(AppRule):
    id = "NW358"
    name = "missing-audit-log"
    title = "Sensitive admin change without an audit log"
    cwe = (778,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Record who made the change, what and when in an audit log from the handler."
    practice = "audit-trail"

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        if not app.has_logging():
            return
        for route in app.routes:
            if not is_sensitive_change(route) or not route.handler:
                continue
            if route.handler_facts("audit") or route.handler_facts("logs"):
                continue
            yield self.finding(
                f"{route.label} makes a sensitive change (admin action or password change) with no audit or "
                "log call: nobody can tell later who did it",
                route.loc, route.data.get("snippet", ""))
