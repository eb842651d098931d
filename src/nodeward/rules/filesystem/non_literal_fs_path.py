"""## What it finds
File-system calls whose path is not a constant: the path arguments of `fs`, `fs/promises`,
`fs-extra`, `graceful-fs` and `mz/fs` functions (`readFile`, `writeFile`, `createReadStream`,
`unlink`, `rename`, `copy`, `outputFile`, ...), and Express `res.sendFile`/`res.download` with a
non-constant path and no `root` option. Paths built only from constants (`path.join(__dirname,
"views")`, `new URL("./data.json", import.meta.url)`) and file descriptors are not reported. With
request data it also finds static file servers whose root directory comes from the request
(`express.static(root)`, `serve-static`, `koa-static`). Names of archive entries are left to
`archive-path-traversal` (NW117). Command-line arguments (`process.argv`) are not counted as
outside data here: a command-line tool reads and writes the files its user names.

## Why it matters
When any part of the path comes from a request, an archive entry or another program, `../`
sequences or an absolute path let an attacker read, overwrite or delete files outside the
directory the code meant to use (path traversal, CWE-22). Without following the data to its
source the rule cannot tell whether the value is attacker-controlled, so findings are audit
points (low confidence) unless the path visibly reads request data.

## How to fix
Resolve the path against a fixed base directory and check the result stays inside it
(`const full = path.resolve(base, name); if (!full.startsWith(base + path.sep)) throw ...`), or
map user input to an allow-list of file names. With Express, pass the user-supplied part as the
path and the base directory as the `root` option: `res.sendFile(name, { root: base })` refuses
paths that escape `root`.

## Bad
```js
const fs = require("fs");
const path = require("path");
function readReport(req, res) {
  const file = path.join(__dirname, "reports", req.query.name);
  res.send(fs.readFileSync(file, "utf8"));
}
```

## Good
```js
const fs = require("fs");
const path = require("path");
const REPORTS = { daily: "daily.txt", weekly: "weekly.txt" };
function readReport(req, res) {
  const file = path.join(__dirname, "reports", REPORTS[req.query.name]);
  res.send(fs.readFileSync(file, "utf8"));
  res.sendFile(req.query.name, { root: path.join(__dirname, "reports") });
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.lang.js.model import CONSTANT_PRESERVING_CALLS
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext

# Function of the `fs` family -> indexes of its path arguments. A name ending in "Sync" takes the
# entry of its asynchronous twin ("readFileSync" -> "readFile"). Functions that take a file
# descriptor (read, write, fstat, fsync, close, ...) are deliberately absent.
FS_PATH_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "access": (0,),
    "appendFile": (0,),
    "chmod": (0,),
    "chown": (0,),
    "copyFile": (0, 1),
    "cp": (0, 1),
    "createReadStream": (0,),
    "createWriteStream": (0,),
    "exists": (0,),
    "lchmod": (0,),
    "lchown": (0,),
    "link": (0, 1),
    "lstat": (0,),
    "lutimes": (0,),
    "mkdir": (0,),
    "mkdtemp": (0,),  # a path prefix
    "open": (0,),
    "openAsBlob": (0,),
    "opendir": (0,),
    "readFile": (0,),
    "readdir": (0,),
    "readlink": (0,),
    "realpath": (0,),
    "realpath.native": (0,),
    "realpathSync.native": (0,),
    "rename": (0, 1),
    "rm": (0,),
    "rmdir": (0,),
    "stat": (0,),
    "statfs": (0,),
    "symlink": (0, 1),
    "truncate": (0,),
    "unlink": (0,),
    "utimes": (0,),
    "watch": (0,),
    "watchFile": (0,),
    "writeFile": (0,),
    "ReadStream": (0,),
    "WriteStream": (0,),
}
# What fs-extra adds to the `fs` functions it re-exports.
FS_EXTRA_PATH_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "copy": (0, 1),
    "move": (0, 1),
    "remove": (0,),
    "emptyDir": (0,),
    "emptydir": (0,),
    "ensureDir": (0,),
    "mkdirp": (0,),
    "mkdirs": (0,),
    "ensureFile": (0,),
    "createFile": (0,),
    "ensureLink": (0, 1),
    "createLink": (0, 1),
    "ensureSymlink": (0, 1),
    "createSymlink": (0, 1),
    "outputFile": (0,),
    "outputJson": (0,),
    "outputJSON": (0,),
    "pathExists": (0,),
    "readJson": (0,),
    "readJSON": (0,),
    "writeJson": (0,),
    "writeJSON": (0,),
}
FS_MODULES = (
    "fs.promises", "fs", "graceful-fs.promises", "graceful-fs", "original-fs.promises", "original-fs", "mz/fs",
)
FS_EXTRA_MODULES = ("fs-extra.promises", "fs-extra/esm", "fs-extra")

# Express response methods that read a file from disk and send it: (path index, first options index).
RESPONSE_FILE_METHODS = {"sendFile": 1, "sendfile": 1, "download": 2}
# Static file servers: the root directory they serve (reported only when it is request data).
STATIC_SERVERS = frozenset({"express.static", "serve-static", "koa-static", "koa-static-cache"})
RESPONSE_NAMES = re.compile(r"_*(?:res|resp|response)")
# Where request data lives on Express/Koa request objects: a path built from these reads the request.
REQUEST_OBJECTS = frozenset({"req", "request", "ctx"})
REQUEST_FIELDS = frozenset({"query", "params", "body", "headers", "cookies", "files", "file", "originalUrl", "url"})
# Calls whose result is a file descriptor or a FileHandle, not a path.
DESCRIPTOR_CALLS = frozenset({"fs.open", "fs.openSync", "fs.promises.open", "fs-extra.open", "fs-extra.openSync"})
DESCRIPTOR_NAME = re.compile(r"(?:fd|.*(?:Fd|FD|Descriptor|FileHandle))")
DESCRIPTOR_TYPES = frozenset({"number", "FileHandle", "fs.promises.FileHandle", "promises.FileHandle"})
MAX_DEPTH = 8



def fs_path_indexes(name: str) -> tuple[int, ...] | None:
    """The path argument indexes of a qualified fs-family function name, or None if it takes no path."""
    for modules, tables in (
        (FS_MODULES, (FS_PATH_ARGUMENTS,)),
        (FS_EXTRA_MODULES, (FS_PATH_ARGUMENTS, FS_EXTRA_PATH_ARGUMENTS)),
    ):
        for module in modules:
            if not name.startswith(module + "."):
                continue
            function = name[len(module) + 1 :]
            base = function[: -len("Sync")] if function.endswith("Sync") else function
            for table in tables:
                for candidate in (function, base):
                    if candidate in table:
                        return table[candidate]
            return None
    return None


class NonLiteralFsPath(TaintRule):
    id = "NW401"
    name = "non-literal-fs-path"
    title = "File-system path built from a non-constant value"
    cwe = (22,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.LOW
    fix = "Resolve the path against a fixed base directory and check it stays inside, or allow-list names."
    visits = ("call_expression", "new_expression")
    sink_class = "path"
    reports_unknown_origin = True
    # The user of a command-line tool names the files it reads and writes: no boundary is crossed.
    harmless_sources = re.compile(r"^process\.argv\b")

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        name = ctx.call_name(node)
        indexes = fs_path_indexes(name) if name is not None else None
        if name is not None and indexes is not None:
            for culprit in self._dynamic_paths(ctx.arguments(node), indexes, ctx):
                yield Sink(
                    node, culprit, f"`{name}` (a file-system path)",
                    f"`{name}` uses a path built from the non-constant value `{shorten(ctx.text(culprit))}`",
                    Confidence.MEDIUM if _reads_request(culprit, ctx, 0) else None,
                )
            return
        if name in STATIC_SERVERS:
            args = ctx.arguments(node)
            if args and args[0].type != "spread_element" and not _is_constant_path(args[0], ctx, 0):
                yield Sink(node, args[0], f"`{name}` (the root directory of a static file server)",
                           reports_unknown_origin=False)
            return
        if node.type == "call_expression":
            yield from self._response_file_sinks(node, ctx)

    def _dynamic_paths(self, args: list[Node], indexes: tuple[int, ...], ctx: RuleContext) -> Iterator[Node]:
        for position, arg in enumerate(args):
            if arg.type == "spread_element":
                # Positions after a spread are unknown: judge the spread itself.
                inner = arg.named_children
                if inner and not _is_constant_path(inner[0], ctx, 0):
                    yield arg
                return
            if position in indexes and not _is_constant_path(arg, ctx, 0) and not _is_descriptor(arg, ctx):
                yield arg
            if position >= max(indexes):
                return

    def _response_file_sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        method = ctx.method_name(node)
        if method not in RESPONSE_FILE_METHODS:
            return
        callee = ctx.unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object")
        if receiver is None or not _looks_like_response(receiver, ctx):
            return
        args = ctx.arguments(node)
        if not args or args[0].type == "spread_element" or _is_constant_path(args[0], ctx, 0):
            return
        first_options = RESPONSE_FILE_METHODS[method]
        for position, arg in enumerate(args[1:], start=1):
            value = ctx.unwrap(arg)
            if value.type in ("arrow_function", "function_expression", "function"):
                continue
            options = ctx.resolve_object(value)
            if options is not None:
                if _has_root(options, ctx):
                    return
                continue
            if value.type == "spread_element" or (position >= first_options and not ctx.is_constant(value)):
                return  # options we cannot see may set `root`
        receiver_text = shorten(ctx.text(receiver), 20)
        yield Sink(
            node, args[0], f"`{receiver_text}.{method}` (a file sent without a `root` option)",
            f"`{receiver_text}.{method}` sends a file whose path comes from the non-constant value "
            f"`{shorten(ctx.text(args[0]))}` without a `root` option",
            Confidence.MEDIUM,
        )


def _is_constant_path(node: Node, ctx: RuleContext, depth: int) -> bool:
    """Like `ctx.is_constant`, also accepting `new URL(<constant>, import.meta.url)` and what is built from it."""
    if ctx.is_constant(node):
        return True
    if depth > MAX_DEPTH:
        return False
    node = ctx.unwrap(node)
    kind = node.type
    if kind == "new_expression":
        args = ctx.arguments(node)
        return (
            ctx.call_name(node) in ("URL", "url.URL")
            and 1 <= len(args) <= 2
            and all(_is_constant_path(a, ctx, depth + 1) for a in args)
        )
    if kind == "call_expression":
        args = ctx.arguments(node)
        return ctx.call_name(node) in CONSTANT_PRESERVING_CALLS and all(
            a.type != "spread_element" and _is_constant_path(a, ctx, depth + 1) for a in args
        )
    if kind == "subscript_expression":
        # A lookup in a constant table (`FILES[req.query.kind]`) yields one of its constant values,
        # `undefined` or an Object.prototype member: never an attacker-chosen path.
        table = node.child_by_field_name("object")
        value = ctx.model.evaluate(table) if table is not None else None
        # An empty table is most likely filled at run time (a cache), which the model does not see.
        return value is not None and isinstance(value.value, dict | list) and len(value.value) > 0
    if kind == "member_expression":
        # A property of a constant URL (`new URL("./a", import.meta.url).pathname`).
        obj = node.child_by_field_name("object")
        return obj is not None and obj.type != "meta_property" and _is_constant_path(obj, ctx, depth + 1)
    if kind == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None or binding.kind not in ("const", "let", "var"):
            return False
        if binding.value is None and binding.kind == "const":
            return _is_constant_loop_variable(binding.node, ctx)
        if binding.value is None or binding.path or not binding.is_stable:
            return False
        return _is_constant_path(binding.value, ctx, depth + 1)
    if kind == "template_string":
        return all(
            part.named_children and _is_constant_path(part.named_children[0], ctx, depth + 1)
            for part in node.named_children
            if part.type == "template_substitution"
        )
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        return (
            operator is not None
            and ctx.text(operator) == "+"
            and left is not None
            and right is not None
            and _is_constant_path(left, ctx, depth + 1)
            and _is_constant_path(right, ctx, depth + 1)
        )
    return False


def _is_constant_loop_variable(name: Node, ctx: RuleContext) -> bool:
    """`f` in `for (const f of ["a.txt", "b.txt"])` or `for (const k in TABLE)`: one of constant values."""
    left, loop = name, name.parent
    while loop is not None and loop.type in ("object_pattern", "array_pattern", "pair_pattern"):
        left, loop = loop, loop.parent
    if loop is None or loop.type != "for_in_statement" or loop.child_by_field_name("left") != left:
        return False
    right = loop.child_by_field_name("right")
    return right is not None and ctx.is_constant(right)


def _is_descriptor(node: Node, ctx: RuleContext) -> bool:
    """A file descriptor or FileHandle (from `fs.open`, `process.stdin.fd`, a `fd` name, a `number` type)."""
    node = ctx.unwrap(node)
    if node.type == "member_expression":
        return ctx.model.member_property(node) == "fd"
    if node.type == "await_expression" and node.named_children:
        node = ctx.unwrap(node.named_children[0])
    if node.type == "call_expression":
        return ctx.call_name(node) in DESCRIPTOR_CALLS
    if node.type != "identifier":
        return False
    if DESCRIPTOR_NAME.fullmatch(ctx.text(node)):
        return True
    binding = ctx.model.resolve(node)
    if binding is None:
        return False
    if binding.kind == "param":
        parameter = binding.node.parent
        if parameter is None or parameter.child_by_field_name("pattern") != binding.node:
            return False
        annotation = parameter.child_by_field_name("type")
        return annotation is not None and ctx.text(annotation).lstrip(":").strip() in DESCRIPTOR_TYPES
    if binding.value is not None and not binding.path and binding.is_stable:
        value = ctx.unwrap(binding.value)
        if value.type == "await_expression" and value.named_children:
            value = ctx.unwrap(value.named_children[0])
        return value.type == "call_expression" and ctx.call_name(value) in DESCRIPTOR_CALLS
    return False


def _looks_like_response(receiver: Node, ctx: RuleContext) -> bool:
    """`res`, `response`, `this.res`, or a parameter typed as an Express `Response`."""
    receiver = ctx.unwrap(receiver)
    if receiver.type == "member_expression":
        prop = ctx.model.member_property(receiver)
        return prop is not None and RESPONSE_NAMES.fullmatch(prop) is not None
    if receiver.type != "identifier":
        return False
    if RESPONSE_NAMES.fullmatch(ctx.text(receiver)):
        return True
    binding = ctx.model.resolve(receiver)
    if binding is None or binding.kind != "param" or binding.node.parent is None:
        return False
    annotation = binding.node.parent.child_by_field_name("type")
    if annotation is None:
        return False
    return ctx.text(annotation).lstrip(":").strip().split("<", 1)[0] in ("Response", "express.Response")


def _has_root(options: Node, ctx: RuleContext) -> bool:
    """True when an options object sets `root`, or may set it (spread elements)."""
    if any(child.type == "spread_element" for child in options.named_children):
        return True
    root = ctx.object_property(options, "root")
    if root is None:
        return False
    value = ctx.model.evaluate(root)
    return value is None or value.value not in (False, None, 0, "")


def _reads_request(node: Node, ctx: RuleContext, depth: int) -> bool:
    """True when the expression visibly reads request data (`req.query.x`, `ctx.params.id`, ...)."""
    if depth > MAX_DEPTH:
        return False
    node = ctx.unwrap(node)
    if node.type in ("member_expression", "subscript_expression"):
        obj = node.child_by_field_name("object")
        if ctx.model.member_property(node) in REQUEST_FIELDS and obj is not None:
            root = ctx.unwrap(obj)
            if root.type == "member_expression" and ctx.model.member_property(root) == "request":
                return True
            if root.type == "identifier" and ctx.text(root) in REQUEST_OBJECTS:
                return True
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and binding.is_stable:
            return _reads_request(binding.value, ctx, depth + 1)
        return False
    return any(_reads_request(child, ctx, depth + 1) for child in node.named_children)
