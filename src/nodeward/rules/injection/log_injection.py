r"""## What it finds
Request data written into a text log without neutralising line breaks: arguments of `console.log`/`info`/
`warn`/`error`/`debug` and of text loggers (`logger.info`, `log.warn`, winston, `this.logger` of a NestJS
service), lines appended to a log file (`fs.appendFile("access.log", ...)`, `logStream.write(...)`) and
entries pushed onto an in-memory log (`loginLogs.push(...)`), when the text holds a value from the request
(`req.body.username`, the query string, a route parameter, a cookie), directly, in a template literal or a
concatenation, also through helper functions and other modules. Not reported: whole objects
(`console.log(req.body)`: Node.js prints objects with their strings quoted and escaped), values passed
through `JSON.stringify`, `util.inspect`, `encodeURIComponent` or a `replace` that removes line breaks
(`.replace(/[\r\n]/g, "")`, `.replace(/\s+/g, " ")`), numbers, request headers and the raw URL (`req.url`,
`req.originalUrl`, `req.path`, `req.method`: Node.js rejects line breaks in the request line and headers, and
does not decode the URL), command-line arguments (whoever runs the program writes to their own terminal), and
structured JSON loggers (pino, bunyan, Fastify's `request.log`), which escape every value they
write. Parameters of a library's exported functions are not sources here: the application that passes
request data to a library's logger is where it is reported.

## Why it matters
A log is read line by line, by people and by tools. A user name such as
`alice\n[2026-12-07T10:00:00Z] Login succeeded for admin` writes a second, forged entry: it hides an
attack, blames another account, or feeds false events to alerting and audit trails. Control characters
can also rewrite what a terminal shows when the log is viewed (improper output neutralisation for logs,
CWE-117).

## How to fix
Log request data as a value, not as text: use a structured logger (pino, bunyan, winston's JSON format)
that escapes it, or pass it through `JSON.stringify`, or replace line breaks before logging
(`value.replace(/[\r\n]+/g, " ")`).

## Bad
```js
const express = require("express");
const app = express();
app.post("/login", (req, res) => {
  console.log(`login attempt for ${req.body.username}`);
  res.sendStatus(204);
});
```

## Good
```js
const express = require("express");
const app = express();
app.post("/login", (req, res) => {
  console.log(`login attempt for ${JSON.stringify(req.body.username)}`);
  res.sendStatus(204);
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import binding_comes_from, receiver
from nodeward.rules.web.knowledge import LOG_CALL_NAMES, logger_kind, property_words

# Loggers that write every value as a JSON string: a line break in it is escaped.
STRUCTURED_LOGGERS = frozenset({"pino", "bunyan", "pino-http", "express-pino-logger", "fastify"})
# Fastify's request.log / fastify.log / reply.log are pino loggers.
STRUCTURED_LOGGER_OWNERS = frozenset({"request", "req", "reply", "fastify", "server", "app"})
FILE_APPENDS = frozenset({"fs.appendFile", "fs.appendFileSync", "fs.promises.appendFile", "fs/promises.appendFile"})
# Request properties that are objects: Node.js prints an object with its strings quoted and escaped.
REQUEST_OBJECTS = frozenset({"body", "query", "params", "headers", "cookies", "signedCookies", "files", "session"})
LOG_WORDS = frozenset({"log", "logs", "logger", "journal", "audit", "trail"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


class LogInjection(TaintRule):
    id = "NW119"
    name = "log-injection"
    title = "Request data written to a log without neutralising line breaks"
    cwe = (117,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = ("Log request data as a value: a structured (JSON) logger, `JSON.stringify(value)`, or "
           "`value.replace(/[\\r\\n]+/g, ' ')` before it is written.")
    visits = ("call_expression",)
    call_names = last_names(LOG_CALL_NAMES, FILE_APPENDS, ["push", "unshift", "write", "writeLn", "appendLine"])
    sink_class = "log"
    harmless_sources = re.compile(r"\.(?:headers|rawHeaders)\b|\.(?:get|header|getHeader)\(|"
                                  r"^\w+\.(?:url|originalUrl|path|method)$|^process\.argv\b")

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        written = self._written_values(node, ctx)
        if not written:
            return
        what, values = written
        for value in values:
            if not self._is_object(ctx, value):
                yield Sink(node, value, f"{what} (a log line)")

    def _written_values(self, node: Node, ctx: RuleContext) -> tuple[str, list[Node]] | None:
        args = ctx.arguments(node)
        if not args:
            return None
        name = ctx.call_name(node)
        callee = node.child_by_field_name("function")
        shown = f"`{shorten(ctx.text(callee), 40)}`" if callee is not None else "a log call"
        kind = logger_kind(node, ctx)
        if kind == "console":
            return shown, args
        if kind == "logger":
            owner = receiver(node)
            if owner is not None and self._structured(ctx, owner):
                return None
            return shown, args
        if name in FILE_APPENDS and len(args) >= 2:
            target = ctx.string_value(args[0])
            if target is not None and (target.endswith(".log") or _has_log_word(target)):
                return shown, [args[1]]
            return None
        method = ctx.method_name(node)
        if method in ("push", "unshift", "write", "writeLn", "appendLine"):
            owner = receiver(node)
            words = property_words(ctx, owner) if owner is not None else None
            if words is not None and _has_log_word(words):
                return shown, args
        return None

    @staticmethod
    def _structured(ctx: RuleContext, owner: Node) -> bool:
        owner = ctx.unwrap(owner)
        if binding_comes_from(ctx, owner, STRUCTURED_LOGGERS):
            return True
        if owner.type == "member_expression":
            base = owner.child_by_field_name("object")
            base = ctx.unwrap(base) if base is not None else None
            if base is not None and base.type == "identifier" and ctx.text(base) in STRUCTURED_LOGGER_OWNERS \
                    and ctx.model.member_property(owner) == "log":
                return True
        return False

    @staticmethod
    def _is_object(ctx: RuleContext, value: Node) -> bool:
        value = ctx.unwrap(value)
        if value.type in ("object", "array"):
            return True
        if value.type == "identifier":
            return ctx.text(value) in ("req", "request", "ctx")
        if value.type == "member_expression":
            return ctx.model.member_property(value) in REQUEST_OBJECTS
        return False


def _has_log_word(name: str) -> bool:
    """`loginLogs`, `access_log`, `auditTrail`: named like a log (`login`, `catalog`, `blog` are not)."""
    words = {w.lower() for w in _WORD.findall(name)}
    return bool(words & LOG_WORDS)
