"""## What it finds
Session and authentication cookies set without the `httpOnly`, `secure` or `sameSite` flag (or with
the flag switched off): the options of `express-session` (its `cookie` object) and `cookie-session`,
and `res.cookie()` (Express), `reply.setCookie()` (Fastify) and `ctx.cookies.set()` (Koa) when the
cookie's name or value says it carries a session, a token or a login. One finding per options object,
naming every missing flag. Each library's defaults are taken into account: `express-session`,
`cookie-session` and Koa set `httpOnly` by default, Express's `res.cookie` does not. A flag set from
a variable or an expression (`secure: isProduction`) counts as set; `sameSite: "none"` counts as a
deliberate choice. CSRF cookies (`XSRF-TOKEN`) are meant to be read by scripts, so only their
`secure` and `sameSite` flags are checked. Cookies such as a theme or a language are not checked.

## Why it matters
Without `httpOnly`, any script injected into a page (XSS) reads the session cookie and hijacks the
session (CWE-1004). Without `secure`, the browser also sends the cookie over plain HTTP, where anyone
on the network path can copy it (CWE-614). Without `sameSite`, the browser attaches the cookie to
requests started by other sites, which is what cross-site request forgery needs (CWE-1275).

## How to fix
Set all three flags on cookies that identify a user: `httpOnly: true`, `secure: true` (or `"auto"`
behind a TLS-terminating proxy with `app.set("trust proxy", 1)`), and `sameSite: "lax"` or
`"strict"`.

## Bad
```js
const session = require("express-session");
app.use(session({
  name: "sid",
  secret: process.env.SESSION_SECRET,
  cookie: { maxAge: 3600000 },
}));
```

## Good
```js
const session = require("express-session");
app.use(session({
  name: "sid",
  secret: process.env.SESSION_SECRET,
  cookie: { httpOnly: true, secure: true, sameSite: "lax", maxAge: 3600000 },
}));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import (
    constant_value,
    is_false,
    is_security_value_name,
    object_entries,
    property_words,
    split_words,
)

FLAGS = ("httpOnly", "secure", "sameSite")
# Session middlewares: where their cookie options live (None: in the options object itself) and the flags
# they set by default.
SESSION_MIDDLEWARES: dict[str, tuple[str | None, frozenset[str]]] = {
    "express-session": ("cookie", frozenset({"httpOnly"})),
    "cookie-session": (None, frozenset({"httpOnly"})),
    "koa-session": (None, frozenset({"httpOnly"})),
    "@fastify/session": ("cookie", frozenset({"httpOnly"})),
    "@fastify/secure-session": ("cookie", frozenset()),
}
# Methods that set one cookie: (name, value, options) positions, and the flags set by default.
COOKIE_SETTERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "cookie": (frozenset({"res", "response", "reply", "resp"}), frozenset()),  # Express res.cookie
    "setCookie": (frozenset(), frozenset()),  # Fastify reply.setCookie
    "set": (frozenset({"cookies"}), frozenset({"httpOnly"})),  # Koa ctx.cookies.set
}
# Words in a cookie's name that say it identifies a user or carries a credential.
AUTH_COOKIE_WORDS = frozenset(
    {"session", "sess", "sid", "auth", "jwt", "token", "refresh", "remember", "login", "access", "connect", "uid",
     "identity"}
)
CSRF_WORDS = frozenset({"csrf", "xsrf"})


class InsecureCookieFlags(Rule):
    id = "NW310"
    name = "insecure-cookie-flags"
    title = "Session or authentication cookie without httpOnly, secure or sameSite"
    cwe = (614, 1004, 1275)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Set httpOnly: true, secure: true and sameSite: 'lax' (or 'strict') on cookies that identify a user."
    visits = ("call_expression",)
    call_names = last_names(SESSION_MIDDLEWARES, COOKIE_SETTERS)
    app_policy = True

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name in SESSION_MIDDLEWARES:
            yield from self._session(node, name, ctx)
            return
        method = ctx.method_name(node)
        if method in COOKIE_SETTERS:
            yield from self._cookie(node, method, ctx)

    def _session(self, call: Node, library: str, ctx: RuleContext) -> Iterator[Finding]:
        where, defaults = SESSION_MIDDLEWARES[library]
        args = ctx.arguments(call)
        options = args[0] if args else None
        if library in ("koa-session",) and len(args) >= 1:
            options = args[0] if ctx.resolve_object(args[0]) is not None else (args[1] if len(args) > 1 else None)
        entries: dict[str, Node] = {}
        open_ended = False
        target = call
        if options is not None:
            found = object_entries(ctx, options)
            if found is None:
                return  # options built elsewhere: not known
            entries, open_ended = found
            target = options
            if where is not None:
                inner = entries.get(where)
                if inner is None:
                    entries = {}
                else:
                    found = object_entries(ctx, inner)
                    if found is None:
                        return
                    entries, open_ended = found
                    target = inner
        missing = _missing_flags(ctx, entries, open_ended, defaults, csrf=False)
        what = f"`{library}` session cookie"
        yield from self._verdict(ctx, target, what, missing, Confidence.HIGH)

    def _cookie(self, call: Node, method: str, ctx: RuleContext) -> Iterator[Finding]:
        receivers, defaults = COOKIE_SETTERS[method]
        callee = ctx.unwrap(call.child_by_field_name("function") or call)
        receiver = callee.child_by_field_name("object")
        receiver_name = property_words(ctx, receiver) if receiver is not None else None
        if receivers and (receiver_name is None or receiver_name not in receivers):
            return
        args = ctx.arguments(call)
        if len(args) < 2:
            return
        cookie_name = ctx.string_value(args[0])
        value_name = property_words(ctx, args[1])
        name_words = set(split_words(cookie_name or ""))
        csrf = bool(CSRF_WORDS.intersection(name_words))
        is_auth = bool(AUTH_COOKIE_WORDS.intersection(name_words)) or csrf or (
            value_name is not None and is_security_value_name(value_name))
        if not is_auth:
            return
        entries: dict[str, Node] = {}
        open_ended = False
        target = call
        if len(args) >= 3:
            found = object_entries(ctx, args[2])
            if found is None:
                return
            entries, open_ended = found
            target = args[2]
        if "maxAge" in entries and constant_value(ctx, entries["maxAge"]) in (0, -1):
            return  # clearing the cookie
        if "expires" in entries and ctx.text(entries["expires"]).replace(" ", "") in ("newDate(0)", "newDate(1)"):
            return
        missing = _missing_flags(ctx, entries, open_ended, defaults, csrf=csrf)
        label = f"cookie `{cookie_name}`" if cookie_name else "authentication cookie"
        yield from self._verdict(ctx, target, label, missing, Confidence.MEDIUM)

    def _verdict(self, ctx: RuleContext, target: Node, what: str, missing: list[str],
                 confidence: Confidence) -> Iterator[Finding]:
        if not missing:
            ctx.record_practice("session-cookies", "in-place", target, f"{what} sets httpOnly, secure and sameSite")
            return
        names = ", ".join(f"`{flag}`" for flag in missing)
        ctx.record_practice("session-cookies", "partly" if len(missing) < 3 else "missing", target,
                            f"{what} without {names}")
        reasons = []
        if "httpOnly" in missing:
            reasons.append("scripts can read it (XSS steals the session)")
        if "secure" in missing:
            reasons.append("it is also sent over plain HTTP")
        if "sameSite" in missing:
            reasons.append("other sites' requests carry it (CSRF)")
        yield ctx.report(target, f"{what} is set without {names}: {'; '.join(reasons)}", confidence=confidence)


def _missing_flags(ctx: RuleContext, entries: dict[str, Node], open_ended: bool, defaults: frozenset[str],
                   *, csrf: bool) -> list[str]:
    missing = []
    for flag in FLAGS:
        if flag == "httpOnly" and csrf:
            continue
        value = entries.get(flag)
        if value is None:
            if flag not in defaults and not open_ended:
                missing.append(flag)
        elif is_false(ctx, value):
            missing.append(flag)
    return missing
