"""## What it finds
Modules loaded from a non-constant path: `require(x)` (also `module.require`, `require.main.require`
and functions made by `module.createRequire`) and dynamic `import(x)`. Paths built only from
constants (`require(path.join(__dirname, "lib"))`, `` import(`./locale/${DEFAULT_LANG}.js`) ``) and
values that can only be one of a set of constants (`require(DRIVERS[name])`, a loop over a constant
list) are not reported; neither is `require.resolve`, which locates a file without running it, nor a
local function that is merely called `require`.

## Why it matters
Loading a module runs its code. When the path comes from a request, a configuration file or an
environment variable, whoever controls it chooses which code the process runs: a file they
uploaded, a module elsewhere on disk reached with `../`, or a package planted in `node_modules`.
Even loading an existing module by an unexpected name can change the behaviour of the application
or reveal whether files exist.

## How to fix
Map the allowed names to constant paths in an object and load only what the map holds
(`const loaders = { csv: "./csv.js", json: "./json.js" }`). When plugins must be loadable by name,
resolve the name against a fixed directory, reject anything that leaves it, and load only names
listed in a trusted configuration.

## Bad
```js
function loadFormatter(req) {
  return require("./formatters/" + req.query.format);
}
```

## Good
```js
const FORMATTERS = { csv: "./formatters/csv", json: "./formatters/json" };
function loadFormatter(req) {
  const formatter = FORMATTERS[req.query.format];
  if (formatter === undefined) throw new Error("unknown format");
  return require(formatter);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext

REQUIRE_NAMES = frozenset({"require", "module.require", "require.main.require"})
CREATE_REQUIRE = "module.createRequire"
# Array methods that call their callback with each element of the receiver, and the position of the
# callback parameter that receives it.
ELEMENT_PARAMETER = {
    **dict.fromkeys(("forEach", "map", "flatMap", "filter", "some", "every", "find", "findIndex", "findLast"), 0),
    "reduce": 1,
    "reduceRight": 1,
}
MAX_DEPTH = 10


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NonLiteralRequire(Rule):
    # CWE-829 (Inclusion of Functionality from Untrusted Control Sphere) names exactly this: the code
    # that runs is chosen by a value that may come from outside. CWE-706 (incorrectly-resolved name)
    # describes the path confusion only. OWASP 2021 maps CWE-829 to A08 (Software and Data Integrity
    # Failures): the risk is running code whose origin is not verified.
    id = "NW103"
    name = "non-literal-require"
    title = "Module loaded from a non-constant path"
    cwe = (829,)
    owasp = "A08"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Load modules by constant paths, choosing among them with an allow-list object."
    visits = ("call_expression",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        loader = _loader_name(node, ctx)
        if loader is None:
            return
        args = ctx.arguments(node)
        if not args:
            return
        spec = args[0]
        if spec.type == "spread_element" or is_constant_choice(spec, ctx):
            return
        yield ctx.report(
            node,
            f"`{loader}` loads a module from the non-constant path `{_short(ctx.text(spec))}`; whoever "
            "controls it chooses the code that runs",
        )


def _loader_name(call: Node, ctx: RuleContext) -> str | None:
    """How the call loads a module ("require", "import()", ...), or None when it does not."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "import":
        return "import()"
    name = ctx.call_name(call)
    if name in REQUIRE_NAMES:
        return name
    callee = ctx.unwrap(function)
    if callee.type == "identifier":
        binding = ctx.model.resolve(callee)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        callee = ctx.unwrap(binding.value)
    # `const require = createRequire(import.meta.url)` or `createRequire(__filename)(x)`
    if callee.type == "call_expression" and ctx.call_name(callee) == CREATE_REQUIRE:
        return ctx.text(function)
    return None


def is_constant_choice(node: Node, ctx: RuleContext, depth: int = 0) -> bool:
    """True when the value is a constant or one of a set of constants, even if which one is unknown.

    That is: a constant; an element of a constant array or object, whatever the key
    (`HANDLERS[name]`); a condition, `||`, `??`, `&&`, `+` or template built from such values; a stable
    variable holding one; a loop variable over a constant collection (`for (const m of ["a", "b"])`,
    `["a", "b"].forEach((m) => ...)`).
    """
    if depth > MAX_DEPTH:
        return False
    if ctx.is_constant(node):
        return True
    node = ctx.unwrap(node)
    kind = node.type
    if kind == "subscript_expression":
        obj = node.child_by_field_name("object")
        return obj is not None and ctx.is_constant(obj)
    if kind == "ternary_expression":
        branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
        return all(b is not None and is_constant_choice(b, ctx, depth + 1) for b in branches)
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is None or ctx.text(operator) not in ("||", "??", "&&", "+"):
            return False
        sides = [node.child_by_field_name(f) for f in ("left", "right")]
        return all(s is not None and is_constant_choice(s, ctx, depth + 1) for s in sides)
    if kind == "template_string":
        substitutions = [
            c.named_children[0] for c in node.named_children if c.type == "template_substitution" and c.named_children
        ]
        return all(is_constant_choice(s, ctx, depth + 1) for s in substitutions)
    if kind == "identifier":
        return _identifier_is_constant_choice(node, ctx, depth)
    return False


def _identifier_is_constant_choice(node: Node, ctx: RuleContext, depth: int) -> bool:
    binding = ctx.model.resolve(node)
    if binding is None:
        return False
    declared = binding.node
    parent = declared.parent
    if parent is not None and parent.type in ("required_parameter", "optional_parameter"):
        declared, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "for_in_statement" and parent.child_by_field_name("left") == declared:
        collection = parent.child_by_field_name("right")  # elements (of) or keys (in) of a constant
        return collection is not None and ctx.is_constant(collection)
    if binding.kind == "param":
        return _is_element_callback_parameter(declared, parent, ctx)
    if binding.kind in ("const", "let", "var") and binding.value is not None and not binding.path:
        return binding.is_stable and is_constant_choice(binding.value, ctx, depth + 1)
    return False


def _is_element_callback_parameter(param: Node, parent: Node, ctx: RuleContext) -> bool:
    """`CONSTANT_LIST.forEach((name) => ...)`: the element parameter receives constant elements."""
    function: Node | None
    position = 0
    if parent.type == "arrow_function":
        function = parent
    elif parent.type == "formal_parameters":
        function = parent.parent
        params = [p for p in parent.named_children if p.type != "comment"]
        position = params.index(param) if param in params else -1
    else:
        return False
    if function is None or function.parent is None or function.parent.type != "arguments":
        return False
    call = function.parent.parent
    if call is None or call.type != "call_expression":
        return False
    method = ctx.method_name(call)
    if method is None or ELEMENT_PARAMETER.get(method) != position:
        return False
    args = ctx.arguments(call)
    callee = call.child_by_field_name("function")
    receiver = ctx.unwrap(callee).child_by_field_name("object") if callee is not None else None
    return bool(args) and args[0] == function and receiver is not None and ctx.is_constant(receiver)
