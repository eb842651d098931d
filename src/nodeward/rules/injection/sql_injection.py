"""## What it finds
SQL text built from request data (or from the parameters of a library's exported API) and passed to a
database driver or query builder: mysql/mysql2 `query`/`execute`, pg `query`, sqlite3
`run`/`get`/`all`/`each`/`exec`/`prepare`, better-sqlite3 `prepare`/`exec`, mssql `query`/`batch`, knex
`raw`/`whereRaw`/`orderByRaw`/..., sequelize `query`/`literal`, typeorm `query` and query-builder
`where` with a concatenated string, prisma `$queryRawUnsafe`/`$executeRawUnsafe`. Only the SQL text is
a sink: values passed separately (`query(sql, [values])`, `{ replacements }`, tagged templates such as
prisma's `$queryRaw` or mssql's `sql`) are parameterised and safe.

## Why it matters
Whoever controls part of the SQL text can change the query: read other users' rows, bypass a login,
modify or delete data, and with some databases run commands (SQL injection, CWE-89).

## How to fix
Keep the SQL text constant and pass the values as parameters: placeholders (`?`, `$1`, `@name`) with a
values array, knex bindings (`whereRaw("id = ?", [id])`), sequelize `replacements`, prisma's tagged
`$queryRaw`. For identifiers (column or table names) use an allow-list or the driver's identifier
escaping (`escapeId`, `pg-format`'s `%I`).

## Bad
```js
const mysql = require("mysql");
const connection = mysql.createConnection({});
app.get("/user", (req, res) => {
  connection.query("SELECT * FROM users WHERE id = " + req.query.id, (err, rows) => res.json(rows));
});
```

## Good
```js
const mysql = require("mysql");
const connection = mysql.createConnection({});
app.get("/user", (req, res) => {
  connection.query("SELECT * FROM users WHERE id = ?", [req.query.id], (err, rows) => res.json(rows));
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
from nodeward.rules.sinks import (
    binding_comes_from,
    call_chain,
    imports_any,
    is_built_string,
    leading_text,
    name_of,
    receiver,
    sink_anchor,
)

SQL_MODULES = frozenset({
    "mysql", "mysql2", "pg", "pg-pool", "pg-promise", "postgres", "sqlite3", "sqlite", "better-sqlite3", "mssql",
    "tedious", "oracledb", "knex", "sequelize", "typeorm", "@prisma/client", "mariadb", "slonik", "objection",
    "bookshelf", "@databases/pg", "@databases/mysql", "@vercel/postgres", "@neondatabase/serverless",
})
SQLITE_MODULES = frozenset({"sqlite3", "sqlite", "better-sqlite3"})
TYPEORM_MODULES = frozenset({"typeorm", "@nestjs/typeorm"})
# Methods whose first argument is SQL text on a connection, pool, client, transaction or knex instance.
QUERY_METHODS = frozenset({"query", "execute", "batch", "raw", "unsafe", "queryRaw", "none", "one", "many", "any",
                           "oneOrNone", "manyOrNone", "result"})
# Only for pg-promise: methods with very generic names need the module in the file.
PG_PROMISE_METHODS = frozenset({"none", "one", "many", "any", "oneOrNone", "manyOrNone", "result"})
# sqlite3 and better-sqlite3 methods taking SQL text: generic names, so they need stronger evidence.
SQLITE_METHODS = frozenset({"run", "get", "all", "each", "exec", "prepare"})
# Query-builder methods whose first argument is raw SQL: names specific enough on their own.
RAW_METHODS = frozenset({
    "whereRaw", "orWhereRaw", "andWhereRaw", "whereNotRaw", "orderByRaw", "havingRaw", "orHavingRaw", "joinRaw",
    "fromRaw", "selectRaw", "groupByRaw", "onRaw", "$queryRawUnsafe", "$executeRawUnsafe",
})
# Sequelize.literal / sequelize.literal: the SQL fragment is used as written.
LITERAL_NAMES = frozenset({"sequelize.literal", "sequelize.Sequelize.literal"})
# typeorm query builders: a where/having clause is SQL text.
BUILDER_METHODS = frozenset({"where", "andWhere", "orWhere", "having", "andHaving", "orHaving", "orderBy",
                             "addOrderBy", "select", "addSelect", "groupBy", "addGroupBy"})
BUILDER_FACTORIES = frozenset({"createQueryBuilder"})
# Names under which code usually holds a database handle.
DB_NAME = re.compile(
    r"^_*(db|database|conn|connection|pool|client|knex|sequelize|prisma|trx|tx|transaction|sqlite|mysql|pg|"
    r"postgres|sql|queryRunner|manager|entityManager|dataSource)$"
    r"|(Db|DB|Pool|Connection|Conn|Client|Database|Knex|Sequelize|Prisma|Trx|Transaction|Sql|SQL|Repository|Manager)$",
    re.IGNORECASE,
)
SQL_TEXT = re.compile(
    r"^\s*\(?\s*(select|insert|update|delete|with|create|drop|alter|replace|merge|truncate|upsert|call|exec)\s",
    re.IGNORECASE,
)



class SqlInjection(TaintRule):
    id = "NW106"
    name = "sql-injection"
    title = "SQL query built from user input"
    cwe = (89,)
    owasp = "A03"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Keep the SQL text constant and pass values as query parameters (placeholders with a values array)."
    visits = ("call_expression",)
    call_names = last_names(LITERAL_NAMES, ["literal"], RAW_METHODS, QUERY_METHODS, SQLITE_METHODS, BUILDER_METHODS)
    sink_class = "sql"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        arguments = node.child_by_field_name("arguments")
        if arguments is None or arguments.type == "template_string":
            return  # a tagged template (`sql`...``, `$queryRaw`...``) passes values as parameters
        args = ctx.arguments(node)
        if not args:
            return
        name = ctx.call_name(node)
        method = ctx.method_name(node)
        if name in LITERAL_NAMES or (method == "literal" and self._named_like_db(ctx, node)):
            yield self._sink(node, args[0], f"`{self._call_text(ctx, node)}` (an SQL fragment)", ctx)
            return
        if method is None:
            return
        what = self._call_text(ctx, node)
        if method in RAW_METHODS:
            yield self._sink(node, args[0], f"`{what}` (raw SQL)", ctx)
        elif method in QUERY_METHODS and self._is_database_call(ctx, node, method, args[0]):
            text = self._sql_argument(ctx, args[0])
            if text is not None:
                yield self._sink(node, text, f"`{what}` (SQL query text)", ctx)
        elif method in SQLITE_METHODS and self._is_sqlite_call(ctx, node, args[0]):
            yield self._sink(node, args[0], f"`{what}` (SQL statement)", ctx)
        elif method in BUILDER_METHODS and is_built_string(ctx, args[0]) and self._is_query_builder(ctx, node):
            yield self._sink(node, args[0], f"`{what}` (an SQL clause of a query builder)", ctx)

    # evidence that the receiver is a database handle ---------------------------------------------

    def _is_database_call(self, ctx: RuleContext, call: Node, method: str, first: Node) -> bool:
        if self._looks_like_sql(ctx, first):
            return True
        if method in PG_PROMISE_METHODS:
            return imports_any(ctx, frozenset({"pg-promise"})) and self._named_like_db(ctx, call)
        target = receiver(call)
        if target is None:
            return False
        return imports_any(ctx, SQL_MODULES) or self._named_like_db(ctx, call) or \
            binding_comes_from(ctx, target, SQL_MODULES)

    def _is_sqlite_call(self, ctx: RuleContext, call: Node, first: Node) -> bool:
        if self._looks_like_sql(ctx, first):
            return True
        target = receiver(call)
        if target is None or target.type in ("call_expression", "await_expression") \
                or not imports_any(ctx, SQLITE_MODULES):
            return False  # `db.prepare(sql).all(value)`: the statement's arguments are bound values
        return self._named_like_db(ctx, call) or binding_comes_from(ctx, target, SQLITE_MODULES)

    def _is_query_builder(self, ctx: RuleContext, call: Node) -> bool:
        target = receiver(call)
        if target is None:
            return False
        for link in call_chain(ctx, target):
            if ctx.method_name(link) in BUILDER_FACTORIES:
                return True
        return imports_any(ctx, TYPEORM_MODULES) and self._named_like_db(ctx, call)

    @staticmethod
    def _named_like_db(ctx: RuleContext, call: Node) -> bool:
        target = receiver(call)
        if target is None:
            return False
        name = name_of(ctx, target)
        if name is None:
            # a chain such as `knex("users").where(...)`, `db.collection().x`: the name at its root
            for link in call_chain(ctx, target):
                function = link.child_by_field_name("function")
                if function is not None:
                    name = name_of(ctx, function)
                    if name is not None and DB_NAME.search(name):
                        return True
            return False
        return bool(DB_NAME.search(name))

    def _looks_like_sql(self, ctx: RuleContext, value: Node) -> bool:
        text = leading_text(ctx, value)
        if text is None:
            sql = ctx.object_property(value, "sql")
            text = leading_text(ctx, sql) if sql is not None else None
        return text is not None and bool(SQL_TEXT.match(text))

    # the SQL text of a call -------------------------------------------------------------------------

    @staticmethod
    def _sql_argument(ctx: RuleContext, first: Node) -> Node | None:
        """The SQL text: the first argument, or its `sql`/`text` property (`query({ sql, values })`)."""
        if ctx.resolve_object(first) is not None:
            return ctx.object_property(first, "sql") or ctx.object_property(first, "text")
        if ctx.unwrap(first).type in ("arrow_function", "function_expression", "function", "array", "number"):
            return None
        return first

    @staticmethod
    def _call_text(ctx: RuleContext, call: Node) -> str:
        function = call.child_by_field_name("function")
        return shorten(ctx.text(function)) if function is not None else "query"

    def _sink(self, call: Node, value: Node, description: str, ctx: RuleContext) -> Sink:
        return Sink(sink_anchor(call), value, description,
                    f"SQL text built from the non-constant value `{shorten(ctx.text(value))}` reaches {description}")
