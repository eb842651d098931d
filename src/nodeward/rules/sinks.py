"""Questions several taint rules ask about a sink's surroundings (no rule lives here).

- what constant text a string value starts with or contains (an SQL keyword, an HTML tag, a fixed
  path), following templates, concatenations and variable definitions;
- what a method call's receiver is called, and whether it is an HTTP response;
- which modules a file loads (cheap evidence that `x.query(...)` is a database call).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.lang.js.model import normalise_module, unwrap
from nodeward.rules.context import RuleContext

MAX_DEPTH = 8
_MODULE_SPEC = re.compile(rb"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)["']([^"'\n]+)["']""")
RESPONSE_NAMES = frozenset({"res", "response", "resp", "reply", "ctx", "context"})


def leading_text(ctx: RuleContext, node: Node, depth: int = 0) -> str | None:
    """The constant text a string value starts with (a literal, the head of a template, the left end of a
    concatenation, through the definition of a variable); None when it starts with something unknown."""
    if depth > MAX_DEPTH:
        return None
    node = unwrap(node)
    value = ctx.string_value(node)
    if value is not None:
        return value
    if node.type == "template_string":
        head = []
        for child in node.children:
            if child.type == "template_substitution":
                break
            if child.type in ("string_fragment", "escape_sequence"):
                head.append(ctx.text(child))
        return "".join(head)
    if node.type == "binary_expression" and _operator(ctx, node) == "+":
        left = node.child_by_field_name("left")
        return leading_text(ctx, left, depth + 1) if left is not None else None
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and not binding.path and binding.kind != "param":
            return leading_text(ctx, binding.value, depth + 1)
    return None


def constant_fragments(ctx: RuleContext, node: Node, depth: int = 0) -> Iterator[str]:
    """The constant pieces of text a string value is built from (templates, concatenations, `+=`)."""
    if depth > MAX_DEPTH:
        return
    node = unwrap(node)
    value = ctx.string_value(node)
    if value is not None:
        yield value
        return
    if node.type == "template_string":
        for child in node.children:
            if child.type in ("string_fragment", "escape_sequence"):
                yield ctx.text(child)
            elif child.type == "template_substitution" and child.named_children:
                yield from constant_fragments(ctx, child.named_children[0], depth + 1)
    elif node.type == "binary_expression" and _operator(ctx, node) == "+":
        for side in (node.child_by_field_name("left"), node.child_by_field_name("right")):
            if side is not None:
                yield from constant_fragments(ctx, side, depth + 1)
    elif node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and not binding.path and binding.kind != "param":
            yield from constant_fragments(ctx, binding.value, depth + 1)
    elif node.type == "call_expression" and ctx.method_name(node) in ("join", "concat"):
        callee = unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object")
        for part in (receiver, *ctx.arguments(node)):
            if part is not None:
                yield from constant_fragments(ctx, part, depth + 1)
    elif node.type == "array":
        for element in node.named_children:
            yield from constant_fragments(ctx, element, depth + 1)


def is_built_string(ctx: RuleContext, node: Node, depth: int = 0) -> bool:
    """True when the value is a template literal or a `+` concatenation with a string (so it is a string)."""
    if depth > MAX_DEPTH:
        return False
    node = unwrap(node)
    if node.type == "template_string":
        return True
    if node.type == "binary_expression" and _operator(ctx, node) == "+":
        return any(leading_text(ctx, side, depth + 1) is not None or is_built_string(ctx, side, depth + 1)
                   for side in (node.child_by_field_name("left"), node.child_by_field_name("right"))
                   if side is not None)
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and not binding.path and binding.kind != "param" \
                and binding.is_stable:
            return is_built_string(ctx, binding.value, depth + 1)
    return False


