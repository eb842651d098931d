"""## What it finds
Files created in the shared temporary directory under a name anyone can guess: a write, append, open
or write stream (`fs.writeFile`, `fs.writeFileSync`, `fs.appendFile`, `fs.createWriteStream`,
`fs.open`, `fs.promises.writeFile`, `fs-extra.outputFile`, ...) whose path is `os.tmpdir()` or
`/tmp` joined with a constant name or one made only of guessable parts (`Date.now()`, `process.pid`,
`new Date().getTime()`, `Math.random()`), directly or through a variable. Paths with a part that is
not guessable (a `crypto.randomUUID()`, a `mkdtemp` directory, a parameter) are not reported, nor are
writes opened with an exclusive flag (`"wx"`), which fail when the file already exists.

## Why it matters
`/tmp` is shared by every user and process of the machine. Another local user who knows the name in
advance can create the file first, or a symbolic link with that name pointing to a file of yours, and
so read what you write, feed you their data, or make you overwrite your own files (insecure temporary
file, CWE-377; CWE-379).

## How to fix
Create a private directory with `fs.mkdtemp(path.join(os.tmpdir(), "app-"))` (mode 0700, random
suffix) and write inside it, or use the `tmp`/`tmp-promise` packages; open files with the `"wx"` flag
when the name must be fixed.

## Bad
```js
const fs = require("fs");
const os = require("os");
const path = require("path");
function saveExport(csv) {
  const file = path.join(os.tmpdir(), "export.csv");
  fs.writeFileSync(file, csv);
  return file;
}
```

## Good
```js
const fs = require("fs");
const os = require("os");
const path = require("path");
function saveExport(csv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "export-"));
  const file = path.join(dir, "export.csv");
  fs.writeFileSync(file, csv);
  return file;
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import object_entries

WRITE_CALLS: dict[str, int] = {}  # qualified name -> position of the flags/options argument (-1: none)
for _module in ("fs", "fs.promises", "fs-extra", "graceful-fs"):
    for _function, _options in (("writeFile", 2), ("writeFileSync", 2), ("appendFile", 2), ("appendFileSync", 2),
                                ("createWriteStream", 1), ("open", 1), ("openSync", 1), ("outputFile", 2),
                                ("outputFileSync", 2), ("writeJson", 2), ("writeJsonSync", 2), ("outputJson", 2),
                                ("outputJsonSync", 2), ("copyFile", -1), ("copyFileSync", -1)):
        _position = _options
        WRITE_CALLS[f"{_module}.{_function}"] = _position
PATH_ARGUMENT = {name: (1 if name.endswith(("copyFile", "copyFileSync")) else 0) for name in WRITE_CALLS}
TEMP_DIRECTORY_CALLS = frozenset({"os.tmpdir"})
TEMP_DIRECTORY_LITERALS = ("/tmp", "/var/tmp", "/dev/shm")
JOIN_CALLS = frozenset({"path.join", "path.resolve", "path.posix.join", "path.posix.resolve"})
# Calls whose results another local user can guess.
GUESSABLE_CALLS = frozenset({"Date.now", "Math.random", "process.hrtime", "performance.now", "Math.floor",
                             "Math.round", "String", "Number"})
GUESSABLE_MEMBERS = frozenset({"process.pid", "process.ppid"})
GUESSABLE_METHODS = frozenset({"getTime", "toISOString", "valueOf", "toString", "slice", "replace", "substring"})
MAX_DEPTH = 8


#: Functions that make private temporary files and directories (unpredictable names, owner-only modes).
PRIVATE_TEMP_MAKERS = frozenset({"fs.mkdtemp", "fs.mkdtempSync", "fs.promises.mkdtemp", "tmp.dirSync", "tmp.fileSync",
                                 "tmp-promise.file", "tmp-promise.dir", "tmp.file", "tmp.dir"})


class PredictableTempFile(Rule):
    id = "NW403"
    name = "predictable-temp-file"
    title = "File written in the shared temp directory under a guessable name"
    cwe = (377, 379)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Write inside a directory made by fs.mkdtemp (or use the tmp package), or open with the 'wx' flag."
    visits = ("call_expression",)
    call_names = last_names(PRIVATE_TEMP_MAKERS, WRITE_CALLS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name in PRIVATE_TEMP_MAKERS:
            ctx.record_practice("temp-files", "in-place", node, f"`{name}` makes private temporary files")
            return
        if name not in WRITE_CALLS:
            return
        args = ctx.arguments(node)
        position = PATH_ARGUMENT[name]
        if len(args) <= position:
            return
        verdict = _temp_path(ctx, args[position], 0)
        if verdict is None or not verdict[0]:
            return
        options_at = WRITE_CALLS[name]
        if 0 <= options_at < len(args) and _exclusive(ctx, args[options_at]):
            return
        ctx.record_practice("temp-files", "missing", node, "file in the shared temp directory with a guessable name")
        yield ctx.report(node, f"`{name}` writes `{verdict[1]}` in the shared temporary directory under a name other "
                         "local users can guess (symlink and pre-creation attacks); use fs.mkdtemp")


def _temp_path(ctx: RuleContext, node: Node, depth: int) -> tuple[bool, str] | None:
    """(in the temp directory, display) when the path is made of a temp directory and guessable parts only."""
    node = ctx.unwrap(node)
    if depth > MAX_DEPTH:
        return None
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or not binding.is_stable or binding.path:
            return None
        return _temp_path(ctx, binding.value, depth + 1)
    text = ctx.string_value(node)
    if text is not None:
        return (text.startswith(tuple(d + "/" for d in TEMP_DIRECTORY_LITERALS)), text)
    if node.type == "call_expression" and ctx.call_name(node) in JOIN_CALLS:
        args = ctx.arguments(node)
        if len(args) < 2 or not _is_temp_directory(ctx, args[0], depth):
            return None
        if all(_guessable(ctx, a, depth + 1) for a in args[1:]):
            return (True, ctx.text(node))
        return None
    if node.type in ("template_string", "binary_expression"):
        parts = _parts(node)
        if parts and _is_temp_directory(ctx, parts[0], depth) and all(_guessable(ctx, p, depth + 1)
                                                                       for p in parts[1:]):
            return (True, ctx.text(node))
    return None


def _parts(node: Node) -> list[Node]:
    if node.type == "template_string":
        return [c.named_children[0] if c.type == "template_substitution" and c.named_children else c
                for c in node.named_children]
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    operator = node.child_by_field_name("operator")
    if left is None or right is None or operator is None or operator.type != "+":
        return []
    return [*(_parts(left) if left.type == "binary_expression" else [left]), right]


def _is_temp_directory(ctx: RuleContext, node: Node, depth: int) -> bool:
    node = ctx.unwrap(node)
    if node.type == "call_expression" and ctx.call_name(node) in TEMP_DIRECTORY_CALLS:
        return True
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        return binding is not None and binding.value is not None and binding.is_stable and not binding.path \
            and depth < MAX_DEPTH and _is_temp_directory(ctx, binding.value, depth + 1)
    text = ctx.text(node) if node.type == "string_fragment" else ctx.string_value(node)
    return text is not None and (text.rstrip("/") in TEMP_DIRECTORY_LITERALS
                                 or text.startswith(tuple(d + "/" for d in TEMP_DIRECTORY_LITERALS)))


def _guessable(ctx: RuleContext, node: Node, depth: int) -> bool:
    node = ctx.unwrap(node)
    if depth > MAX_DEPTH:
        return False
    if node.type in ("string_fragment", "escape_sequence") or ctx.is_constant(node):
        return True
    if node.type in ("member_expression",) and ctx.qualified_name(node) in GUESSABLE_MEMBERS:
        return True
    if node.type == "new_expression" and ctx.call_name(node) == "Date" and not ctx.arguments(node):
        return True
    if node.type == "call_expression":
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in GUESSABLE_CALLS:
            return all(_guessable(ctx, a, depth + 1) for a in args)
        if ctx.method_name(node) in GUESSABLE_METHODS:
            callee = ctx.unwrap(node.child_by_field_name("function") or node)
            receiver = callee.child_by_field_name("object")
            return receiver is not None and _guessable(ctx, receiver, depth + 1) \
                and all(_guessable(ctx, a, depth + 1) for a in args)
        return False
    if node.type in ("binary_expression", "template_string"):
        return all(_guessable(ctx, p, depth + 1) for p in _parts(node)) if _parts(node) else False
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        return binding is not None and binding.value is not None and binding.is_stable and not binding.path \
            and _guessable(ctx, binding.value, depth + 1)
    return False


def _exclusive(ctx: RuleContext, node: Node) -> bool:
    """A `wx`/`ax` flag, as a string or in `{ flag }`/`{ flags }`."""
    flag = ctx.string_value(node)
    if flag is None:
        found = object_entries(ctx, node)
        if found is None:
            return False
        value = found[0].get("flag") or found[0].get("flags")
        flag = ctx.string_value(value) if value is not None else None
    return flag is not None and "x" in flag
