"""## What it finds
Responses that send a whole user document whose schema, in the same file, has a password (or password
hash) field that queries return: a Mongoose `Schema` with `password`, `passwordHash`, `hash` or
`hashedPassword` not marked `select: false`, a model made from it with `mongoose.model(...)`, and
`res.json(user)` / `res.send({ user })` of a document that model's `find*`, `create` or `save` returned
without `.select("-password")`. Files that define a `toJSON` transform are not reported, since it
usually removes the field. Schemas in other files are not seen (an approximation: the rule needs the
schema to know a password is there).

## Why it matters
Password hashes sent to the browser end up in caches, logs, browser extensions and the hands of
anyone who can read the response (an XSS, a shared computer). Offline cracking of a leaked hash needs
no further access to the server (exposure of sensitive information, CWE-200; CWE-359).

## How to fix
Mark the field `select: false` in the schema (and select it explicitly only where the password is
checked), or send an explicit list of fields (`res.json({ id: user.id, email: user.email })`), or
remove it in a `toJSON` transform.

## Bad
```js
const mongoose = require("mongoose");
const UserSchema = new mongoose.Schema({ email: String, password: String });
const User = mongoose.model("User", UserSchema);
app.get("/users/:id", async (req, res) => {
  const user = await User.findById(String(req.params.id));
  res.json(user);
});
```

## Good
```js
const mongoose = require("mongoose");
const UserSchema = new mongoose.Schema({ email: String, password: { type: String, select: false } });
const User = mongoose.model("User", UserSchema);
app.get("/users/:id", async (req, res) => {
  const user = await User.findById(String(req.params.id));
  res.json(user);
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.lang.js.parser import node_key
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.error_details_in_response import SEND_METHODS, _is_response
from nodeward.rules.web.knowledge import constant_value, is_password_name, object_entries, split_words

SCHEMA_CONSTRUCTORS = frozenset({"mongoose.Schema"})
MODEL_FACTORIES = frozenset({"mongoose.model"})
QUERY_METHODS = frozenset({"findById", "findOne", "find", "create", "findOneAndUpdate", "findByIdAndUpdate",
                           "save", "findByIdAndDelete", "findOneAndDelete", "insertMany"})
SHARED_KEY = "password-hash-in-response.models"


def is_password_field(name: str) -> bool:
    words = split_words(name)
    return is_password_name(name) or name == "hash" or ("hash" in words and any(
        w in ("password", "pwd", "passwd", "hashed") for w in words)) or name == "hashedPassword"


class PasswordHashInResponse(Rule):
    id = "NW316"
    name = "password-hash-in-response"
    title = "User document with its password hash sent in a response"
    cwe = (200, 359)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Mark the password field select: false, or respond with an explicit list of fields."
    visits = ("call_expression",)
    call_names = last_names(SEND_METHODS)
    requires_text = (b"mongoose",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.method_name(node) not in SEND_METHODS or not _is_response(node, ctx):
            return
        args = ctx.arguments(node)
        if not args:
            return
        models = _exposed_models(ctx)
        if not models:
            return
        found = _document(ctx, args[0], models, 0)
        if found is None:
            return
        document, model, field = found
        ctx.record_practice("sensitive-data", "missing", node, f"`{model}` document with `{field}` sent")
        yield ctx.report(node, f"`{document}` is a `{model}` document whose schema returns `{field}`: the response "
                         "carries the password hash; select it out or send explicit fields")


def _exposed_models(ctx: RuleContext) -> dict[str, str]:
    """Model variable name -> the password field its schema (in this file) returns."""
    cached = ctx.shared.get(SHARED_KEY)
    if isinstance(cached, dict):
        return cached
    models: dict[str, str] = {}
    ctx.shared[SHARED_KEY] = models
    source = ctx.model.source
    if b"Schema" not in source or b"toJSON" in source:
        return models
    calls = ctx.model.captures("(call_expression) @c").get("c", [])
    for call in calls:
        if ctx.call_name(call) not in MODEL_FACTORIES:
            continue
        args = ctx.arguments(call)
        if len(args) < 2:
            continue
        field = _exposed_field(ctx, args[1])
        declarator = call.parent
        while declarator is not None and declarator.type in ("await_expression", "parenthesized_expression"):
            declarator = declarator.parent
        if field is None or declarator is None or declarator.type != "variable_declarator":
            continue
        target = declarator.child_by_field_name("name")
        if target is not None and target.type == "identifier":
            models[ctx.text(target)] = field
    return models


def _exposed_field(ctx: RuleContext, schema: Node) -> str | None:
    schema = ctx.unwrap(schema)
    if schema.type == "identifier":
        binding = ctx.model.resolve(schema)
        if binding is None or binding.value is None or not binding.is_stable:
            return None
        schema = ctx.unwrap(binding.value)
    if schema.type != "new_expression" or ctx.call_name(schema) not in SCHEMA_CONSTRUCTORS:
        return None
    args = ctx.arguments(schema)
    found = object_entries(ctx, args[0]) if args else None
    if found is None:
        return None
    for key, value in found[0].items():
        if not is_password_field(key):
            continue
        options = object_entries(ctx, value)
        select = options[0].get("select") if options is not None else None
        if select is not None and constant_value(ctx, select) is False:
            continue
        return key
    return None


def _document(ctx: RuleContext, node: Node, models: dict[str, str], depth: int) -> tuple[str, str, str] | None:
    """(name, model, field) when the value is a document of an exposed model fetched without `.select`."""
    node = ctx.unwrap(node)
    if depth > 3:
        return None
    if node.type == "object":
        found = object_entries(ctx, node)
        if found is None:
            return None
        for value in found[0].values():
            if value.type == "shorthand_property_identifier":
                binding_value = _bound_value(ctx, value)
                if binding_value is None:
                    continue
                result = _query(ctx, binding_value, models)
                if result is not None:
                    return ctx.text(value), *result
                continue
            inner = _document(ctx, value, models, depth + 1)
            if inner is not None:
                return inner
        return None
    if node.type == "identifier":
        bound = _bound_value(ctx, node)
        if bound is None:
            return None
        result = _query(ctx, bound, models)
        return (ctx.text(node), *result) if result is not None else None
    result = _query(ctx, node, models)
    return (ctx.text(node), *result) if result is not None else None


def _bound_value(ctx: RuleContext, node: Node) -> Node | None:
    if node.type == "shorthand_property_identifier":
        name = ctx.text(node)
        current = node.parent
        while current is not None:
            table = ctx.model.scopes.get(node_key(current))
            if table is not None and name in table:
                declared = table[name]
                return declared.value if declared.is_stable and not declared.path else None
            current = current.parent
        return None
    binding = ctx.model.resolve(node)
    if binding is None or binding.value is None or not binding.is_stable or binding.path:
        return None
    return binding.value


def _query(ctx: RuleContext, node: Node, models: dict[str, str]) -> tuple[str, str] | None:
    """(model, field) for `await User.findById(...)` (chains such as `.lean()`, `.exec()`, not `.select()`)."""
    node = ctx.unwrap(node)
    if node.type == "await_expression" and node.named_children:
        node = ctx.unwrap(node.named_children[0])
    current = node
    for _ in range(6):
        if current.type != "call_expression":
            return None
        method = ctx.method_name(current)
        if method in ("select", "projection"):
            return None
        callee = ctx.unwrap(current.child_by_field_name("function") or current)
        receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        if receiver is None:
            return None
        receiver = ctx.unwrap(receiver)
        if method in QUERY_METHODS and receiver.type == "identifier" and ctx.text(receiver) in models:
            args = ctx.arguments(current)
            if method in ("find", "findOne", "findById") and len(args) >= 2:
                return None  # a projection argument
            return ctx.text(receiver), models[ctx.text(receiver)]
        current = receiver
    return None
