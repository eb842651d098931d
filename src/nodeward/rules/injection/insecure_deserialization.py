"""## What it finds
Data from outside passed to deserializers that can rebuild functions or run code: `node-serialize`
`unserialize`, `serialize-to-js` `deserialize`, `funcster` `deepDeserialize`, `cryo` `parse`, and
`js-yaml` `load`/`loadAll` where it is unsafe: js-yaml before version 4 (read from the nearest
`package.json` or `node_modules/js-yaml`, or evident from a `safeLoad` call in the same file) or with
`schema: DEFAULT_FULL_SCHEMA`. `JSON.parse`, `yaml.parse` and js-yaml 4 `load` are safe and not reported.

## Why it matters
These formats can describe functions: node-serialize revives `_$$ND_FUNC$$_` strings with `eval` (an
immediately invoked one runs during deserialization), serialize-to-js and funcster `eval` their input,
and js-yaml's full schema before version 4 builds functions from `!!js/function` tags. Deserializing
attacker-controlled data is remote code execution (CWE-502).

## How to fix
Exchange data as JSON (`JSON.parse`) or YAML with a safe schema (`yaml.safeLoad` on js-yaml 3, `load` on
js-yaml 4 which is safe by default), and never deserialize code received from a client.

## Bad
```js
const serialize = require("node-serialize");
app.get("/profile", (req, res) => {
  const profile = serialize.unserialize(Buffer.from(req.cookies.profile, "base64").toString());
  res.send(profile.name);
});
```

## Good
```js
app.get("/profile", (req, res) => {
  const profile = JSON.parse(Buffer.from(req.cookies.profile, "base64").toString());
  res.send(String(profile.name));
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tree_sitter import Node

from nodeward.datafiles import load_json
from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext
from nodeward.sources.discover import AUXILIARY_MAX_SIZE, read_regular_file

ALWAYS_UNSAFE = {
    "node-serialize.unserialize": "revives functions with `eval`",
    "serialize-to-js.deserialize": "evaluates its input",
    "funcster.deepDeserialize": "evaluates serialized functions",
    "funcster.deserialize": "evaluates serialized functions",
    "cryo.parse": "revives functions and prototypes",
}
YAML_LOADS = {"js-yaml.load", "js-yaml.loadAll"}
FULL_SCHEMAS = {"DEFAULT_FULL_SCHEMA"}
MAX_PARENTS = 8



def _major(version: str) -> int | None:
    match = re.search(r"(\d+)", version)
    return int(match.group(1)) if match else None


def _read(manifest: Path, scan_root: Path) -> str:
    """A package.json inside the scanned directory (pnpm links node_modules entries: followed only inside it)."""
    target = manifest.resolve()
    root = scan_root.resolve()
    if target != root and root not in target.parents:
        raise OSError(f"{manifest} leads outside the scanned directory")
    return read_regular_file(manifest, limit=AUXILIARY_MAX_SIZE, follow_links=True).decode("utf-8")


def installed_js_yaml_major(file_path: Path | None, scan_root: Path | None) -> int | None:
    """The major version of js-yaml that the nearest package uses (installed, locked or declared), looking only
    inside the scanned directory: what lies above it is not the user's to have read."""
    if file_path is None or scan_root is None:
        return None
    current = file_path.parent
    for _ in range(MAX_PARENTS):
        if current != scan_root and scan_root not in current.parents:
            return None
        installed = current / "node_modules" / "js-yaml" / "package.json"
        manifest = current / "package.json"
        try:
            if installed.is_file():
                return _major(str(load_json(_read(installed, scan_root)).get("version", "")))
            if manifest.is_file():
                data = load_json(_read(manifest, scan_root))
                for field in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
                    declared = data.get(field, {}) if isinstance(data, dict) else {}
                    if isinstance(declared, dict) and isinstance(declared.get("js-yaml"), str):
                        return _major(declared["js-yaml"])
                return None  # the nearest package does not declare js-yaml
        except (OSError, ValueError, AttributeError):
            return None
        if current.parent == current:
            return None
        current = current.parent
    return None


class InsecureDeserialization(TaintRule):
    id = "NW111"
    name = "insecure-deserialization"
    title = "Data from outside deserialized by a library that can run code"
    cwe = (502,)
    owasp = "A08"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Parse data with JSON.parse or a safe YAML schema; never deserialize functions received from outside."
    visits = ("call_expression",)
    call_names = last_names(ALWAYS_UNSAFE, YAML_LOADS)
    sink_class = "deserialization"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        name = ctx.call_name(node)
        if name is None:
            return
        args = ctx.arguments(node)
        if not args:
            return
        why = ALWAYS_UNSAFE.get(name)
        if why is None and name in YAML_LOADS and self._unsafe_yaml(node, name, args, ctx):
            why = "builds functions from `!!js/function` tags (js-yaml before 4 or a full schema)"
        if why is None:
            return
        yield Sink(node, args[0], f"`{name}` (which {why})",
                   f"`{name}` deserializes the non-constant value `{shorten(ctx.text(args[0]))}`")

    @staticmethod
    def _unsafe_yaml(node: Node, name: str, args: list[Node], ctx: RuleContext) -> bool:
        options = args[1] if len(args) > 1 else None
        if options is not None:
            schema = ctx.object_property(options, "schema")
            if schema is not None:
                text = ctx.text(schema)
                return any(text.endswith(full) for full in FULL_SCHEMAS)
        memo = ctx.shared.get("NW111.js-yaml-major", -1)
        if memo == -1:
            memo = installed_js_yaml_major(ctx.file_path, ctx.scan_root)
            if memo is None and re.search(rb"\.safeLoad(All)?\s*\(", ctx.model.source):
                memo = 3  # the js-yaml 3 API is in use: its `load` has the full schema
            ctx.shared["NW111.js-yaml-major"] = memo
        return isinstance(memo, int) and memo < 4
