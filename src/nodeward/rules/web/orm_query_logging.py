"""## What it finds
Database clients configured to write every query to the log in every environment: Sequelize with
`logging: console.log` (or any logging function) or without a `logging` option at all (Sequelize's default
is `console.log`), TypeORM data sources with `logging: true`, `"all"` or a list that includes `"query"`,
Knex with `debug: true`, Mongoose with `mongoose.set("debug", true)`, and Prisma clients whose `log`
includes `"query"`. A setting chosen by the environment (`logging: process.env.NODE_ENV === "development"
&& console.log`, `debug: !isProduction`, a variable from configuration) is not reported, nor is an in-memory
SQLite database (`new Sequelize("sqlite::memory:")`, a test or demo set-up).

## Why it matters
Query logs carry the data of the queries: Sequelize writes the SQL with its values inlined (e-mail
addresses, password hashes, reset tokens, personal data on every `INSERT` and `UPDATE`), Mongoose's debug
mode prints each filter and document, TypeORM prints parameters. In production these logs are shipped to
log services and kept for months, readable by far more people than the database (insertion of sensitive
information into a log file, CWE-532).

## How to fix
Turn query logging off in production and on only where it is needed: `logging: false` (Sequelize),
`logging: ["error"]` (TypeORM), `debug: false` (Knex), no `mongoose.set("debug", true)`, or choose the
setting from the environment (`logging: process.env.NODE_ENV === "development" ? console.log : false`).

## Bad
```js
const { Sequelize } = require("sequelize");
const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: console.log });
```

## Good
```js
const { Sequelize } = require("sequelize");
const sequelize = new Sequelize(process.env.DATABASE_URL, {
  logging: process.env.NODE_ENV === "development" ? console.log : false,
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, object_entries

# Constructors and factories of database clients, with the option that logs queries and whether it is on by
# default. Options come last: new Sequelize(url, options), new Sequelize(db, user, password, options).
CLIENTS: dict[str, tuple[str, bool]] = {
    "sequelize.Sequelize": ("logging", True),
    "sequelize": ("logging", True),
    "sequelize-typescript.Sequelize": ("logging", True),
    "typeorm.DataSource": ("logging", False),
    "typeorm.createConnection": ("logging", False),
    "@nestjs/typeorm.TypeOrmModule.forRoot": ("logging", False),
    "knex": ("debug", False),
    "@prisma/client.PrismaClient": ("log", False),
}
QUERY_LEVELS = frozenset({"query", "all"})


class OrmQueryLogging(Rule):
    id = "NW320"
    name = "orm-query-logging"
    title = "Database queries and their data written to the log in every environment"
    cwe = (532,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Turn query logging off in production (Sequelize `logging: false`), or choose it from the environment."
    visits = ("new_expression", "call_expression")
    call_names = last_names(CLIENTS, ["mongoose.set"])
    requires_text = (b"sequelize", b"typeorm", b"knex", b"prisma", b"mongoose")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name in ("mongoose.set", "mongoose.default.set"):
            args = ctx.arguments(node)
            if len(args) >= 2 and ctx.string_value(args[0]) == "debug" and _always_on(ctx, args[1]):
                yield ctx.report(node, "`mongoose.set(\"debug\", ...)` prints every query with its filter and "
                                 "documents, in every environment")
            return
        if name not in CLIENTS:
            return
        option, on_by_default = CLIENTS[name]
        args = ctx.arguments(node)
        found = object_entries(ctx, args[-1]) if args else None
        value = found[0].get(option) if found is not None else None
        if value is None:
            # No options at all (Sequelize's url or database/user/password forms), or options without the key.
            on = _without_options(ctx, args) if found is None else not found[1]
            if on_by_default and on:
                yield ctx.report(node, f"`{name}` without a `{option}` option logs every SQL statement with its "
                                 "values inlined (the default is console.log), in every environment")
            return
        if _logs_queries(ctx, value, option):
            yield ctx.report(value, f"`{option}: {ctx.text(value)}` writes every query and its data to the log, in "
                             "every environment")


def _without_options(ctx: RuleContext, args: list[Node]) -> bool:
    """Sequelize's signatures without options: (url) and (database, user, password). A single argument that
    may be an options object from elsewhere (`new Sequelize(config)`) is not judged."""
    if len(args) == 3:
        return True
    if len(args) == 1:
        only = ctx.unwrap(args[0])
        if ":memory:" in (ctx.string_value(only) or ""):  # an in-memory database: a test or a demo, no one's data
            return False
        return only.type in ("string", "template_string") or "url" in ctx.text(only).lower() \
            or "uri" in ctx.text(only).lower()
    return False


def _always_on(ctx: RuleContext, value: Node) -> bool:
    """A constant true, or a function given as is: not a choice made from the environment."""
    value = ctx.unwrap(value)
    if value.type in ("true", "arrow_function", "function_expression"):
        return True
    if value.type in ("member_expression", "identifier"):  # a logger function, not a setting from configuration
        return ctx.qualified_name(value) in ("console.log", "console.info", "console.debug")
    return constant_value(ctx, value) is True


def _logs_queries(ctx: RuleContext, value: Node, option: str) -> bool:
    if option == "log" or (option == "logging" and ctx.unwrap(value).type == "array"):
        levels = constant_value(ctx, ctx.unwrap(value))
        if isinstance(levels, list | tuple):
            return any(isinstance(level, str) and level in QUERY_LEVELS for level in levels)
        items = [ctx.string_value(child) for child in ctx.unwrap(value).named_children]
        return any(item in QUERY_LEVELS for item in items)
    if option == "logging" and ctx.string_value(value) == "all":
        return True
    return _always_on(ctx, value)
