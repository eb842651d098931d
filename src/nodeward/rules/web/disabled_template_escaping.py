"""## What it finds
Template engines and widgets told not to HTML-escape what they insert: `escapeMarkup` set to `false`
or to a function that returns its input (an option of Select2, Toastify and other widgets, and the
property that `object.escapeMarkup = false` sets); `Mustache.escape` or Handlebars'
`Utils.escapeExpression` replaced by such a function; Handlebars `noEscape: true` in the options of
`compile`/`precompile` (and in express-handlebars' `compilerOptions`); `autoescape: false` for
nunjucks (`configure`, `new Environment`) and swig (`setDefaults`, `new Swig`, `compile`, `render`);
an identity `escape` function in the options of EJS and Mustache `render`. Only the constant `false`
(or `true` for `noEscape`) and functions that return their argument are reported.

## Why it matters
Escaping is what turns `<script>` in a user name into harmless text. With escaping off, every
variable a template prints becomes raw HTML, so any value that an attacker can influence (a name, a
comment, a search term) runs as script in the victim's browser: stored or reflected cross-site
scripting (CWE-79), with access to the session, the page and everything the user can do.

## How to fix
Leave escaping on and mark the few values that really are trusted HTML in the template itself (`{{{
html }}}` in Handlebars and Mustache, `| safe` in nunjucks, `<%-` in EJS), after sanitising them
with a library such as DOMPurify or sanitize-html. If the engine renders something that is not HTML
(plain-text mail, configuration files), give that renderer its own instance and keep escaping on
for the one that renders pages.

## Bad
```js
const nunjucks = require("nunjucks");
nunjucks.configure("views", { autoescape: false });
```

## Good
```js
const nunjucks = require("nunjucks");
nunjucks.configure("views", { autoescape: true });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext

# Escaping functions of a module that code can replace: `Mustache.escape = (t) => t`.
ESCAPER_PROPERTIES = frozenset(
    {
        "mustache.escape", "Mustache.escape", "handlebars.Utils.escapeExpression",
        "Handlebars.Utils.escapeExpression",
    }
)
NUNJUCKS_CALLS = frozenset({"nunjucks.configure", "nunjucks.Environment"})
SWIG_MODULES = ("swig", "swig-templates")
SWIG_FUNCTIONS = frozenset({"setDefaults", "Swig", "compile", "compileFile", "render", "renderFile"})
# (call, index of the options argument) whose options may hold an `escape` function.
ESCAPE_OPTION_CALLS = {
    "ejs.render": 2, "ejs.renderFile": 2, "ejs.compile": 1, "mustache.render": 3, "Mustache.render": 3,
}
# Calls whose options may hold Handlebars' `noEscape`, directly or in `compilerOptions`.
HANDLEBARS_COMPILERS = frozenset({"compile", "precompile", "create", "engine", "ExpressHandlebars"})
HANDLEBARS_MODULES = ("handlebars", "Handlebars", "express-handlebars", "express-hbs", "hbs")
IDENTITY_FUNCTIONS = frozenset({"String", "lodash.identity", "underscore.identity", "ramda.identity"})
FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "function", "function_declaration"})


class DisabledTemplateEscaping(Rule):
    id = "NW302"
    name = "disabled-template-escaping"
    title = "HTML escaping of a template engine turned off"
    cwe = (79,)
    owasp = "A03"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Keep autoescaping on; print trusted, sanitised HTML with the engine's raw-output syntax instead."
    visits = ("assignment_expression", "pair", "method_definition", "call_expression", "new_expression")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "assignment_expression":
            yield from self._check_assignment(node, ctx)
        elif node.type in ("pair", "method_definition"):
            yield from self._check_escape_markup_option(node, ctx)
        else:
            yield from self._check_call(node, ctx)

    def _check_assignment(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        left = ctx.unwrap(left)
        if left.type not in ("member_expression", "subscript_expression"):
            return
        prop = ctx.model.member_property(left)
        if prop == "escapeMarkup" and (_is_false(right, ctx) or _is_identity(right, ctx)):
            yield ctx.report(node, f"`{ctx.text(left)}` turns HTML escaping off: inserted values are not escaped")
        elif ctx.qualified_name(left) in ESCAPER_PROPERTIES and _is_identity(right, ctx):
            yield ctx.report(
                node,
                f"`{ctx.text(left)}` is replaced by a function that returns its input: every variable of "
                "every template is printed as raw HTML",
            )

    def _check_escape_markup_option(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        parent = node.parent
        if parent is None or parent.type != "object":
            return
        if node.type == "pair":
            key = node.child_by_field_name("key")
            value = node.child_by_field_name("value")
            if key is None or value is None or _key_name(key, ctx) != "escapeMarkup":
                return
            if not (_is_false(value, ctx) or _is_identity(value, ctx)):
                return
        else:
            name = node.child_by_field_name("name")
            if name is None or ctx.text(name) != "escapeMarkup" or not _is_identity(node, ctx):
                return
        yield ctx.report(node, "the `escapeMarkup` option turns HTML escaping off: inserted values are not escaped")

    def _check_call(self, call: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(call)
        args = ctx.arguments(call)
        if name in NUNJUCKS_CALLS or _is_swig(name):
            engine = "nunjucks" if name in NUNJUCKS_CALLS else "swig"
            for arg in args:
                option = _option(arg, "autoescape", ctx)
                if option is not None and _is_false(option, ctx):
                    yield ctx.report(
                        _reported(option),
                        f"`autoescape: false` in `{ctx.text(_callee(call))}(...)` turns off HTML escaping in "
                        f"{engine}: every variable of every template is printed as raw HTML",
                    )
            return
        if name in ESCAPE_OPTION_CALLS:
            index = ESCAPE_OPTION_CALLS[name]
            options = args[index] if len(args) > index else None
            for key in ("escape", "escapeFunction"):
                option = _option(options, key, ctx) if options is not None else None
                if option is not None and _is_identity(option, ctx):
                    yield ctx.report(
                        _reported(option),
                        f"the `{key}` option of `{ctx.text(_callee(call))}(...)` returns its input: the "
                        "template's variables are printed as raw HTML",
                    )
            return
        if self._is_handlebars_compiler(call, name, ctx):
            for arg in args:
                for holder in (arg, _option(arg, "compilerOptions", ctx)):
                    option = _option(holder, "noEscape", ctx) if holder is not None else None
                    if option is not None and _is_true(option, ctx):
                        yield ctx.report(
                            _reported(option),
                            f"`noEscape: true` in `{ctx.text(_callee(call))}(...)` turns off Handlebars' HTML "
                            "escaping: `{{value}}` prints raw HTML",
                        )

    @staticmethod
    def _is_handlebars_compiler(call: Node, name: str | None, ctx: RuleContext) -> bool:
        if name is not None and name.split(".", 1)[0] in HANDLEBARS_MODULES:
            return True
        method = ctx.method_name(call)
        if method is not None:
            return method in HANDLEBARS_COMPILERS
        callee = _callee(call)
        return callee.type == "identifier" and ctx.text(callee) in HANDLEBARS_COMPILERS


def _key_name(key: Node, ctx: RuleContext) -> str | None:
    if key.type in ("property_identifier", "identifier"):
        return ctx.text(key)
    return ctx.string_value(key) if key.type == "string" else None


def _callee(call: Node) -> Node:
    return call.child_by_field_name("function") or call.child_by_field_name("constructor") or call


def _is_swig(name: str | None) -> bool:
    if name is None or "." not in name:
        return False
    module, function = name.rsplit(".", 1)
    return module in SWIG_MODULES and function in SWIG_FUNCTIONS


def _option(obj: Node, key: str, ctx: RuleContext) -> Node | None:
    """The value of option `key` (a method counts) in an object literal or a const alias of one."""
    literal = ctx.resolve_object(obj)
    if literal is None:
        return None
    for child in literal.named_children:
        if child.type == "method_definition":
            name = child.child_by_field_name("name")
            if name is not None and ctx.text(name) == key:
                return child
    return ctx.object_property(literal, key)


def _reported(option: Node) -> Node:
    """Report the whole `key: value` pair when there is one."""
    parent = option.parent
    return parent if parent is not None and parent.type == "pair" else option


def _is_false(node: Node, ctx: RuleContext) -> bool:
    value = ctx.model.evaluate(node)
    return value is not None and value.value is False


def _is_true(node: Node, ctx: RuleContext) -> bool:
    value = ctx.model.evaluate(node)
    return value is not None and value.value is True


def _is_identity(node: Node, ctx: RuleContext) -> bool:
    """A function that returns its first argument unchanged (or only converted to a string)."""
    node = ctx.unwrap(node)
    for _ in range(5):
        if node.type not in ("identifier", "member_expression"):
            break
        if ctx.qualified_name(node) in IDENTITY_FUNCTIONS or ctx.text(node) in ("_.identity", "R.identity"):
            return True
        if node.type != "identifier":
            return False
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return False
        node = ctx.unwrap(binding.value)
    if node.type not in FUNCTION_TYPES and node.type != "method_definition":
        return False
    parameter = _first_parameter(node, ctx)
    body = node.child_by_field_name("body")
    if parameter is None or body is None:
        return False
    if body.type != "statement_block":
        return _returns(body, parameter, ctx)
    statements = [s for s in body.named_children if s.type != "comment"]
    if len(statements) != 1 or statements[0].type != "return_statement":
        return False
    returned = statements[0].named_children
    return bool(returned) and _returns(returned[0], parameter, ctx)


def _first_parameter(function: Node, ctx: RuleContext) -> str | None:
    single = function.child_by_field_name("parameter")
    if single is not None:
        return ctx.text(single) if single.type == "identifier" else None
    params = function.child_by_field_name("parameters")
    if params is None:
        return None
    first = next((p for p in params.named_children if p.type != "comment"), None)
    if first is not None and first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern")
    return ctx.text(first) if first is not None and first.type == "identifier" else None


def _returns(expression: Node, parameter: str, ctx: RuleContext) -> bool:
    """`t`, `String(t)`, `` `${t}` ``, `"" + t`, `t.toString()`: the parameter, unescaped."""
    expression = ctx.unwrap(expression)
    kind = expression.type
    if kind == "identifier":
        return ctx.text(expression) == parameter
    if kind == "call_expression":
        args = ctx.arguments(expression)
        if ctx.call_name(expression) == "String" and len(args) == 1:
            return _returns(args[0], parameter, ctx)
        if ctx.method_name(expression) == "toString" and not args:
            callee = ctx.unwrap(_callee(expression))
            receiver = callee.child_by_field_name("object")
            return receiver is not None and _returns(receiver, parameter, ctx)
        return False
    if kind == "template_string":
        parts = [c for c in expression.named_children if not (c.type == "string_fragment" and not ctx.text(c))]
        return (
            len(parts) == 1
            and parts[0].type == "template_substitution"
            and bool(parts[0].named_children)
            and _returns(parts[0].named_children[0], parameter, ctx)
        )
    if kind == "binary_expression":
        operator = expression.child_by_field_name("operator")
        left = expression.child_by_field_name("left")
        right = expression.child_by_field_name("right")
        if operator is None or left is None or right is None or ctx.text(operator) != "+":
            return False
        for first, second in ((left, right), (right, left)):
            if ctx.string_value(first) == "" and _returns(second, parameter, ctx):
                return True
    return False