def receiver(call: Node) -> Node | None:
    """`x` in `x.method(...)`."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    callee = unwrap(function)
    if callee.type not in ("member_expression", "subscript_expression"):
        return None
    obj = callee.child_by_field_name("object")
    return unwrap(obj) if obj is not None else None


def sink_anchor(call: Node) -> Node:
    """Where a finding about a call points: the call, or its method name when the call is a multi-line chain
    (`db\n  .createQueryBuilder()\n  .where(...)` is reported on the line of `where`)."""
    if call.start_point[0] == call.end_point[0]:
        return call
    function = call.child_by_field_name("function")
    if function is not None:
        callee = unwrap(function)
        if callee.type == "member_expression":
            prop = callee.child_by_field_name("property")
            if prop is not None and prop.start_point[0] != call.start_point[0]:
                return prop
    return call


def name_of(ctx: RuleContext, node: Node) -> str | None:
    """The name an object goes by: `db` for `db`, `this.db` and `req.app.db`; None for calls and literals."""
    node = unwrap(node)
    if node.type == "await_expression" and node.named_children:
        node = unwrap(node.named_children[0])
    if node.type == "identifier":
        return ctx.text(node)
    if node.type in ("member_expression", "subscript_expression"):
        return ctx.model.member_property(node)
    return None


def call_chain(ctx: RuleContext, node: Node) -> Iterator[Node]:
    """The calls a method chain is made of, outermost first: `a.b().c()` gives `a.b().c()` then `a.b()`."""
    current: Node | None = unwrap(node)
    for _ in range(12):
        if current is None:
            return
        if current.type == "await_expression" and current.named_children:
            current = unwrap(current.named_children[0])
            continue
        if current.type in ("call_expression", "new_expression"):
            yield current
            function = current.child_by_field_name("function") or current.child_by_field_name("constructor")
            current = unwrap(function) if function is not None else None
        elif current.type in ("member_expression", "subscript_expression"):
            obj = current.child_by_field_name("object")
            current = unwrap(obj) if obj is not None else None
        else:
            return


def root_identifier(node: Node) -> Node | None:
    """`db` in `db.collection('x').find`, `this` excluded."""
    current: Node | None = unwrap(node)
    for _ in range(12):
        if current is None:
            return None
        if current.type == "identifier":
            return current
        if current.type == "await_expression" and current.named_children:
            current = unwrap(current.named_children[0])
        elif current.type in ("call_expression", "new_expression"):
            function = current.child_by_field_name("function") or current.child_by_field_name("constructor")
            current = unwrap(function) if function is not None else None
        elif current.type in ("member_expression", "subscript_expression"):
            obj = current.child_by_field_name("object")
            current = unwrap(obj) if obj is not None else None
        else:
            return None
    return None


def imported_modules(ctx: RuleContext) -> frozenset[str]:
    """Every module the file requires or imports, as written (normalised) and as its package name."""
    cached = ctx.shared.get("sinks.imported_modules")
    if isinstance(cached, frozenset):
        return cached
    names: set[str] = set()
    for match in _MODULE_SPEC.finditer(ctx.model.source):
        spec = normalise_module(match.group(1).decode("utf-8", "replace"))
        names.add(spec)
        parts = spec.split("/")
        names.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    result = frozenset(names)
    ctx.shared["sinks.imported_modules"] = result
    return result


def imports_any(ctx: RuleContext, modules: frozenset[str]) -> bool:
    return not imported_modules(ctx).isdisjoint(modules)


def binding_comes_from(ctx: RuleContext, node: Node, modules: frozenset[str]) -> bool:
    """True when an identifier is bound to a call (or `new`) of one of these modules, or imported from one:
    `const pool = mysql.createPool(...)`, `const db = new Database(...)`, `const knex = require('knex')(cfg)`."""
    root = root_identifier(node)
    if root is None:
        return False
    binding = ctx.model.resolve(root)
    if binding is None:
        return False
    if binding.import_source is not None:
        return _module_root(normalise_module(binding.import_source)) in modules
    if binding.value is None:
        return False
    for call in call_chain(ctx, binding.value):
        qualified = ctx.call_name(call)
        if qualified is None:
            function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
            if function is not None:
                qualified = ctx.qualified_name(function) or _required_module(ctx, function)
        if qualified is not None and _module_root(qualified) in modules:
            return True
    return False


def is_response(ctx: RuleContext, node: Node) -> bool:
    """An HTTP response object: a handler's second parameter, or a value named like one (res, reply, ctx)."""
    node = unwrap(node)
    name = name_of(ctx, node)
    if name is None:
        return False
    if name in RESPONSE_NAMES:
        return True
    if node.type != "identifier":
        return False
    binding = ctx.model.resolve(node)
    if binding is None or binding.kind != "param":
        return False
    function = ctx.taint.enclosing_function(binding.node)
    if function is None or ctx.taint.handler_role(function) != "http":
        return False
    params = function.child_by_field_name("parameters")
    return params is not None and len(params.named_children) > 1 and \
        params.named_children[1].start_byte <= binding.node.start_byte < params.named_children[1].end_byte


def enclosing_function_text(ctx: RuleContext, node: Node, until: Node | None = None) -> str:
    """The source of the function around `node`, up to the end of `until` when given."""
    function = ctx.taint.enclosing_function(node)
    if function is None:
        return ""
    end = until.end_byte if until is not None else function.end_byte
    return ctx.model.source[function.start_byte : end].decode("utf-8", "replace")


def _required_module(ctx: RuleContext, node: Node) -> str | None:
    node = unwrap(node)
    if node.type == "call_expression":
        return ctx.call_name(node)
    return None


