"""## What it finds
Static file servers rooted where the application's own files are:
`express.static`, `serve-static`, `koa-static`, `sirv`, `@fastify/static` (its `root`)
serving the working directory (`"."`, `"./"`, `process.cwd()`), the directory of the server file when
that file is at the top of the scanned tree (`__dirname`), any parent of it (`path.join(__dirname,
"..")`, `"../"`), the file system root, or a directory named like one that holds secrets or internals
(`.git`, `node_modules`, `logs`, `keys`, `certs`, `secrets`, `.ssh`, `private`). Serving `__dirname` of a
file in a sub-directory (the server's source code) is reported with medium confidence. The root is
computed statically from constants, `__dirname`, `process.cwd()` and `path.join`/`resolve`; roots known
only at run time are not judged. Files actually present are not inspected (see the config scanner's
sensitive-file-in-served-directory, NW726, for files inside served folders such as `public/`, and
directory-listing-enabled, NW406, for listings such as `serve-index`).

## Why it matters
Everything under a static root is one URL away: `GET /.git/config` (and so the whole source history:
`express.static` hides dotfiles only at the end of a path, not inside `.git/`), `GET /package.json`,
`GET /server.js`, `GET /logs/app.log`, `GET /keys/server.key`. Directory listings make finding them
trivial (exposure of sensitive information through files and directories, CWE-538, CWE-552).

## How to fix
Serve a dedicated directory that contains only public assets, such as `path.join(__dirname,
"public")` or the build output, and keep source, configuration, keys and logs outside it.

## Bad
```js
const express = require("express");
const app = express();
app.use(express.static("."));
```

## Good
```js
const express = require("express");
const path = require("path");
const app = express();
app.use(express.static(path.join(__dirname, "public")));
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import object_entries

# Functions whose first argument is the served directory.
STATIC_SERVERS = frozenset({"express.static", "serve-static", "koa-static", "sirv", "st", "ecstatic"})
FASTIFY_STATIC = "@fastify/static"
JOINS = frozenset({"path.join", "path.resolve", "path.posix.join", "path.posix.resolve"})
SENSITIVE_DIRECTORIES = frozenset({".git", "node_modules", "logs", "log", "keys", "certs", "secrets", ".ssh", "ssh",
                                   "private", ".aws", "backups", "backup"})
MAX_DEPTH = 6


class ProjectDirectoryServed(Rule):
    id = "NW405"
    name = "project-directory-served"
    title = "Static files served from the project directory"
    cwe = (538, 552)
    owasp = "A01"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Serve only a dedicated public directory (e.g. path.join(__dirname, 'public')), never the project root."
    visits = ("call_expression",)
    call_names = last_names(STATIC_SERVERS, ["register"])

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in STATIC_SERVERS:
            root = args[0] if args else None
        elif ctx.method_name(node) == "register" and len(args) >= 2 and ctx.qualified_name(args[0]) == FASTIFY_STATIC:
            found = object_entries(ctx, args[1])
            root = found[0].get("root") if found is not None else None
            name = FASTIFY_STATIC
        else:
            return
        if root is None:
            return
        location = static_root(ctx, root, 0)
        if location is None:
            return
        verdict = judge_root(ctx, *location)
        if verdict is None:
            ctx.record_practice("exposed-files", "in-place", node, f"`{name}` serves `{ctx.text(root)}`")
            return
        what, confidence = verdict
        ctx.record_practice("exposed-files", "missing", node, f"`{name}` serves {what}")
        yield ctx.report(root, f"`{name}` serves {what}: source, `.git/`, `package.json`, logs and keys there "
                         "become downloadable; serve a dedicated public directory", confidence=confidence)


def judge_root(ctx: RuleContext, base: str, relative: str) -> tuple[str, Confidence] | None:
    """What a served directory exposes, when it is the project, a parent of it or a sensitive folder."""
    relative = posixpath.normpath(relative) if relative else "."
    segments = [s for s in relative.split("/") if s not in ("", ".")]
    if base == "abs":
        if relative in ("/", "."):
            return "the whole file system", Confidence.HIGH
        base_segments = segments
    elif base == "file":
        directory = posixpath.dirname(ctx.display_path.replace("\\", "/"))
        if not segments:
            if directory in ("", "."):
                return "the project directory (the server file's own directory)", Confidence.HIGH
            return "the directory of the server's source code", Confidence.MEDIUM
        if all(s == ".." for s in segments):
            return "a parent of the server's directory", Confidence.HIGH
        base_segments = segments
    else:  # the working directory, usually the project root
        if not segments:
            return "the working directory (the project root when started with npm)", Confidence.HIGH
        if all(s == ".." for s in segments):
            return "a parent of the working directory", Confidence.HIGH
        base_segments = segments
    if base_segments and base_segments[-1].lower() in SENSITIVE_DIRECTORIES:
        return f"the `{base_segments[-1]}` directory", Confidence.HIGH
    return None


def static_root(ctx: RuleContext, node: Node, depth: int) -> tuple[str, str] | None:
    """(base, relative path) of a directory expression: base "cwd", "file" (__dirname) or "abs"."""
    node = ctx.unwrap(node)
    if depth > MAX_DEPTH:
        return None
    if node.type == "identifier":
        if ctx.text(node) == "__dirname" and ctx.model.resolve(node) is None:
            return "file", ""
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or not binding.is_stable or binding.path:
            return None
        return static_root(ctx, binding.value, depth + 1)
    text = ctx.string_value(node)
    if text is not None:
        if text.startswith("/"):
            return "abs", text
        return "cwd", text
    if node.type == "call_expression":
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name == "process.cwd" and not args:
            return "cwd", ""
        if name == "path.dirname" and len(args) == 1:
            inner = static_root(ctx, args[0], depth + 1)
            return (inner[0], posixpath.join(inner[1], "..")) if inner is not None else None
        if name in JOINS:
            if not args:
                return ("cwd", "") if name.endswith("resolve") else None
            first = static_root(ctx, args[0], depth + 1)
            if first is None:
                return None
            base, relative = first
            for arg in args[1:]:
                part = ctx.string_value(arg)
                if part is None:
                    return None
                if part.startswith("/") and name.endswith("resolve"):
                    base, relative = "abs", part
                else:
                    relative = posixpath.join(relative, part) if relative else part
            return base, relative
        return None
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        first = static_root(ctx, left, depth + 1) if left is not None else None
        tail = ctx.string_value(right) if right is not None else None
        if first is None or tail is None:
            return None
        return first[0], (first[1] + tail).lstrip("/") if first[0] != "abs" else first[1] + tail
    if node.type == "template_string":
        parts = [c for c in node.named_children]
        if parts and parts[0].type == "template_substitution" and parts[0].named_children:
            first = static_root(ctx, parts[0].named_children[0], depth + 1)
            rest = "".join(ctx.text(p) for p in parts[1:] if p.type == "string_fragment")
            if first is None or any(p.type == "template_substitution" for p in parts[1:]):
                return None
            return first[0], (first[1] + rest).lstrip("/") if first[0] != "abs" else first[1] + rest
    return None
