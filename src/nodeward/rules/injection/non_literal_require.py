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

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext

REQUIRE_NAMES = frozenset({"require", "module.require", "require.main.require"})



class NonLiteralRequire(TaintRule):
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
    sink_class = "require"
    reports_unknown_origin = True

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        loader = _loader_name(node, ctx)
        if loader is None:
            return
        args = ctx.arguments(node)
        if not args:
            return
        spec = args[0]
        if spec.type == "spread_element" or ctx.model.is_constant_choice(spec):
            return
        yield Sink(
            node, spec, f"`{loader}` (the module that is loaded and run)",
            f"`{loader}` loads a module from the non-constant path `{shorten(ctx.text(spec))}`; whoever "
            "controls it chooses the code that runs",
        )


def _loader_name(call: Node, ctx: RuleContext) -> str | None:
    """How the call loads a module ("require", "import()", ...), or None when it does not."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "import":
        return "import()"
    if ctx.model.is_created_require(function):
        # `const require = createRequire(import.meta.url)` or `createRequire(__filename)(x)`
        return ctx.text(function)
    name = ctx.call_name(call)
    return name if name in REQUIRE_NAMES else None
