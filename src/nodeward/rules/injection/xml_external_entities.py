"""## What it finds
XML parsing with external entities or external DTDs enabled: libxmljs and libxmljs2 `parseXml`,
`parseXmlString` and `parseXmlAsync` (and `Document.fromXml`) called with `noent: true`,
`dtdload: true` or `dtdvalid: true`. The option is reported when it is constantly true; the confidence is
high when the parsed text comes from outside (request data, a library's API), medium otherwise.
xml2js, fast-xml-parser and xmldom do not resolve external entities and are not reported.

## Why it matters
With entity substitution on, a document that declares `<!ENTITY x SYSTEM "file:///etc/passwd">` and uses
`&x;` gets the file's content where the entity stands, and `http://` entities make the server send
requests (XML external entities, CWE-611). Nested entities can also exhaust memory.

## How to fix
Parse with the defaults (`noent` and `dtdload` off). If you need a DTD, ship it with the application and
validate against it explicitly instead of letting documents load one.

## Bad
```js
const libxmljs = require("libxmljs");
app.post("/import", (req, res) => {
  const doc = libxmljs.parseXml(req.body, { noent: true });
  res.send(doc.root().text());
});
```

## Good
```js
const libxmljs = require("libxmljs");
app.post("/import", (req, res) => {
  const doc = libxmljs.parseXml(req.body);
  res.send(doc.root().text());
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import SOURCE, Origin
from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext

PARSERS = frozenset(
    f"{library}.{function}"
    for library in ("libxmljs", "libxmljs2")
    for function in ("parseXml", "parseXmlString", "parseXmlAsync", "Document.fromXml", "parseHtml")
)
ENTITY_OPTIONS = {
    "noent": "substitutes entities, including external ones",
    "dtdload": "loads external DTDs",
    "dtdvalid": "loads and validates against external DTDs",
}


class XmlExternalEntities(Rule):
    id = "NW114"
    name = "xml-external-entities"
    title = "XML parsed with external entities or DTD loading enabled"
    cwe = (611,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Parse XML with noent and dtdload off (libxmljs' defaults)."
    visits = ("call_expression",)
    call_names = last_names(PARSERS)
    requires_text = (b"libxmljs",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name is None or name not in PARSERS:
            return
        args = ctx.arguments(node)
        if len(args) < 2 or ctx.resolve_object(args[1]) is None:
            return
        for option, effect in ENTITY_OPTIONS.items():
            value = ctx.object_property(args[1], option)
            if value is None:
                continue
            constant = ctx.model.evaluate(value)
            if constant is None or constant.value is not True:
                continue
            taint = ctx.taint.taint_of(args[0]) if not ctx.is_constant(args[0]) else frozenset()
            sources = sorted((o for o in taint if o.kind == SOURCE and not o.clean_for("xxe")),
                             key=Origin.reading_order)
            if sources:
                origin = f"; the document comes from {sources[0].label} (line {sources[0].location.start_line})"
                confidence = Confidence.HIGH
            else:
                origin = ""
                confidence = Confidence.MEDIUM
            where = value.parent if value.parent is not None and value.parent.type == "pair" else value
            if not (node.start_byte <= where.start_byte < node.end_byte):
                where = args[1]  # a shared options object: point at its use
            yield ctx.report(
                where,
                f"`{name}` with `{option}: true` {effect}{origin}",
                confidence=confidence,
            )
