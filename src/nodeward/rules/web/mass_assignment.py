"""## What it finds
The whole request body written into a database model: `new User(req.body)`, `User.create(req.body)`,
`User.findByIdAndUpdate(id, req.body)`, `User.update(req.body, { where })`, `{ $set: req.body }`,
`Object.assign(user, req.body)` or `user.set(req.body)` on a document that is then saved, also through a
variable holding the body or a spread of it (`{ ...req.body }`). Reported with medium confidence for models
of accounts (names with user, account, member, customer, profile, admin, employee, staff, person), where
the fields a client must not choose live (`role`, `isAdmin`, `verified`, `balance`); for other models, as
an audit finding (low confidence). Fields picked one by one (`{ name: req.body.name }`, `_.pick(req.body,
[...])`) are not reported.

## Why it matters
A model writes every field it is given that its schema knows. A client that adds `"admin": true`,
`"role": "owner"` or `"emailVerified": true` to a sign-up or profile form grants itself the privilege
(mass assignment, improperly controlled modification of dynamically-determined object attributes, CWE-915).

## How to fix
Copy the fields the client may set, one by one or with an allow-list (`_.pick(req.body, ["name",
"email"])`, a validation schema that strips unknown keys), and set privileged fields on the server.

## Bad
```js
app.post("/users", async (req, res) => {
  const user = new User(req.body);
  await user.save();
  res.status(201).json({ id: user.id });
});
```

## Good
```js
app.post("/users", async (req, res) => {
  const user = new User({ name: req.body.name, email: req.body.email });
  await user.save();
  res.status(201).json({ id: user.id });
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import is_request_data, object_entries

# Model methods that write a record given as the argument at the position listed.
CREATE_METHODS = {"create": 0, "build": 0, "insertMany": 0, "upsert": 0, "bulkCreate": 0}
UPDATE_METHODS = {"findByIdAndUpdate": 1, "findOneAndUpdate": 1, "updateOne": 1, "updateMany": 1, "replaceOne": 1,
                  "update": 1}
# Copying into a document: `Object.assign(doc, body)`, lodash's assign/extend/merge, Mongoose's `doc.set(body)`.
COPY_CALLS = frozenset({"Object.assign", "lodash.assign", "lodash.extend", "lodash.merge", "lodash.assignIn",
                        "underscore.extend", "underscore.extendOwn"})
# Query methods whose result is a stored document (copying the body into it, then saving, updates the record).
DOCUMENT_QUERIES = frozenset({"findOne", "findById", "findByPk", "findOneBy", "findOneOrFail", "findByIdAndUpdate",
                              "findUnique", "findFirst"})
ACCOUNT_MODEL = re.compile(r"user|account|member|customer|profile|admin|employee|staff|person|owner|client",
                           re.IGNORECASE)
REQUEST_BODY = re.compile(r"^(?:req|request|ctx\.request|ctx)\.body$")
MAX_DEPTH = 4


class MassAssignment(Rule):
    id = "NW322"
    name = "mass-assignment"
    title = "Whole request body written into a database model"
    cwe = (915,)
    owasp = "A08"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Copy only the fields the client may set (an allow-list) and set privileged fields on the server."
    visits = ("call_expression", "new_expression")
    requires_text = (b"body",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        args = ctx.arguments(node)
        if not args:
            return
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            constructed = ctx.text(constructor).split(".")[-1] if constructor is not None else ""
            if constructed[:1].isupper() and ctx.call_name(node) not in ("Map", "Set", "URLSearchParams", "URL"):
                yield from self._written(node, args[0], constructed, ctx)
            return
        name = ctx.call_name(node)
        if name in COPY_CALLS and len(args) >= 2:
            copied_into = _document_model(args[0], ctx)
            if copied_into is not None:
                for source in args[1:]:
                    yield from self._written(node, source, copied_into, ctx)
            return
        method = ctx.method_name(node)
        model = _model_name(node, ctx)
        if method == "set" and len(args) == 1:
            document = _receiver(node)
            document_model = _document_model(document, ctx) if document is not None else None
            if document_model is not None:
                yield from self._written(node, args[0], document_model, ctx)
            return
        if model is None:
            return
        if method in CREATE_METHODS:
            yield from self._written(node, args[CREATE_METHODS[method]], model, ctx)
        elif method in UPDATE_METHODS and len(args) > UPDATE_METHODS[method]:
            values = args[UPDATE_METHODS[method]]
            options = object_entries(ctx, values)
            if method == "update" and options is not None and "where" in options[0]:
                values = args[0]  # Sequelize: `Model.update(values, { where })` puts the values first
            update = object_entries(ctx, values)
            if update is not None and "$set" in update[0]:
                values = update[0]["$set"]
            yield from self._written(node, values, model, ctx)

    def _written(self, call: Node, value: Node, model: str, ctx: RuleContext) -> Iterator[Finding]:
        body = _whole_body(value, ctx, 0)
        if body is None:
            return
        account = ACCOUNT_MODEL.search(model) is not None
        what, fields = ("an account model", "`role` or `isAdmin`") if account else ("a model", "an owner or a status")
        yield ctx.report(body, f"the whole request body is written into {what} (`{model}`): a client that adds "
                         f"fields such as {fields} sets them too; copy only the fields it may set",
                         confidence=Confidence.MEDIUM if account else Confidence.LOW)


def _whole_body(value: Node, ctx: RuleContext, depth: int) -> Node | None:
    """The node that puts the whole body into the value: `req.body`, `{ ...req.body }`, a variable holding it."""
    if depth > MAX_DEPTH:
        return None
    value = ctx.unwrap(value)
    if REQUEST_BODY.match(ctx.text(value).replace(" ", "")):
        return value if is_request_data(ctx, value) else None
    if value.type == "object":
        for child in value.named_children:
            if child.type == "spread_element" and child.named_children \
                    and _whole_body(child.named_children[0], ctx, depth + 1) is not None:
                return child
        return None
    if value.type == "call_expression" and ctx.call_name(value) in ("Object.assign", "structuredClone",
                                                                   "lodash.clone", "lodash.cloneDeep"):
        for arg in ctx.arguments(value):
            if _whole_body(arg, ctx, depth + 1) is not None:
                return value
        return None
    if value.type == "identifier":
        binding = ctx.model.resolve(value)
        if binding is not None and binding.value is not None and not binding.path and binding.is_stable \
                and _whole_body(binding.value, ctx, depth + 1) is not None:
            return value
    return None


def _receiver(call: Node) -> Node | None:
    function = call.child_by_field_name("function")
    return function.child_by_field_name("object") if function is not None and \
        function.type == "member_expression" else None


def _model_name(call: Node, ctx: RuleContext) -> str | None:
    """`User` in `User.create(...)`: a capitalised name, as models are written."""
    target = _receiver(call)
    if target is None:
        return None
    name = ctx.text(ctx.unwrap(target)).split(".")[-1]
    return name if name[:1].isupper() and name.isidentifier() else None


def _document_model(document: Node, ctx: RuleContext) -> str | None:
    """The model of a stored document: `user` from `await User.findById(id)` or `new User(...)`."""
    document = ctx.unwrap(document)
    if document.type != "identifier":
        return None
    binding = ctx.model.resolve(document)
    value = ctx.unwrap(binding.value) if binding is not None and binding.value is not None else None
    while value is not None and value.type == "await_expression" and value.named_children:
        value = ctx.unwrap(value.named_children[0])
    if value is None:
        return None
    if value.type == "new_expression":
        constructor = value.child_by_field_name("constructor")
        name = ctx.text(constructor).split(".")[-1] if constructor is not None else ""
        return name if name[:1].isupper() else None
    if value.type == "call_expression" and ctx.method_name(value) in DOCUMENT_QUERIES:
        return _model_name(value, ctx)
    return None
