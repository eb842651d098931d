"""## What it finds
A password taken from the request and stored as it is: `User.create({ password: req.body.password })`,
`new User({ ...req.body })` or `User.create(req.body)` in a handler that reads `req.body.password`,
`updateOne(..., { $set: { password } })`, `user.password = req.body.password`, and SQL inserts or
updates of a password column whose parameters hold the request's password
(`db.query("INSERT INTO users (email, password) VALUES (?, ?)", [email, req.body.password])`).
Taint tracking decides that the value is request data, also across files: a model or DAO method that
writes a `password` field from its own parameter (`this.addUser = function (name, password) { const user =
{ name, password }; users.insert(user) }`) is reported where a route passes it the request's password. A
password passed through `bcrypt.hash`, `argon2.hash`, `crypto.scrypt`/`pbkdf2`, `createHash` or a helper
named like hashing (`hashPassword`) on the way is not reported. Database drivers run no hook
(`db.collection("users").insertOne`, `db.users.insert`, raw SQL, reported with high or medium confidence);
model APIs may: they are not reported in files that declare a model hook (`schema.pre("save")`, Sequelize
`beforeCreate`, TypeORM `@BeforeInsert`), and with low confidence (an audit finding) when the model comes
from another module of the project, where a hook may hash the value on save.
Passwords compared in plain text (`user.password === req.body.password`) are reported by
timing-unsafe-comparison (NW202), not here.

## Why it matters
Stored passwords leak: through SQL injection, backups, logs, a stolen laptop or an insider. Stored in
plain text, every account is taken over at once, and because people reuse passwords, their accounts
on other sites too (plaintext storage of a password, CWE-256; CWE-312).

## How to fix
Hash the password before storing it with bcrypt, argon2id or scrypt (`await bcrypt.hash(password,
12)`), or in a model hook that runs on every save, and never store or log the plain value.

## Bad
```js
app.post("/register", async (req, res) => {
  const user = await User.create({ email: req.body.email, password: req.body.password });
  res.status(201).json({ id: user.id });
});
```

## Good
```js
const bcrypt = require("bcrypt");
app.post("/register", async (req, res) => {
  const passwordHash = await bcrypt.hash(req.body.password, 12);
  const user = await User.create({ email: req.body.email, passwordHash });
  res.status(201).json({ id: user.id });
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import (
    enclosing_function,
    is_password_name,
    is_request_data,
    object_entries,
    password_part,
    property_words,
)

# Methods of ORMs and ODMs (Mongoose, Sequelize, Prisma, TypeORM, Knex, MongoDB) that write a record.
WRITE_METHODS = frozenset(
    {"create", "insertMany", "insert", "insertOne", "build", "bulkCreate", "update", "updateOne", "updateMany",
     "findOneAndUpdate", "findByIdAndUpdate", "upsert", "replaceOne", "save", "set"}
)
# Update operators and wrappers whose object holds the written fields (`$set`, Prisma's `data`).
NESTED_FIELDS = ("$set", "$setOnInsert", "data", "values", "create", "update")
SQL_METHODS = frozenset({"query", "execute", "run", "none", "one", "oneOrNone", "any", "many", "exec", "raw"})
SQL_WRITE = re.compile(r"\b(insert\s+into|update\s+\S+\s+set|replace\s+into)\b", re.IGNORECASE)
SQL_PASSWORD = re.compile(r"\b\w*(password|passwd|pwd)\w*\b", re.IGNORECASE)
# A model hook in the file (Mongoose middleware, Sequelize and TypeORM hooks) may hash every password on save:
# model writes are then not reported. Hashing on the way to the write is followed by taint tracking instead.
MODEL_HOOKS = re.compile(
    rb"\.pre\(|(?i:before(?:Create|Save|Insert|Update|Validate|BulkCreate))|\.addHook\(|\.hook\("
)
REQUEST_BODY = re.compile(r"\b(req|request|ctx\.request)\.body\b")
PASSWORD_WORD = re.compile(r"\b\w*(password|passwd|pwd)\b", re.IGNORECASE)


class PlaintextPasswordStorage(TaintRule):
    id = "NW205"
    name = "plaintext-password-storage"
    title = "Password from the request stored without hashing"
    cwe = (256, 312)
    owasp = "A04"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Hash the password with bcrypt, argon2id or scrypt before storing it (or in a model hook)."
    visits = ("call_expression", "new_expression", "assignment_expression", "binary_expression")
    sink_class = "password"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "binary_expression":
            self._plain_comparison(node, ctx)
            return
        if node.type == "assignment_expression":
            yield from self._assignment(node, ctx)
            return
        args = ctx.arguments(node)
        if not args:
            return
        method = ctx.method_name(node) if node.type == "call_expression" else None
        if method in SQL_METHODS and len(args) >= 2:
            yield from self._sql(node, args, ctx)
            return
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            name = ctx.text(constructor) if constructor is not None else ""
            if not name.split(".")[-1][:1].isupper() or ctx.call_name(node) in ("Map", "Set", "URLSearchParams"):
                return
        elif method not in WRITE_METHODS:
            return
        if _file_has_model_hook(ctx):
            return
        hooked = _model_from_another_module(node, ctx)
        for arg in args[:2]:
            yield from self._record(node, arg, ctx, hooked)

    def _record(self, call: Node, arg: Node, ctx: RuleContext, hooked: bool) -> Iterator[Finding]:
        """`hooked`: the model is defined in another module, whose hooks may hash on save (low confidence)."""
        found = object_entries(ctx, arg)
        if found is None:
            if _whole_body(arg, call, ctx):
                yield self._finding(ctx, arg, "the request body, which holds the password,", hooked)
            return
        entries, _ = found
        for key, value in entries.items():
            if key in NESTED_FIELDS:
                yield from self._record(call, value, ctx, hooked)
            elif is_password_name(key):
                if hooked:
                    if is_request_data(ctx, value):
                        yield self._finding(ctx, value, f"`{key}`", hooked)
                    return
                function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
                writer = shorten(ctx.text(function)) if function is not None else "a write"
                yield from self._stored(ctx, value, value, f"`{key}` written by `{writer}`")
                return
        literal = ctx.resolve_object(arg)
        if literal is not None:
            for child in literal.named_children:
                if child.type == "spread_element" and child.named_children \
                        and _whole_body(child.named_children[0], call, ctx):
                    yield self._finding(ctx, child, "the request body, which holds the password,", hooked)
                    return

    def _assignment(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None or left.type != "member_expression":
            return
        prop = ctx.model.member_property(left)
        obj = left.child_by_field_name("object")
        if prop is None or obj is None or not is_password_name(prop) or is_request_data(ctx, obj):
            return
        if _file_has_model_hook(ctx):
            return
        yield from self._stored(ctx, node, right, f"`{shorten(ctx.text(left))}`")

    def _sql(self, call: Node, args: list[Node], ctx: RuleContext) -> Iterator[Finding]:
        sql = ctx.string_value(args[0])
        if sql is None or not SQL_WRITE.search(sql) or not SQL_PASSWORD.search(sql):
            return
        params = ctx.unwrap(args[1])
        if params.type != "array":
            return
        for item in params.named_children:
            if password_part(ctx, item) is not None and is_request_data(ctx, item):
                ctx.record_practice("password-storage", "missing", item, "password stored in plain text (SQL)")
                yield ctx.report(item, f"the request's password `{ctx.text(item)}` is written to the database as "
                                 "it is; hash it with bcrypt, argon2id or scrypt first", confidence=Confidence.HIGH)
                return

    def _stored(self, ctx: RuleContext, node: Node, value: Node, what: str) -> Iterator[Finding]:
        """A password field written with `value`: reported when request data reaches it unhashed; a parameter
        of the enclosing function is recorded, so that the routes calling it (in other files too) are checked."""
        sink = Sink(node, value, f"{what} without hashing")
        for finding in ctx.evaluate_sink(self, sink):
            ctx.record_practice("password-storage", "missing", node, "password from the request stored in plain text")
            yield replace(finding, confidence=Confidence.MEDIUM,
                          message=f"{finding.message} (unless a model hook in another file hashes it on save); "
                                  "hash passwords with bcrypt, argon2id or scrypt")

    def _finding(self, ctx: RuleContext, node: Node, what: str, hooked: bool = False) -> Finding:
        if hooked:
            return ctx.report(node, f"{what} from the request is given to a model defined in another module without "
                              "hashing: unless a hook of that model hashes it on save, it is stored in plain text",
                              confidence=Confidence.LOW)
        ctx.record_practice("password-storage", "missing", node, "password from the request stored in plain text")
        return ctx.report(node, f"{what} from the request is stored without hashing (unless a model hook in "
                          "another file hashes it on save); hash passwords with bcrypt, argon2id or scrypt")

    def _plain_comparison(self, node: Node, ctx: RuleContext) -> None:
        """Scorecard evidence only: NW202 reports `user.password === req.body.password`."""
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator is None or left is None or right is None or ctx.text(operator) not in ("==", "===", "!=", "!=="):
            return
        names = [property_words(ctx, side) for side in (left, right)]
        if not all(name is not None and is_password_name(name) for name in names):
            return
        from_request = [is_request_data(ctx, side) for side in (left, right)]
        if any(from_request) and not all(from_request):
            ctx.record_practice("password-storage", "missing", node, "password compared in plain text")


def _whole_body(arg: Node, call: Node, ctx: RuleContext) -> bool:
    """`req.body` itself, in a handler that reads a password from it."""
    arg = ctx.unwrap(arg)
    if not REQUEST_BODY.fullmatch(ctx.text(arg)) or not is_request_data(ctx, arg):
        return False
    function = enclosing_function(call)
    if function is None:
        return False
    text = ctx.text(function)
    return any(PASSWORD_WORD.search(m.group(0)) for m in re.finditer(r"\{[^{}]*\}\s*=\s*req\.body|req\.body\.\w+",
                                                                      text))


def _model_from_another_module(write: Node, ctx: RuleContext) -> bool:
    """`new User(...)`, `User.create(...)` with `User` imported from the project's own module: a model whose
    hooks (in that module) may hash the password. Driver writes (`db.collection("users").insertOne`,
    `db.users.insert`) run no hook."""
    if write.type == "new_expression":
        target = write.child_by_field_name("constructor")
    else:
        function = write.child_by_field_name("function")
        target = function.child_by_field_name("object") if function is not None and \
            function.type == "member_expression" else None
    if target is None or ctx.unwrap(target).type != "identifier":
        return False
    return (ctx.qualified_name(target) or "").startswith(".")  # a module of the project, by a relative spec


def _file_has_model_hook(ctx: RuleContext) -> bool:
    """Whether the file declares a model hook; searched once per file, not once per write call."""
    found = ctx.shared.get("plaintext-password-storage:hooks")
    if found is None:
        found = bool(MODEL_HOOKS.search(ctx.model.source))
        ctx.shared["plaintext-password-storage:hooks"] = found
    return bool(found)
