"""## What it finds
Code evaluated from a non-constant string: `eval` (also `globalThis.eval`, `window.eval` and the
indirect `(0, eval)(...)`), the `Function` constructor, `setTimeout`/`setInterval`/`setImmediate`/
`execScript` given a string built at run time instead of a function, and the `vm` module
(`vm.runInThisContext`, `vm.runInNewContext`, `vm.runInContext`, `vm.compileFunction`,
`new vm.Script`, `new vm.SourceTextModule`). Code that is a constant is not reported, nor are local
functions that happen to be called `eval` or `Function`.

With request data (or the parameters of a library's API) it also finds code run in a `vm2` sandbox
(`new VM().run(code)`, `new NodeVM().run(code)`, `new VMScript(code)`) and template sources compiled by
template engines, which turn templates into JavaScript functions: lodash/underscore `_.template`,
`Handlebars.compile`, `ejs.compile`/`ejs.render`, `pug.compile`/`pug.render`, `doT.template`,
`nunjucks.renderString`. The data passed to a template is not code; only its source is checked, but for
one shape: the whole request object as a view's data (`res.render("account", req.body)`), which is also
the template engine's options (`layout`, `settings`, EJS's `outputFunctionName`), read as file names
and compiled into the template's code; and data that a Dust view puts into an `{@if cond="..."}`
condition, which dustjs-helpers runs through `eval` (`res.render("about.dust", { device: req.query.device })`
with `{@if cond="'{device}' == 'Desktop'"}` in the view, found in a `views` folder of the scanned tree).

## Why it matters
These functions compile their argument as JavaScript and run it with the privileges of the
process. When any part of that string comes from a request, a file, a database or another
program, an attacker can run code of their choice (code injection, CWE-95): read secrets, spawn
processes, or take the server over. The `vm` module is not a security boundary either: code run in
another context escapes to the host with one line.

## How to fix
Do not build code from data. Parse data with a parser (`JSON.parse`), look functions up in an
allow-listed object (`handlers[name]`), pass a function rather than a string to timers, and run
untrusted code only in a separate process or an isolate with no access to the host.

## Bad
```js
function calculate(req, res) {
  const result = eval("(" + req.query.expression + ")");
  res.json({ result });
}
```

## Good
```js
const operations = { add: (a, b) => a + b, sub: (a, b) => a - b };
function calculate(req, res) {
  const operation = operations[req.query.op];
  res.json({ result: operation(Number(req.query.a), Number(req.query.b)) });
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import SOURCE
from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext
from nodeward.rules.injection.dust_views import evaluated_names
from nodeward.rules.sinks import response_of

# A whole request object (`req.body`, `req.query`, `ctx.request.body`), not one of its fields.
WHOLE_REQUEST_OBJECT = re.compile(r"^[\w$]+(?:\.request)?\.(?:body|query)$")

_GLOBAL_OBJECTS = ("", "window.", "globalThis.", "global.", "self.")
EVAL_NAMES = frozenset(f"{prefix}eval" for prefix in _GLOBAL_OBJECTS)
FUNCTION_CONSTRUCTORS = frozenset(f"{prefix}Function" for prefix in _GLOBAL_OBJECTS) | {
    "Function.prototype.constructor"
}
TIMERS = frozenset(
    f"{prefix}{name}"
    for prefix in _GLOBAL_OBJECTS
    for name in ("setTimeout", "setInterval", "setImmediate", "execScript")
)
# vm functions and classes whose first argument is source code.
VM_CODE = frozenset(
    {"vm.runInThisContext", "vm.runInNewContext", "vm.runInContext", "vm.Script", "vm.SourceTextModule"}
)
VM_COMPILE_FUNCTION = "vm.compileFunction"  # (code, params, options): the parameter names are code too
# vm2 sandboxes: `new VM(...).run(code)`; and its compiled scripts, whose first argument is code.
VM2_SANDBOXES = frozenset({"vm2.VM", "vm2.NodeVM"})
VM2_RUN_METHODS = frozenset({"run"})
VM2_CODE = frozenset({"vm2.VMScript"})
# Template engines that compile a template into a JavaScript function: name -> position of the template
# source. Reported only when the source is request data (a template read from a file is the normal case).
TEMPLATE_COMPILERS: dict[str, int] = {
    **dict.fromkeys(
        ("lodash.template", "lodash/template", "lodash-es.template", "underscore.template"),
        0,
    ),
    **dict.fromkeys(("handlebars.compile", "Handlebars.compile", "handlebars.precompile", "Handlebars.precompile"), 0),
    **dict.fromkeys(("ejs.compile", "ejs.render"), 0),
    **dict.fromkeys(("pug.compile", "pug.render", "pug.compileClient", "jade.compile", "jade.render"), 0),
    **dict.fromkeys(("dot.template", "dot.compile", "doT.template", "doT.compile"), 0),
    **dict.fromkeys(("nunjucks.renderString", "nunjucks.compile"), 0),
}

# Calls and methods whose result is a string whatever their input.
STRING_CALLS = frozenset(
    {"String", "JSON.stringify", "util.format", "encodeURIComponent", "decodeURIComponent"}
)
STRING_METHODS = frozenset(
    {
        "toString", "join", "replace", "replaceAll", "trim", "trimStart", "trimEnd", "toLowerCase",
        "toUpperCase", "padStart", "padEnd", "repeat", "substring", "substr", "charAt", "normalize",
    }
)
ANNOTATED_DECLARATIONS = frozenset({"required_parameter", "optional_parameter", "variable_declarator"})
MAX_DEPTH = 10



class DynamicCodeEvaluation(TaintRule):
    id = "NW102"
    name = "dynamic-code-evaluation"
    title = "Code evaluated from a non-constant string"
    cwe = (95,)
    owasp = "A03"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Do not evaluate strings as code: parse data with JSON.parse and pass functions instead of strings."
    visits = ("call_expression", "new_expression")
    sink_class = "code"
    reports_unknown_origin = True

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        if ctx.method_name(node) == "render" and response_of(ctx, node) is not None:
            yield from self._render_options(node, ctx)
            return
        name = self._callee_name(node, ctx)
        if name is None:
            return
        args = ctx.arguments(node)
        if not args:
            return
        if name in EVAL_NAMES:
            shown = "indirect eval" if name == "eval" and self._is_indirect(node, ctx) else name
            yield Sink(
                node, args[0], f"`{shown}` (code that is run)",
                f"`{shown}` runs code built from the non-constant value `{shorten(ctx.text(args[0]))}`",
            )
        elif name in FUNCTION_CONSTRUCTORS:
            for arg in args:
                yield Sink(
                    node, arg, "the `Function` constructor (code that is compiled)",
                    f"the `Function` constructor compiles code built from the non-constant value "
                    f"`{shorten(ctx.text(arg))}`",
                )
        elif name in TIMERS:
            code = args[0]
            if _builds_string(code, ctx, 0):
                yield Sink(
                    node, code, f"`{name}` given a string (code that is run)",
                    f"`{name}` is given a string, which it evaluates as code, built from the non-constant "
                    f"value `{shorten(ctx.text(code))}`; pass a function instead",
                )
        elif name in TEMPLATE_COMPILERS:
            position = TEMPLATE_COMPILERS[name]
            if position < len(args) and args[position].type != "spread_element":
                yield Sink(
                    node, args[position], f"`{name}` (a template source, compiled to code)",
                    f"`{name}` compiles a template built from the non-constant value "
                    f"`{shorten(ctx.text(args[position]))}`",
                    reports_unknown_origin=False,
                )
        elif name == "vm2.VM.run":
            yield Sink(node, args[0], "`vm2` `run` (code run in a sandbox)", reports_unknown_origin=False)
        elif name in VM2_CODE:
            yield Sink(node, args[0], f"`{name}` (code run in a vm2 sandbox)", reports_unknown_origin=False)
        elif name in VM_CODE or name == VM_COMPILE_FUNCTION:
            for arg in args[:2] if name == VM_COMPILE_FUNCTION else args[:1]:
                yield Sink(
                    node, arg, f"`{name}` (code that is compiled)",
                    f"`{name}` compiles code built from the non-constant value "
                    f"`{shorten(ctx.text(arg))}`; the vm module is not a security boundary",
                )

    @staticmethod
    def _render_options(node: Node, ctx: RuleContext) -> Iterator[Sink]:
        """`res.render(view, req.body)`: the whole request object as the view's data is also the template
        engine's options (`layout`, `settings`, EJS's `outputFunctionName`/`escapeFunction`, Handlebars'
        `layout`), which read files or become code."""
        args = ctx.arguments(node)
        if len(args) < 2:
            return
        data = args[1]
        yield from DynamicCodeEvaluation._dust_conditions(node, args[0], data, ctx)
        if ctx.unwrap(data).type in ("object", "arrow_function", "function_expression"):
            return
        if not any(o.kind == SOURCE and WHOLE_REQUEST_OBJECT.search(o.label) for o in ctx.taint.taint_of(data)):
            return
        yield Sink(node, data, "the data and options of `res.render` (a template engine's options become code "
                   "and file reads)", reports_unknown_origin=False)

    @staticmethod
    def _dust_conditions(node: Node, view: Node, data: Node, ctx: RuleContext) -> Iterator[Sink]:
        """`res.render("about.dust", { device: req.query.device })` where the view has
        `{@if cond="'{device}' == 'Desktop'"}`: dustjs-helpers evaluates the condition with `eval`."""
        name = ctx.string_value(view)
        literal = ctx.resolve_object(data) if name is not None else None
        if name is None or literal is None:
            return
        evaluated = evaluated_names(name, ctx.file_path, ctx.scan_root)
        if not evaluated:
            return
        for pair in literal.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            value = pair.child_by_field_name("value") if pair.type == "pair" else None
            if key is None or value is None or ctx.model._property_key(key) not in evaluated:
                continue
            yield Sink(node, value, f"`{{{ctx.model._property_key(key)}}}` in an `@if` condition of the Dust view "
                       f"`{name}` (dustjs-helpers evaluates it with `eval`)", reports_unknown_origin=False)

    @staticmethod
    def _callee_name(node: Node, ctx: RuleContext) -> str | None:
        name = ctx.call_name(node)
        if name is not None or node.type != "call_expression":
            return name
        if ctx.method_name(node) in VM2_RUN_METHODS and _is_vm2_sandbox(node, ctx):
            return "vm2.VM.run"
        return "eval" if DynamicCodeEvaluation._is_indirect(node, ctx) else None

    @staticmethod
    def _is_indirect(node: Node, ctx: RuleContext) -> bool:
        """`(0, eval)(code)`: a sequence expression whose last value is the global eval."""
        callee = node.child_by_field_name("function")
        if callee is None:
            return False
        callee = ctx.unwrap(callee)
        if callee.type != "sequence_expression" or not callee.named_children:
            return False
        return ctx.qualified_name(callee.named_children[-1]) in EVAL_NAMES


def _is_vm2_sandbox(call: Node, ctx: RuleContext) -> bool:
    """`new VM(...).run(code)` or `vm.run(code)` where `vm` holds a `new VM(...)`/`new NodeVM(...)` of vm2."""
    callee = ctx.unwrap(call.child_by_field_name("function") or call)
    receiver = callee.child_by_field_name("object")
    if receiver is None:
        return False
    receiver = ctx.unwrap(receiver)
    if receiver.type == "identifier":
        binding = ctx.model.resolve(receiver)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return False
        receiver = ctx.unwrap(binding.value)
    return receiver.type == "new_expression" and ctx.call_name(receiver) in VM2_SANDBOXES


def _builds_string(node: Node, ctx: RuleContext, depth: int) -> bool:
    """True when the expression certainly evaluates to a string (whatever its value)."""
    if depth > MAX_DEPTH:
        return False
    node = ctx.unwrap(node)
    kind = node.type
    if kind in ("string", "template_string"):
        return True
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator is None or ctx.text(operator) != "+" or left is None or right is None:
            return False
        return _builds_string(left, ctx, depth + 1) or _builds_string(right, ctx, depth + 1)
    if kind == "ternary_expression":
        branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
        return all(b is not None and _builds_string(b, ctx, depth + 1) for b in branches)
    if kind == "call_expression":
        return ctx.call_name(node) in STRING_CALLS or ctx.method_name(node) in STRING_METHODS
    if kind == "identifier":
        return _identifier_is_string(node, ctx, depth)
    return False


def _identifier_is_string(node: Node, ctx: RuleContext, depth: int) -> bool:
    binding = ctx.model.resolve(node)
    if binding is None:
        return False
    declared = binding.node.parent
    if declared is not None:
        annotation = declared.child_by_field_name("type")
        if annotation is not None and declared.type in ANNOTATED_DECLARATIONS:
            return ctx.text(annotation).lstrip(":").strip() == "string"
    if binding.kind not in ("const", "let", "var") or binding.value is None or binding.path:
        return False
    # A variable declared with a string and later extended (`code += x`) is still a string: this
    # question is about the type, the value check is is_constant's job.
    return _builds_string(binding.value, ctx, depth + 1)
