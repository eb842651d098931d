"""## What it finds
XPath expressions built from request data: the `xpath` package (`select`, `select1`, `evaluate`, `parse`),
`xpath.js` (`select(doc, expression)`), fontoxpath (`evaluateXPath` and its typed variants), libxmljs
documents and elements (`doc.get(expression)`, `doc.find(expression)`) and the browser's
`document.evaluate`. Constant expressions, and values turned into numbers first, are not reported.

## Why it matters
A quote in the input ends the string literal of the expression, and the rest is XPath: `' or '1'='1`
selects every node, so a lookup by name or password returns the whole document (users, secrets,
configuration) and a login check passes for anyone (XPath injection, CWE-643).

## How to fix
Keep the expression constant and pass the value as an XPath variable (fontoxpath's variables argument, or
an `xpath` variable resolver); when it must be spliced in, allow only the characters a name can hold, or
compare the selected nodes' text with the value in JavaScript instead.

## Bad
```js
const xpath = require("xpath");
app.get("/release/:name", (req, res) => {
  const nodes = xpath.select("//release[name='" + req.params.name + "']", configDocument);
  res.json(nodes.map(String));
});
```

## Good
```js
const xpath = require("xpath");
app.get("/release/:name", (req, res) => {
  const nodes = xpath.select("//release", configDocument)
    .filter((node) => xpath.select1("string(name)", node) === req.params.name);
  res.json(nodes.map(String));
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext

# Functions whose argument at the given position is an XPath expression.
EXPRESSION_ARGUMENT = {
    **{f"{library}.{function}": 0 for library in ("xpath", "xpath-ts", "@xmldom/xpath")
       for function in ("select", "select1", "evaluate", "parse")},
    "xpath.js": 1, "xpath.js.select": 1,
    **{f"fontoxpath.{function}": 0 for function in (
        "evaluateXPath", "evaluateXPathToBoolean", "evaluateXPathToNodes", "evaluateXPathToFirstNode",
        "evaluateXPathToString", "evaluateXPathToStrings", "evaluateXPathToNumber", "evaluateXPathToNumbers",
        "evaluateXPathToArray", "evaluateXPathToMap", "evaluateXPathToAsyncIterator", "evaluateUpdatingExpression")},
    "document.evaluate": 0, "window.document.evaluate": 0,
}
# Methods of libxmljs documents and elements that take an XPath expression first.
LIBXMLJS_METHODS = frozenset({"get", "find", "findAsync"})
LIBXMLJS_PARSERS = frozenset(f"{library}.{function}" for library in ("libxmljs", "libxmljs2")
                             for function in ("parseXml", "parseXmlString", "parseHtml", "parseHtmlString"))


class XpathInjection(TaintRule):
    id = "NW120"
    name = "xpath-injection"
    title = "XPath expression built from user input"
    cwe = (643,)
    owasp = "A03"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Keep the XPath expression constant and pass the value as a variable, or compare it in JavaScript."
    visits = ("call_expression",)
    call_names = last_names(EXPRESSION_ARGUMENT, LIBXMLJS_METHODS)
    sink_class = "xpath"
    requires_text = (b"xpath", b"XPath", b"libxmljs", b"evaluate")

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        args = ctx.arguments(node)
        if not args:
            return
        name = ctx.call_name(node)
        position = EXPRESSION_ARGUMENT.get(name) if name is not None else None
        if position is None and ctx.method_name(node) in LIBXMLJS_METHODS and self._on_libxmljs(node, ctx):
            position = 0
        if position is None or position >= len(args):
            return
        function = node.child_by_field_name("function")
        what = shorten(ctx.text(function)) if function is not None else "XPath"
        yield Sink(args[position], args[position], f"`{what}` (an XPath expression)")

    @staticmethod
    def _on_libxmljs(call: Node, ctx: RuleContext) -> bool:
        """`doc.find(x)` where `doc` (or the chain it starts) was parsed by libxmljs."""
        function = call.child_by_field_name("function")
        target = function.child_by_field_name("object") if function is not None else None
        for _ in range(6):
            if target is None:
                return False
            target = ctx.unwrap(target)
            if target.type == "call_expression":
                if ctx.call_name(target) in LIBXMLJS_PARSERS:
                    return True
                inner = target.child_by_field_name("function")
                target = inner.child_by_field_name("object") if inner is not None and \
                    inner.type == "member_expression" else None
            elif target.type == "identifier":
                binding = ctx.model.resolve(target)
                target = binding.value if binding is not None and not binding.path else None
            else:
                return False
        return False
