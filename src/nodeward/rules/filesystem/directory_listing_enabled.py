"""## What it finds
Directory listings served over HTTP: `serve-index` (and Koa's `koa-serve-index`/`koa-index`) on any
folder, `@fastify/static` with `list` enabled, `serve-handler` without `directoryListing: false` and
`ecstatic` without `showDir: false` / `autoIndex: false` (both list directories by default). A listing of
the project directory, a parent of it or a folder named like one that holds internals (`.git`, `logs`,
`keys`, `node_modules`) is high severity; a listing of any other folder is medium: it still shows every
file placed there, including the ones nobody meant to link.

## Why it matters
A listing turns guessing into reading: backups (`db.sql.bak`), uploads of other users, logs, editor
swap files and forgotten exports in the folder are one click away, and an attacker learns the layout of
the server (exposure of information through directory listing, CWE-548).

## How to fix
Remove the listing middleware and serve only the files the application links to (`express.static`
without an index page); if users must browse files, build a page that lists what they are allowed to
see, behind authentication.

## Bad
```js
const express = require("express");
const serveIndex = require("serve-index");
const app = express();
app.use("/uploads", express.static("uploads"), serveIndex("uploads"));
```

## Good
```js
const express = require("express");
const app = express();
app.use("/uploads", express.static("uploads", { index: false }));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.filesystem.project_directory_served import judge_root, static_root
from nodeward.rules.web.knowledge import is_false, object_entries

# Middleware that exists to list directories: the first argument is the listed folder.
LISTING_MIDDLEWARE = frozenset({"serve-index", "koa-serve-index", "koa-index", "express.directory"})
# Static servers that list directories by default: the option that turns the listing off, the position of
# the options argument and the option naming the served folder.
LISTING_BY_DEFAULT = {"serve-handler": ("directoryListing", 2, "public"), "ecstatic": ("showDir", 0, "root")}
FASTIFY_STATIC = "@fastify/static"


class DirectoryListingEnabled(Rule):
    id = "NW406"
    name = "directory-listing-enabled"
    title = "Directory listing served over HTTP"
    cwe = (548,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Remove the directory listing; serve only the files the application links to."
    visits = ("call_expression",)
    call_names = last_names(LISTING_MIDDLEWARE, LISTING_BY_DEFAULT, ["register"])
    requires_text = (b"serve-index", b"koa-serve-index", b"koa-index", b"directory", b"serve-handler", b"ecstatic",
                     b"@fastify/static")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        folder: Node | None = None
        if name in LISTING_MIDDLEWARE:
            folder = args[0] if args else None
        elif name in LISTING_BY_DEFAULT:
            option, position, folder_option = LISTING_BY_DEFAULT[name]
            options = object_entries(ctx, args[position]) if len(args) > position else None
            entries = options[0] if options is not None else {}
            if any(is_false(ctx, entries[key]) for key in (option, "autoIndex") if key in entries):
                return
            folder = entries.get(folder_option)
        elif ctx.method_name(node) == "register" and len(args) >= 2 and ctx.qualified_name(args[0]) == FASTIFY_STATIC:
            options = object_entries(ctx, args[1])
            entries = options[0] if options is not None else {}
            listing = entries.get("list")
            if listing is None or is_false(ctx, listing):
                return
            name, folder = FASTIFY_STATIC, entries.get("root")
        else:
            return
        where = static_root(ctx, folder, 0) if folder is not None else None
        verdict = judge_root(ctx, *where) if where is not None else None
        shown = f"`{ctx.text(folder)}`" if folder is not None else "its folder"
        ctx.record_practice("exposed-files", "missing", node, f"`{name}` lists {shown}")
        if verdict is not None:
            what, confidence = verdict
            yield ctx.report(node, f"`{name}` lists the files of {what} to every visitor: source, `.git/`, logs "
                             "and keys there can be found and downloaded", severity=Severity.HIGH,
                             confidence=confidence)
            return
        yield ctx.report(node, f"`{name}` lists the files of {shown} to every visitor: backups, uploads and "
                         "files nobody linked become easy to find")
