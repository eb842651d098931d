"""## What it finds
Files written while extracting an archive at a path built from the name of an archive entry, without a
check that the resolved path stays inside the destination ("zip slip"): entry names of `adm-zip`
(`zip.getEntries()` then `entry.entryName`), `unzipper` and `unzip-stream` (`.on("entry", e => e.path)`),
`yauzl` (`entry.fileName`), `tar` (`onentry`/`filter` callbacks, `entry.path`) and `tar-stream`
(`header.name`) reaching `fs.writeFile`, `fs.createWriteStream`, `fs.mkdir`, `fs-extra.outputFile` and
the other file-system functions that create or change files.

## Why it matters
The names inside an archive are chosen by whoever made it. A name such as `../../home/app/.ssh/authorized_keys`
or `/etc/cron.d/job` joined to the destination directory points outside it, so extracting an uploaded or
downloaded archive overwrites arbitrary files with attacker-controlled content: often remote code
execution (path traversal, CWE-22).

## How to fix
Resolve every entry's target and refuse it unless it stays inside the destination:
`const target = path.resolve(dest, entry.entryName); if (!target.startsWith(path.resolve(dest) + path.sep)) throw ...`.
Also skip symbolic-link entries, or let a maintained extractor that already does these checks
(`tar.x`, recent `adm-zip` `extractAllTo`) write the files.

## Bad
```js
const AdmZip = require("adm-zip");
const fs = require("fs");
const path = require("path");
function extract(file, dest) {
  for (const entry of new AdmZip(file).getEntries()) {
    fs.writeFileSync(path.join(dest, entry.entryName), entry.getData());
  }
}
```

## Good
```js
const AdmZip = require("adm-zip");
const fs = require("fs");
const path = require("path");
function extract(file, dest) {
  const root = path.resolve(dest) + path.sep;
  for (const entry of new AdmZip(file).getEntries()) {
    const target = path.resolve(root, entry.entryName);
    if (!target.startsWith(root)) throw new Error(`bad entry ${entry.entryName}`);
    fs.writeFileSync(target, entry.getData());
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.archives import ENTRY_TAG
from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.filesystem.non_literal_fs_path import FS_EXTRA_MODULES, FS_MODULES

# File-system functions that create or change files -> indexes of the paths they write. A name ending in
# "Sync" takes the entry of its asynchronous twin.
WRITING_FUNCTIONS: dict[str, tuple[int, ...]] = {
    "writeFile": (0,), "appendFile": (0,), "createWriteStream": (0,), "WriteStream": (0,), "mkdir": (0,),
    "copyFile": (1,), "cp": (1,), "rename": (1,), "symlink": (0, 1), "link": (1,), "chmod": (0,),
    "chown": (0,), "utimes": (0,), "lutimes": (0,), "truncate": (0,), "open": (0,),
    # fs-extra
    "outputFile": (0,), "outputJson": (0,), "outputJSON": (0,), "writeJson": (0,), "writeJSON": (0,),
    "ensureDir": (0,), "mkdirp": (0,), "mkdirs": (0,), "ensureFile": (0,), "createFile": (0,), "copy": (1,),
    "move": (1,), "ensureSymlink": (0, 1), "createSymlink": (0, 1), "ensureLink": (1,), "createLink": (1,),
}
# Modules that are a single directory-creating function: `mkdirp(dir)`, `makeDir(dir)`.
DIRECTORY_MAKERS = frozenset({"mkdirp", "mkdirp.sync", "mkdirp.mkdirp", "make-dir", "make-dir.sync"})



def writing_indexes(name: str) -> tuple[int, ...]:
    """The indexes of the paths a file-system function writes ((): it writes none)."""
    if name in DIRECTORY_MAKERS:
        return (0,)
    for module in (*FS_MODULES, *FS_EXTRA_MODULES):
        if name.startswith(module + "."):
            function = name[len(module) + 1 :]
            base = function[: -len("Sync")] if function.endswith("Sync") else function
            return WRITING_FUNCTIONS.get(function, WRITING_FUNCTIONS.get(base, ()))
    return ()


class ArchivePathTraversal(TaintRule):
    id = "NW117"
    name = "archive-path-traversal"
    title = "Archive entry written outside the extraction directory (zip slip)"
    cwe = (22,)
    owasp = "A01"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Resolve each entry's target path and refuse it unless it starts with the destination directory."
    visits = ("call_expression", "new_expression")
    call_names = last_names(DIRECTORY_MAKERS, WRITING_FUNCTIONS, (f"{name}Sync" for name in WRITING_FUNCTIONS))
    sink_class = "path"
    source_tags = frozenset({ENTRY_TAG})

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        name = ctx.call_name(node)
        if name is None:
            return
        indexes = writing_indexes(name)
        if not indexes:
            return
        for position, arg in enumerate(ctx.arguments(node)):
            if arg.type == "spread_element":
                return
            if position in indexes:
                yield Sink(
                    node, arg, f"`{name}` (a file written during extraction)",
                    f"`{name}` writes to a path built from an archive entry's name `{shorten(ctx.text(arg))}`",
                )
