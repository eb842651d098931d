"""## What it finds
MongoDB queries (driver and mongoose: `find`, `findOne`, `findOneAndUpdate`, `updateOne`, `deleteMany`,
`countDocuments`, `aggregate`, `where`, `mapReduce`, ...) whose filter is request data, or holds request
data as the value of a field: `User.findOne({ username: req.body.username })`. Parsed JSON bodies and
query strings (`?password[$ne]=x`) turn such a value into an object with query operators. Also
JavaScript run by the server: a `$where` clause or `mapReduce` functions built from request data.
A value that is certainly a string (a template literal, a concatenation, `String(x)`) cannot carry
operators and is not reported, except in `$where`. Files that register `express-mongo-sanitize` on the
app are not reported. Nor are the arguments of GraphQL resolvers: the schema types each one (a scalar,
or an input type whose field names cannot start with `$`), unless a JSON scalar (`graphql-type-json`,
`scalar JSON`) lets any object through.

SQL ORMs (Sequelize, TypeORM, Prisma, Knex, Objection, MikroORM) use the same method names, and are told
apart by how the model was made (`sequelize.define`, `Model.init`/`extends Model`, `@Entity`,
`getRepository`, `@InjectRepository`, `new PrismaClient()`, the ORM imported without a MongoDB library) or by
a `where` option: a value inside their `where` is a bound parameter and is not reported; the client's own
object as the whole condition or as the options (`where: req.body`, `{ where: { ...req.query } }`,
`findAll(req.query)`) is, because it chooses the columns and operators. Raw SQL through these ORMs
(`sequelize.query`, `literal`) is SQL injection (NW106).

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
from nodeward.rules.base import Sink, TaintRule, last_names
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
# SQL ORMs: their model and repository methods share names with MongoDB's (`findOne`, `find`, `update`,
# `count`), but a value inside their `where` is a bound parameter, not part of a query language.
SQL_ORM_MODULES = {
    "sequelize": "Sequelize", "sequelize-typescript": "Sequelize", "@nestjs/sequelize": "Sequelize",
    "typeorm": "TypeORM", "@nestjs/typeorm": "TypeORM", "@prisma/client": "Prisma", "knex": "Knex",
    "objection": "Objection", "@mikro-orm/core": "MikroORM", "@mikro-orm/postgresql": "MikroORM",
    "@mikro-orm/mysql": "MikroORM", "@mikro-orm/sqlite": "MikroORM", "@mikro-orm/nestjs": "MikroORM",
    "bookshelf": "Bookshelf",
}
# Methods of SQL ORM models and repositories that take query options (`{ where, attributes, include }`).
ORM_METHODS = frozenset({"findAll", "findAndCountAll", "findOrCreate", "findCreateFind", "destroy", "findFirst",
                         "findMany", "findUnique", "findFirstOrThrow", "findUniqueOrThrow", "findOneBy", "findBy",
                         "findAndCount", "findOneOrFail", "findOneByOrFail", "deleteMany", "updateMany", "upsert",
                         "findOne", "find", "count", "update", "delete"})
# Calls that make a SQL ORM model or repository: `sequelize.define('user', ...)`, `dataSource.getRepository(User)`,
# `em.getRepository(User)`, `new PrismaClient()`.
SQL_MODEL_FACTORIES = frozenset({"define", "getRepository", "getCustomRepository", "getTreeRepository",
                                 "withRepository", "PrismaClient"})
# ... and the ones that make a MongoDB one (TypeORM's Mongo repositories included).
MONGO_MODEL_FACTORIES = frozenset({"model", "collection", "getMongoRepository", "getModelForClass"})
# Class decorators and base classes of SQL ORM models; parameter decorators that inject them.
SQL_MODEL_DECORATORS = frozenset({"Entity", "Table", "InjectRepository", "ViewEntity"})
MONGO_MODEL_DECORATORS = frozenset({"Schema", "InjectModel", "modelOptions", "InjectConnection"})



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
    call_names = last_names(MODEL_METHODS, ORM_METHODS)
    sink_class = "nosql"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        for sink in self.sinks(node, ctx):
            if self._only_string_sources(ctx, sink):
                continue
            yield from ctx.evaluate_sink(self, sink)

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        method = ctx.method_name(node)
        if method not in MODEL_METHODS and method not in ORM_METHODS:
            return
        arguments = node.child_by_field_name("arguments")
        if arguments is None or arguments.type == "template_string":
            return
        args = ctx.arguments(node)
        if not args or self._sanitized_app(ctx):
            return
        if not self._is_mongo_call(ctx, node) and self._model_origin(ctx, node) != "sql":
            return
        what = shorten(ctx.text(node.child_by_field_name("function") or node))
        anchor = sink_anchor(node)
        orm = self._sql_orm(ctx, node, args)
        if orm is not None:
            yield from self._orm_sinks(anchor, args, what, orm, method, ctx)
            return
        if method not in MODEL_METHODS:
            return
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

    # SQL ORMs -------------------------------------------------------------------------------------------

    def _sql_orm(self, ctx: RuleContext, call: Node, args: list[Node]) -> str | None:
        """The SQL ORM a model method belongs to (its name), told by how the query or the model was made;
        None for MongoDB (or when nothing tells it apart: the call is then taken as MongoDB's, as before)."""
        if any(self._where_option(ctx, arg) is not None for arg in args):
            return self._orm_name(ctx) or "ORM"  # `{ where: ... }`: Sequelize, TypeORM, Prisma, MikroORM options
        made = self._model_origin(ctx, call)
        if made == "sql":
            return self._orm_name(ctx) or "ORM"
        if made is None and self._orm_name(ctx) is not None and not imports_any(ctx, MONGO_MODULES):
            return self._orm_name(ctx)
        return None

    @staticmethod
    def _orm_name(ctx: RuleContext) -> str | None:
        for module, name in SQL_ORM_MODULES.items():
            if imports_any(ctx, frozenset({module})):
                return name
        return None

    def _model_origin(self, ctx: RuleContext, call: Node) -> str | None:
        """"sql" or "mongo" when the receiver's model was made here: a factory call, a class with an ORM's
        decorator or base class, a repository injected into a constructor parameter; else None."""
        target = receiver(call)
        if target is None:
            return None
        for link in call_chain(ctx, target):
            kind = self._factory_kind(ctx, link)
            if kind is not None:
                return kind
        root = root_identifier(target)
        if root is None:
            member = ctx.unwrap(target)
            if member.type == "member_expression" and ctx.unwrap(
                    member.child_by_field_name("object") or member).type == "this":  # this.userRepository
                return self._injected_kind(ctx, member, ctx.model.member_property(member) or "")
            return None
        binding = ctx.model.resolve(root)
        if binding is None:
            return None
        if binding.kind == "class" or (binding.value is not None and ctx.unwrap(binding.value).type in (
                "class_declaration", "class")):
            return self._class_kind(ctx, binding.value if binding.value is not None else binding.node)
        if binding.kind == "param":
            return self._injected_kind(ctx, binding.node, binding.name)
        if binding.value is None:
            return None
        value = ctx.unwrap(binding.value)
        if value.type == "await_expression" and value.named_children:
            value = ctx.unwrap(value.named_children[0])
        for link in call_chain(ctx, value):
            kind = self._factory_kind(ctx, link)
            if kind is not None:
                return kind
        return None

    @staticmethod
    def _factory_kind(ctx: RuleContext, link: Node) -> str | None:
        name = ctx.call_name(link) or ""
        method = ctx.method_name(link) if link.type == "call_expression" else None
        last = name.split(".")[-1] if name else (method or "")
        if link.type == "new_expression":
            last = ctx.text(link.child_by_field_name("constructor") or link).split(".")[-1]
        if last in MONGO_MODEL_FACTORIES or name.startswith(("mongoose.", "mongodb.")):
            return "mongo"
        if last in SQL_MODEL_FACTORIES or any(name.startswith(m + ".") or name == m for m in SQL_ORM_MODULES):
            return "sql"
        return None

    def _class_kind(self, ctx: RuleContext, cls: Node) -> str | None:
        cls = ctx.unwrap(cls)
        text = ctx.text(cls)[:400]
        heritage = next((c for c in cls.named_children if c.type == "class_heritage"), None)
        base = ctx.call_name(heritage.named_children[-1]) if heritage is not None and heritage.named_children \
            and heritage.named_children[-1].type in ("call_expression",) else None
        if heritage is not None and heritage.named_children:
            base = base or ctx.model.qualified_name(ctx.unwrap(heritage.named_children[-1]))
        if base is not None and any(base == m or base.startswith(m + ".") for m in SQL_ORM_MODULES):
            return "sql"
        if base is not None and base.startswith(("mongoose", "@typegoose")):
            return "mongo"
        decorators = {d.group(1) for d in re.finditer(r"@(\w+)\s*\(", text)}
        if decorators & SQL_MODEL_DECORATORS:
            return "sql"
        if decorators & MONGO_MODEL_DECORATORS:
            return "mongo"
        return None

    @staticmethod
    def _injected_kind(ctx: RuleContext, node: Node, name: str) -> str | None:
        """`@InjectRepository(User) private users: Repository<User>` (TypeORM) or `@InjectModel(User.name)`
        (Mongoose, or Sequelize from @nestjs/sequelize): the decorator of the constructor parameter says."""
        body = node.parent
        while body is not None and body.type != "class_body":
            body = body.parent
        if body is None or not name:
            return None
        found = re.search(rb"@(\w+)\([^)]*\)\s*(?:(?:private|public|protected|readonly)\s+)*" + re.escape(
            name.encode()) + rb"\s*[:,)]", ctx.model.source[body.start_byte:body.end_byte])
        if found is None:
            return None
        decorator = found.group(1).decode()
        if decorator == "InjectRepository" or (decorator == "InjectModel" and imports_any(
                ctx, frozenset({"@nestjs/sequelize"}))):
            return "sql"
        return "mongo" if decorator in MONGO_MODEL_DECORATORS else None

    def _where_option(self, ctx: RuleContext, arg: Node) -> Node | None:
        """The value of the `where` option of an ORM call's options object (`{ where: {...} }`), if any."""
        arg = ctx.unwrap(arg)
        if arg.type == "identifier":
            binding = ctx.model.resolve(arg)
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return None
            arg = ctx.unwrap(binding.value)
        if arg.type != "object":
            return None
        for child in arg.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                if key is not None and ctx.model._property_key(key) == "where":
                    return child.child_by_field_name("value")
            elif child.type == "shorthand_property_identifier" and ctx.text(child) == "where":
                return child
        return None

    def _orm_sinks(self, anchor: Node, args: list[Node], what: str, orm: str, method: str,
                   ctx: RuleContext) -> Iterator[Sink]:
        """In an ORM query, values inside `where` are bound parameters; what a client can abuse is an object of
        its own as the whole condition (`where: req.body`, `{ ...req.query }`) or as the options, which picks
        the columns, operators, attributes and includes."""
        description = f"the `where` of `{what}` (a {orm} query: the client's object chooses its columns and " \
                      "operators)"
        with_where = [arg for arg in args if self._where_option(ctx, arg) is not None]
        position = 1 if method in ("update", "upsert", "updateMany") else 0  # (values, options)
        options = with_where or args[position:position + 1]
        for arg in options:
            where = self._where_option(ctx, arg)
            unwrapped = ctx.unwrap(arg)
            if where is None:
                if unwrapped.type in ("object", "array") or self._is_string(ctx, unwrapped) or \
                        ctx.model.is_constant(unwrapped):
                    continue
                if unwrapped.type == "identifier":
                    binding = ctx.model.resolve(unwrapped)
                    if binding is not None and binding.value is not None and binding.is_stable and \
                            not binding.path and ctx.unwrap(binding.value).type == "object":
                        continue
                yield Sink(anchor, arg, f"the options of `{what}` (a {orm} query: the client's object chooses its "
                           "conditions, columns and operators)",
                           f"the options of `{what}` are the non-constant value `{shorten(ctx.text(arg))}`")
                continue
            where = ctx.unwrap(where)
            if where.type in ("identifier", "shorthand_property_identifier"):
                binding = ctx.model.resolve(where)
                if binding is not None and binding.value is not None and binding.is_stable and not binding.path \
                        and ctx.unwrap(binding.value).type == "object":
                    where = ctx.unwrap(binding.value)
            if where.type == "object":
                for child in where.named_children:
                    if child.type == "spread_element" and child.named_children:
                        yield Sink(anchor, child.named_children[0], description,
                                   f"the `where` of `{what}` spreads the non-constant value "
                                   f"`{shorten(ctx.text(child.named_children[0]))}`")
                continue
            if not self._is_string(ctx, where):
                yield Sink(anchor, where, description,
                           f"the `where` of `{what}` is the non-constant value `{shorten(ctx.text(where))}`")

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
            found = ctx.model.captures("(call_expression) @call")
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
