"""## What it finds
MongoDB queries (driver and mongoose: `find`, `findOne`, `findOneAndUpdate`, `updateOne`, `deleteMany`,
`countDocuments`, `aggregate`, `where`, `mapReduce`, ...) whose filter is request data, or holds request
data as the value of a field: `User.findOne({ username: req.body.username })`. Parsed JSON bodies and
query strings (`?password[$ne]=x`) turn such a value into an object with query operators. Also
JavaScript run by the server: a `$where` clause or `mapReduce` functions built from request data.
A value that is certainly a string (a template literal, a concatenation, `String(x)`) cannot carry
operators and is not reported, except in `$where`. Files that register `express-mongo-sanitize` on the
app are not reported.

## Why it matters
An operator where a value was expected changes the query: `{ "$ne": null }` as a password matches any
user (authentication bypass), `{ "$regex": ".*" }` or `{ "$gt": "" }` reads every document, `$where`
runs JavaScript in the database (NoSQL injection, CWE-943).

## How to fix
Convert each value to the type you expect before querying (`String(req.body.username)`,
`Number(req.query.page)`), validate the body with a schema, or strip keys starting with `$` with
`mongo-sanitize` / the `express-mongo-sanitize` middleware. Never build `$where` from input.

## Bad
```js
const mongoose = require("mongoose");
const User = mongoose.model("User");
app.post("/login", async (req, res) => {
  const user = await User.findOne({ username: req.body.username, password: req.body.password });
  res.json(user);
});
```

## Good
```js
const mongoose = require("mongoose");
const User = mongoose.model("User");
app.post("/login", async (req, res) => {
  const user = await User.findOne({ username: String(req.body.username), password: String(req.body.password) });
  res.json(user);
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import PARAM, SOURCE
from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.lang.js import parser
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext
from nodeward.rules.sinks import (
    call_chain,
    imports_any,
    is_built_string,
    name_of,
    receiver,
    root_identifier,
    sink_anchor,
)

MONGO_MODULES = frozenset({"mongoose", "mongodb", "monk", "mongojs", "mongoist", "@nestjs/mongoose",
                           "@typegoose/typegoose", "mongodb-memory-server"})
# Method -> position of the filter (or pipeline) argument.
FILTER_METHODS = {
    "find": 0, "findOne": 0, "findOneAndUpdate": 0, "findOneAndDelete": 0, "findOneAndRemove": 0,
    "findOneAndReplace": 0, "updateOne": 0, "updateMany": 0, "update": 0, "deleteOne": 0, "deleteMany": 0,
    "remove": 0, "replaceOne": 0, "countDocuments": 0, "count": 0, "exists": 0, "aggregate": 0, "where": 0,
    "distinct": 1, "findAndModify": 0,
}
MODEL_METHODS = frozenset(FILTER_METHODS) | {"mapReduce", "$where"}
# Links of a chain that lead to a collection or a model: `db.collection('users')`, `mongoose.model('User')`.
COLLECTION_FACTORIES = frozenset({"collection", "model", "db", "get", "getCollection"})
MODEL_NAME = re.compile(r"(Model|model|Collection|collection|Coll|coll)$")
PASCAL_CASE = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")
NOT_MODELS = frozenset({"Array", "Object", "Math", "JSON", "Promise", "Reflect", "Intl", "Map", "Set", "String",
                        "Number", "Date", "Buffer", "URL", "Symbol"})
# Calls whose result is certainly a string (or a number): it cannot hold query operators.
STRING_RESULTS = frozenset({"String", "Number", "parseInt", "parseFloat", "encodeURIComponent", "escape"})
STRING_METHODS = frozenset({"toString", "trim", "toLowerCase", "toUpperCase", "slice", "substring", "substr",
                            "padStart", "padEnd", "normalize", "join", "toFixed", "replace", "replaceAll"})
# Request values that are always strings: path parameters, header values, the URL.
STRING_SOURCE = re.compile(r"\.(params|headers|url|originalUrl|path|hostname|ip|method|protocol)\b")
MAX_DEPTH = 6



class NosqlInjection(TaintRule):
    id = "NW107"
    name = "nosql-injection"
    title = "MongoDB query built from user input"
    cwe = (943,)
    owasp = "A03"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Convert query values to the expected type (String(x), Number(x)) or strip `$` keys (mongo-sanitize)."
    visits = ("call_expression",)
    sink_class = "nosql"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        for sink in self.sinks(node, ctx):
            if self._only_string_sources(ctx, sink):
                continue
            yield from ctx.evaluate_sink(self, sink)

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        method = ctx.method_name(node)
        if method not in MODEL_METHODS:
            return
        arguments = node.child_by_field_name("arguments")
        if arguments is None or arguments.type == "template_string":
            return
        args = ctx.arguments(node)
        if not args or not self._is_mongo_call(ctx, node) or self._sanitized_app(ctx):
            return
        what = shorten(ctx.text(node.child_by_field_name("function") or node))
        anchor = sink_anchor(node)
        if method == "$where":
            yield self._javascript(anchor, args[0], what, ctx)
        elif method == "mapReduce":
            for function in args[:2]:
                if ctx.unwrap(function).type not in ("function_expression", "arrow_function", "function"):
                    yield self._javascript(anchor, function, what, ctx)
            if len(args) > 2:
                query = ctx.object_property(args[2], "query") or ctx.object_property(args[2], "filter")
                if query is not None:
                    yield from self._filter_sinks(anchor, query, what, ctx, 0)
        else:
            position = FILTER_METHODS[method]
            if position < len(args):
                yield from self._filter_sinks(anchor, args[position], what, ctx, 0)

    # which values of a filter can carry operators -------------------------------------------------

    def _filter_sinks(self, anchor: Node, value: Node, what: str, ctx: RuleContext, depth: int) -> Iterator[Sink]:
        if depth > MAX_DEPTH:
            return
        value = ctx.unwrap(value)
        if value.type == "object":
            for child in value.named_children:
                if child.type == "pair":
                    key = child.child_by_field_name("key")
                    inner = child.child_by_field_name("value")
                    if key is None or inner is None:
                        continue
                    if ctx.model._property_key(key) == "$where":
                        yield self._javascript(anchor, inner, what, ctx)
                    else:
                        yield from self._filter_sinks(anchor, inner, what, ctx, depth + 1)
                elif child.type == "shorthand_property_identifier":
                    yield from self._filter_sinks(anchor, child, what, ctx, depth + 1)
                elif child.type == "spread_element" and child.named_children:
                    yield from self._filter_sinks(anchor, child.named_children[0], what, ctx, depth + 1)
            return
        if value.type == "array":
            for element in value.named_children:
                yield from self._filter_sinks(anchor, element, what, ctx, depth + 1)
            return
        if value.type in ("identifier", "shorthand_property_identifier"):
            binding = ctx.model.resolve(value)
            if binding is not None and binding.value is not None and not binding.path and binding.is_stable \
                    and binding.kind != "param" and ctx.unwrap(binding.value).type in ("object", "array"):
                yield from self._filter_sinks(anchor, binding.value, what, ctx, depth + 1)
                return
        if self._is_string(ctx, value):
            return
        yield Sink(anchor, value, f"the filter of `{what}` (a MongoDB query)",
                   f"the non-constant value `{shorten(ctx.text(value))}` is used in the filter of `{what}`")

    def _is_string(self, ctx: RuleContext, value: Node) -> bool:
        if is_built_string(ctx, value):
            return True
        if value.type in ("call_expression", "new_expression") and (
                ctx.call_name(value) in STRING_RESULTS or ctx.method_name(value) in STRING_METHODS):
            return True
        if value.type in ("identifier", "shorthand_property_identifier"):
            binding = ctx.model.resolve(value)
            if binding is not None and binding.value is not None and not binding.path and binding.is_stable \
                    and binding.kind != "param":
                inner = ctx.unwrap(binding.value)
                if inner.type in ("call_expression", "new_expression") and (
                        ctx.call_name(inner) in STRING_RESULTS or ctx.method_name(inner) in STRING_METHODS):
                    return True
        return False

    def _javascript(self, anchor: Node, value: Node, what: str, ctx: RuleContext) -> Sink:
        return Sink(anchor, value, f"`$where` of `{what}` (JavaScript run by MongoDB)",
                    f"JavaScript run by MongoDB is built from the non-constant value `{shorten(ctx.text(value))}`")

    @staticmethod
    def _only_string_sources(ctx: RuleContext, sink: Sink) -> bool:
        """Path parameters, headers and the URL are strings: they cannot carry operators (but do in `$where`)."""
        if "$where" in sink.description:
            return False
        taint = [o for o in ctx.taint.taint_of(sink.value) if not o.clean_for("nosql")]
        if not taint or any(o.kind == PARAM for o in taint):
            return False
        return all(o.kind == SOURCE and STRING_SOURCE.search(o.label) for o in taint)

    # evidence that the receiver is a MongoDB collection or model ------------------------------------

    def _is_mongo_call(self, ctx: RuleContext, call: Node) -> bool:
        target = receiver(call)
        if target is None or (ctx.call_name(call) or "").startswith(("lodash", "underscore", "ramda")):
            return False
        for link in call_chain(ctx, target):
            if ctx.method_name(link) in COLLECTION_FACTORIES:
                return imports_any(ctx, MONGO_MODULES) or ctx.method_name(link) in ("collection", "model")
        name = name_of(ctx, target)
        if name is not None and MODEL_NAME.search(name):
            return True
        if imports_any(ctx, MONGO_MODULES):
            return not self._plain_data(ctx, target)
        root = root_identifier(target)
        if root is None or root.start_byte != target.start_byte or root.end_byte != target.end_byte:
            return False
        # `User.findOne(...)` with `User` required from one of the project's modules: a model by convention.
        text = ctx.text(root)
        if not PASCAL_CASE.match(text) or text in NOT_MODELS:
            return False
        binding = ctx.model.resolve(root)
        if binding is None:
            return False
        if binding.import_source is not None:
            return binding.import_source.startswith(".")
        spec = self._required_spec(ctx, binding.value)
        return spec is not None and spec.startswith(".")

    @staticmethod
    def _required_spec(ctx: RuleContext, value: Node | None) -> str | None:
        if value is None:
            return None
        value = ctx.unwrap(value)
        if value.type == "member_expression":  # require('./models').User
            obj = value.child_by_field_name("object")
            value = ctx.unwrap(obj) if obj is not None else value
        if value.type != "call_expression":
            return None
        function = value.child_by_field_name("function")
        if function is None or ctx.text(function) != "require":
            return None
        args = ctx.arguments(value)
        return ctx.string_value(args[0]) if args else None

    @staticmethod
    def _plain_data(ctx: RuleContext, target: Node) -> bool:
        """Arrays and literals have `find`/`filter` too: `[...].find(...)`, `list.find(fn)`."""
        target = ctx.unwrap(target)
        return target.type in ("array", "string", "template_string", "object")

    @staticmethod
    def _sanitized_app(ctx: RuleContext) -> bool:
        """`app.use(mongoSanitize())` in the file strips `$` keys from every request."""
        cached = ctx.shared.get("nosql.sanitized_app")
        if isinstance(cached, bool):
            return cached
        result = False
        if b"express-mongo-sanitize" in ctx.model.source:
            found = parser.captures(ctx.model.dialect, "(call_expression) @call", ctx.model.tree.root_node)
            for call in found.get("call", []):
                if ctx.method_name(call) != "use":
                    continue
                for arg in ctx.arguments(call):
                    arg = ctx.unwrap(arg)
                    if arg.type == "call_expression" and (ctx.call_name(arg) or "").startswith(
                            "express-mongo-sanitize"):
                        result = True
        ctx.shared["nosql.sanitized_app"] = result
        return result
