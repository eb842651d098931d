"""## What it finds
File modes that let other users in: `fs.chmod`/`chmodSync`/`fchmod`/`lchmod` (and `fs.promises`,
`fs-extra`) to a world-writable mode (`0o777`, `0o666`, `"777"`, any mode with the "others may write"
bit), and to a group- or world-readable mode for files whose name says they hold keys or credentials
(`.pem`, `.key`, `id_rsa`, `.env`, `credentials`, `secret`, `token`...) or world-readable for logs; and
files or directories created with such a mode (`mode` of `writeFile`, `mkdir`, `open`,
`createWriteStream`), reported with low confidence for non-secret files because the process umask
usually removes the write bits of a creation mode. Modes known only at run time are not judged.

## Why it matters
A world-writable file or directory can be changed by every local user and process: configuration,
scripts and data planted there run or are trusted by the application. A private key, `.env` file or
token readable by the group or by everyone can be copied by any other account or compromised
service on the machine (incorrect permission assignment for a critical resource, CWE-732; CWE-276).

## How to fix
Give secrets mode `0o600` (owner read/write) and directories `0o700`; other files `0o644` at most
(`0o640` for logs). Never make files or directories writable by others.

## Bad
```js
const fs = require("fs");
fs.writeFileSync("config/server.key", key);
fs.chmodSync("config/server.key", 0o644);
```

## Good
```js
const fs = require("fs");
fs.writeFileSync("config/server.key", key, { mode: 0o600 });
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, object_entries

MODULES = ("fs", "fs.promises", "fs-extra", "graceful-fs")
# chmod-like calls: they set the exact mode (the umask does not apply).
CHMOD_CALLS = {f"{m}.{f}": 1 for m in MODULES for f in ("chmod", "chmodSync", "lchmod", "lchmodSync", "fchmod",
                                                          "fchmodSync")}
# Calls that create a file or directory: position of the mode or of the options object holding `mode`.
CREATE_CALLS = {
    **{f"{m}.{f}": 2 for m in MODULES for f in ("writeFile", "writeFileSync", "appendFile", "appendFileSync",
                                                "outputFile", "outputFileSync", "open", "openSync")},
    **{f"{m}.{f}": 1 for m in MODULES for f in ("mkdir", "mkdirSync", "mkdirs", "mkdirsSync", "ensureDir",
                                                "ensureDirSync", "mkdirp", "createWriteStream")},
}
SECRET_FILE = re.compile(
    r"(\.(pem|key|p12|pfx|jks|keystore|kdbx|env|npmrc|pgpass|netrc|htpasswd)$|(^|[/\\._-])(id_rsa|id_ed25519|id_ecdsa"
    r"|id_dsa|credentials?|secrets?|tokens?|private|passwords?|passwd|shadow|\.env)([/\\._-]|$))",
    re.IGNORECASE,
)
LOG_FILE = re.compile(r"(\.log$|(^|[/\\])logs?[/\\])", re.IGNORECASE)
OTHERS_WRITE, OTHERS_READ, GROUP_READ, GROUP_WRITE = 0o002, 0o004, 0o040, 0o020


def parse_mode(value: object) -> int | None:
    """A mode as fs takes it: a number (0o644, 420), or an octal string ("644", "0o644")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value & 0o7777
    if isinstance(value, str) and re.fullmatch(r"(0o?)?[0-7]{3,4}", value):
        return int(value.removeprefix("0o"), 8) & 0o7777
    return None


class PermissiveFileMode(Rule):
    id = "NW404"
    name = "permissive-file-mode"
    title = "File or directory writable by everyone, or secret readable by others"
    cwe = (732, 276)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Use 0o600 for secrets, 0o700 for private directories, and never grant write access to others."
    visits = ("call_expression",)
    call_names = last_names(CHMOD_CALLS, CREATE_CALLS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        args = ctx.arguments(node)
        if name in CHMOD_CALLS and len(args) > 1:
            mode_node: Node | None = args[1]
            exact = True
        elif name in CREATE_CALLS and len(args) > CREATE_CALLS[name]:
            mode_node = _mode_of(ctx, args[CREATE_CALLS[name]])
            exact = False
        else:
            return
        if mode_node is None or not args:
            return
        mode = parse_mode(constant_value(ctx, mode_node))
        if mode is None:
            return
        target = ctx.string_value(args[0]) or ctx.text(args[0])
        secret = bool(SECRET_FILE.search(target))
        log = bool(LOG_FILE.search(target))
        problem = None
        confidence = Confidence.MEDIUM
        if mode & OTHERS_WRITE:
            problem = "writable by every user"
            if not exact and not secret:
                confidence = Confidence.LOW
        elif secret and mode & (OTHERS_READ | GROUP_READ):
            problem = "readable by other users" if mode & OTHERS_READ else "readable by the group"
            if not exact and not mode & OTHERS_READ:
                return  # a group-readable creation mode: the umask decides
        elif log and exact and mode & OTHERS_READ:
            problem = "readable by every user"
        if problem is None:
            if secret:
                ctx.record_practice("temp-files", "in-place", node, f"`{target}` created with mode {mode:#o}")
            return
        what = "secret file" if secret else ("log file" if log else "file")
        ctx.record_practice("temp-files", "missing", node, f"{what} `{target}` {problem} (mode {mode:#o})")
        yield ctx.report(mode_node, f"mode {mode:#o} makes the {what} `{shorten(target)}` {problem}",
                         confidence=confidence)


def _mode_of(ctx: RuleContext, node: Node) -> Node | None:
    found = object_entries(ctx, node)
    if found is not None:
        return found[0].get("mode")
    value = constant_value(ctx, node)
    return node if isinstance(value, int) and not isinstance(value, bool) else None

