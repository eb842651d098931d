"""## What it finds
`express-session` (and `@fastify/session`) set up without a `name` option, so that the session cookie
keeps the library's default name, `connect.sid` (`sessionId` for `@fastify/session`). Options built
elsewhere (a variable whose object is not visible, or a spread) are not reported.

## Why it matters
The default cookie name tells everyone which framework and session library the server runs, which
helps an attacker pick known weaknesses and fingerprint the stack (CWE-200). Several applications on
the same host that all use `connect.sid` also overwrite each other's session cookies.

## How to fix
Give the session cookie a neutral name of your own with the `name` option, such as `"sid"` or a name
specific to the application.

## Bad
```js
const session = require("express-session");
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { httpOnly: true, secure: true, sameSite: "lax" } }));
```

## Good
```js
const session = require("express-session");
app.use(session({
  name: "app.sid",
  secret: process.env.SESSION_SECRET,
  cookie: { httpOnly: true, secure: true, sameSite: "lax" },
}));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import object_entries

# Session middlewares and the cookie name they use when the options give none.
DEFAULT_NAMES = {"express-session": ("name", "connect.sid"), "@fastify/session": ("cookieName", "sessionId")}


class DefaultSessionCookieName(Rule):
    id = "NW311"
    name = "default-session-cookie-name"
    title = "Session cookie keeps the library's default name"
    cwe = (200,)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    fix = "Name the session cookie yourself with the `name` option (e.g. 'sid')."
    visits = ("call_expression",)
    call_names = last_names(DEFAULT_NAMES)
    app_policy = True
    requires_text = (b"session",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        library = ctx.call_name(node)
        if library not in DEFAULT_NAMES:
            return
        option, default = DEFAULT_NAMES[library]
        args = ctx.arguments(node)
        if args:
            found = object_entries(ctx, args[0])
            if found is None:
                return
            entries, open_ended = found
            value = entries.get(option)
            if value is not None:
                if ctx.string_value(value) != default:
                    return
            elif open_ended:
                return
        yield ctx.report(
            args[0] if args else node,
            f"`{library}` without a `{option}` option names the session cookie `{default}`, which tells "
            "attackers the framework in use; give it a name of your own",
        )