def _module_root(qualified: str) -> str:
    if qualified.startswith("@"):
        return "/".join(qualified.split("/")[:2]).split(".")[0]
    return qualified.split(".")[0].split("/")[0]


def _operator(ctx: RuleContext, node: Node) -> str:
    operator = node.child_by_field_name("operator")
    return ctx.text(operator) if operator is not None else ""


# Response methods that set headers: name and value as arguments, or an object of headers.
HEADER_METHODS = frozenset({"setHeader", "set", "header", "append", "writeHead", "setHeaders", "appendHeader"})
# Response methods that return the response, so `res.status(302).set(...)` still sets a header of `res`.
CHAINABLE_RESPONSE_METHODS = frozenset({
    "status", "type", "set", "header", "append", "vary", "cookie", "clearCookie", "contentType", "code", "headers",
    "location", "links", "attachment", "setHeader",
})


def response_of(ctx: RuleContext, call: Node) -> Node | None:
    """The response a method is called on: `res` in `res.x()` and in `res.status(302).x()`."""
    target = receiver(call)
    if target is None:
        return None
    if target.type not in ("call_expression", "await_expression"):
        return target if is_response(ctx, target) else None
    links = list(call_chain(ctx, target))
    if links and all(ctx.method_name(link) in CHAINABLE_RESPONSE_METHODS for link in links):
        root = root_identifier(target)
        if root is not None and is_response(ctx, root):
            return root
    return None


def response_headers(ctx: RuleContext, call: Node) -> Iterator[tuple[Node | None, str | None, Node]]:
    """(name node, constant name, value node) of each header a response method call sets; the name node is
    None for the keys of a headers object. Only calls on a response object count."""
    method = ctx.method_name(call)
    if method not in HEADER_METHODS or response_of(ctx, call) is None:
        return
    args = ctx.arguments(call)
    if method == "writeHead":
        for arg in args[1:]:
            if ctx.resolve_object(arg) is not None:
                yield from _header_object(ctx, arg)
        return
    if not args:
        return
    if len(args) == 1 and ctx.resolve_object(args[0]) is not None:
        yield from _header_object(ctx, args[0])
    elif len(args) >= 2:
        yield args[0], ctx.string_value(args[0]), args[1]


def _header_object(ctx: RuleContext, obj: Node) -> Iterator[tuple[Node | None, str | None, Node]]:
    literal = ctx.resolve_object(obj)
    if literal is None:
        return
    for child in literal.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is None or value is None:
                continue
            name = ctx.model._property_key(key)
            yield (key if key.type == "computed_property_name" else None), name, value
        elif child.type == "shorthand_property_identifier":
            yield None, ctx.text(child), child


def is_guarded(ctx: RuleContext, sink: Node, value: Node, checks: re.Pattern[str]) -> bool:
    """True when an `if` before the sink, in the same function, tests the value with one of `checks` and
    either contains the sink or leaves the function (return, throw) when the test fails."""
    target = ctx.text(unwrap(value))
    if not re.fullmatch(r"[\w$.\[\]'\"]+", target):
        return False
    function = ctx.taint.enclosing_function(sink)
    body = function.child_by_field_name("body") if function is not None else None
    if body is None:
        return False
    stack = [body]
    while stack:
        node = stack.pop()
        if node.start_byte > sink.start_byte:
            continue
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            consequence = node.child_by_field_name("consequence")
            if condition is not None and consequence is not None:
                text = ctx.text(condition)
                if target in text and checks.search(text):
                    inside = consequence.start_byte <= sink.start_byte < consequence.end_byte
                    exits = re.search(r"\b(return|throw)\b|\bnext\s*\(", ctx.text(consequence)) is not None
                    if inside or (exits and node.end_byte <= sink.start_byte):
                        return True
        if node.type not in ("function_declaration", "function_expression", "arrow_function",
                             "method_definition"):
            stack.extend(node.named_children)
    return False


def nest_handler_decorators(ctx: RuleContext, node: Node, name: str) -> list[Node]:
    """The `@name(...)` decorators (of @nestjs/common) of the class method that holds `node`, as call
    expressions: `@Header("Content-Type", "text/html")` or `@Redirect()` of a NestJS handler."""
    method = node.parent
    while method is not None and method.type not in ("method_definition", "function_declaration",
                                                     "arrow_function", "function_expression"):
        method = method.parent
    if method is None or method.type != "method_definition" or f"@{name}".encode() not in ctx.model.source:
        return []
    found = []
    sibling = method.prev_sibling
    while sibling is not None and sibling.type in ("decorator", "comment"):
        expression = unwrap(sibling.named_children[0]) if sibling.named_children else sibling
        if expression.type == "call_expression" and ctx.call_name(expression) == f"@nestjs/common.{name}":
            found.append(expression)
        sibling = sibling.prev_sibling
    return found
