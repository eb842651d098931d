"""## What it finds
Work or memory sized directly by a number from the request: `for` loops whose bound is a request
value (`for (let i = 0; i < req.query.count; i++)`), and allocations whose size is one: `new
Array(n)`, `Array(n)`, `Array.from({ length: n })`, `Buffer.alloc(n)`, `Buffer.allocUnsafe(n)`,
`new Uint8Array(n)` (and the other typed arrays), `new ArrayBuffer(n)`, `"x".repeat(n)` and
`.padStart/padEnd(n)`. Conversions (`Number()`, `parseInt()`, unary `+`, `Math.floor`) do not bound
a value; a clamp (`Math.min(n, 100)`), a comparison of the value in an `if` of the same function, or
a `.max(...)` validation there (joi, zod, yup, express-validator) does. Iterating over a request
array (`i < req.body.items.length`) is bounded by the body size and is not reported.

## Why it matters
One request with `?count=1e9` makes the server loop a billion times or allocate gigabytes on the
event loop, which blocks or crashes the process for every user (loop with unchecked input,
CWE-606; memory allocation with excessive size value, CWE-789; CWE-400).

## How to fix
Validate the number and clamp it to a maximum that makes sense for the feature before using it:
`const count = Math.min(Math.max(parseInt(req.query.count, 10) || 0, 0), 100)`.

## Bad
```js
app.get("/codes", (req, res) => {
  const codes = [];
  for (let i = 0; i < req.query.count; i++) codes.push(makeCode());
  res.json(codes);
});
```

## Good
```js
app.get("/codes", (req, res) => {
  const count = Math.min(parseInt(req.query.count, 10) || 0, 100);
  const codes = [];
  for (let i = 0; i < count; i++) codes.push(makeCode());
  res.json(codes);
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import SOURCE
from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import descendants, enclosing_function, object_entries

ALLOCATORS = frozenset(
    {"Array", "Buffer.alloc", "Buffer.allocUnsafe", "Buffer.allocUnsafeSlow", "ArrayBuffer", "SharedArrayBuffer",
     "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array",
     "Float64Array", "BigInt64Array", "BigUint64Array", "Uint8ClampedArray"}
)
SIZE_METHODS = frozenset({"repeat", "padStart", "padEnd"})
CONVERSIONS = frozenset({"Number", "parseInt", "parseFloat", "Number.parseInt", "Number.parseFloat", "Math.floor",
                         "Math.ceil", "Math.round", "Math.abs", "Math.trunc", "BigInt"})
CLAMPS = frozenset({"Math.min", "lodash.clamp", "clamp"})
LESS_THAN = frozenset({"<", "<="})
MAX_DEPTH = 6


class RequestControlledAllocation(Rule):
    id = "NW318"
    name = "request-controlled-allocation"
    title = "Loop or allocation sized by a number from the request"
    cwe = (606, 789, 400)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Clamp request numbers to a sensible maximum (Math.min(n, LIMIT)) before looping or allocating."
    visits = ("for_statement", "call_expression", "new_expression")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "for_statement":
            condition = node.child_by_field_name("condition")
            if condition is None:
                return
            if condition.type == "expression_statement" and condition.named_children:
                condition = condition.named_children[0]
            if condition.type != "binary_expression":
                return
            operator = condition.child_by_field_name("operator")
            bound = condition.child_by_field_name("right")
            if operator is None or bound is None or ctx.text(operator) not in LESS_THAN:
                return
            what = "the bound of this loop"
            size = bound
        else:
            size_node = self._allocation_size(node, ctx)
            if size_node is None:
                return
            size = size_node
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor") or node
            what = f"the size of `{ctx.text(callee)}`"
        source = _unbounded_request_number(ctx, size, node, 0)
        if source is None:
            return
        ctx.record_practice("body-size", "missing", node, f"{what} comes from the request")
        yield ctx.report(node, f"{what} is `{source}` from the request with no upper limit: one request can make the "
                         "server loop or allocate without end; clamp it first")

    def _allocation_size(self, node: Node, ctx: RuleContext) -> Node | None:
        args = ctx.arguments(node)
        if not args:
            return None
        name = ctx.call_name(node)
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        if name is None and callee is not None and callee.type == "identifier" and ctx.model.resolve(callee) is None:
            name = ctx.text(callee)  # a global constructor the model does not list (Uint8Array, ArrayBuffer)
        if name in ALLOCATORS and (name != "Array" or len(args) == 1):
            return args[0]
        if name == "Array.from":
            found = object_entries(ctx, args[0])
            return found[0].get("length") if found is not None else None
        if node.type == "call_expression" and ctx.method_name(node) in SIZE_METHODS:
            return args[0]
        return None


def _unbounded_request_number(ctx: RuleContext, node: Node, site: Node, depth: int) -> str | None:
    """The request value a size comes from, through conversions and consts, unless it is clamped or checked."""
    node = ctx.unwrap(node)
    if depth > MAX_DEPTH or ctx.is_constant(node):
        return None
    if node.type == "call_expression":
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in CLAMPS:
            return None
        if name in CONVERSIONS and args:
            return _unbounded_request_number(ctx, args[0], site, depth + 1)
        if ctx.method_name(node) in ("get", "header", "param"):
            return _checked(ctx, node, site)
        return None
    if node.type == "unary_expression":
        argument = node.child_by_field_name("argument")
        operator = node.child_by_field_name("operator")
        if argument is not None and operator is not None and ctx.text(operator) == "+":
            return _unbounded_request_number(ctx, argument, site, depth + 1)
        return None
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator is None or left is None or right is None:
            return None
        op = ctx.text(operator)
        if op in ("|", ">>>", ">>") and ctx.is_constant(right):
            return _unbounded_request_number(ctx, left, site, depth + 1)
        if op in ("||", "??"):
            return _unbounded_request_number(ctx, left, site, depth + 1)
        if op in ("*", "+") and (ctx.is_constant(right) or ctx.is_constant(left)):
            return _unbounded_request_number(ctx, right if ctx.is_constant(left) else left, site, depth + 1)
        return None
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or not binding.is_stable or binding.path:
            return None
        if binding.kind not in ("const", "let", "var"):
            return None
        found = _unbounded_request_number(ctx, binding.value, site, depth + 1)
        return found if found is not None and _checked(ctx, node, site) is not None else None
    if node.type in ("member_expression", "subscript_expression"):
        if ctx.model.member_property(node) in ("length", "byteLength"):
            return None
        return _checked(ctx, node, site)
    return None


def _checked(ctx: RuleContext, value: Node, site: Node) -> str | None:
    """The value's text when it is request data and no comparison or validation in the function bounds it."""
    if not any(o.kind == SOURCE and o.tag == "" for o in ctx.taint.taint_of(value)):
        return None
    text = ctx.text(value)
    function = enclosing_function(site)
    if function is None:
        return text
    body = ctx.text(function)
    if ".max(" in body or "isInt(" in body:
        return None  # a validation schema (joi, zod, yup, express-validator) in the handler
    pattern = re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w])")
    for statement in descendants(function, frozenset({"if_statement", "ternary_expression"})):
        condition = statement.child_by_field_name("condition")
        if condition is None:
            continue
        for comparison in descendants(condition, frozenset({"binary_expression"})):
            operator = comparison.child_by_field_name("operator")
            if operator is not None and ctx.text(operator) in (">", ">=", "<", "<=") \
                    and pattern.search(ctx.text(comparison)):
                return None
        if condition.type == "binary_expression" and pattern.search(ctx.text(condition)) and \
                any(op in ctx.text(condition) for op in (">", "<")):
            return None
    return text
