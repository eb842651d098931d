"""## What it finds
Programs run without a shell (`spawn`, `execFile`, their `Sync` forms, `execa`, `cross-spawn`) whose
argument list holds a value from outside, when the program reads options from its arguments (`git`,
`find`, `tar`, `rsync`, `ssh`, `curl`, `wget`, `zip`, `hg`, `svn`, `npm`, `sendmail`, `ffmpeg`,
`convert` ...) and no `--` element ends the options before the value. Elements that start with a
constant text (`` `origin/${branch}` ``) cannot be options and are not reported.

## Why it matters
Without a shell there is no `;` or `$(...)` injection, but a value that starts with `-` becomes an option
of the program: `--upload-pack=touch /tmp/pwned` makes `git` run a command, `-exec` makes `find` run one,
`--checkpoint-action=exec=...` does it for `tar`, `-oProxyCommand=...` for `ssh`, `-o` and `-K` let
`curl` write or read files (argument injection, CWE-88).

## How to fix
Put `--` before the values that come from outside (`["clone", "--", url, dir]`), or reject values that
start with `-`, and prefer allow-lists for values such as branch names and file names.

## Bad
```js
const { execFile } = require("child_process");
app.get("/log", (req, res) => {
  execFile("git", ["log", req.query.ref], (err, out) => res.send(out));
});
```

## Good
```js
const { execFile } = require("child_process");
app.get("/log", (req, res) => {
  execFile("git", ["log", "--end-of-options", req.query.ref, "--"], (err, out) => res.send(out));
});
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.injection.server_side_request_forgery import constant_prefix

RUNNERS = {
    "child_process.spawn", "child_process.spawnSync", "child_process.execFile", "child_process.execFileSync",
    "execa", "execa.execa", "execa.sync", "execa.execaSync", "cross-spawn", "cross-spawn.sync", "cross-spawn.spawn",
}
#: Programs whose options can run commands, read or write files, or change where they connect.
OPTION_PROGRAMS = frozenset({
    "git", "hg", "svn", "find", "tar", "bsdtar", "rsync", "ssh", "scp", "sftp", "curl", "wget", "zip", "unzip",
    "7z", "npm", "npx", "yarn", "pnpm", "sendmail", "ffmpeg", "ffprobe", "convert", "magick", "gm", "identify",
    "psql", "mysql", "mysqldump", "pg_dump", "grep", "sed", "awk", "xargs", "env", "gpg", "openssl", "docker",
    "kubectl", "java", "node", "python", "python3", "perl", "ruby", "php", "man", "less", "chrome", "chromium",
    "wkhtmltopdf", "pandoc", "soffice", "libreoffice", "exiftool", "git-upload-pack", "nmap", "ping", "dig",
})
END_OF_OPTIONS = {"--", "--end-of-options"}



class CommandArgumentInjection(TaintRule):
    id = "NW116"
    name = "command-argument-injection"
    title = "Value from outside passed as an argument that the program may read as an option"
    cwe = (88,)
    owasp = "A03"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Put `--` before values from outside in the argument list, or reject values starting with `-`."
    visits = ("call_expression",)
    call_names = last_names(RUNNERS)
    sink_class = "argument"

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        name = ctx.call_name(node)
        if name is None:
            return
        if name not in RUNNERS:
            return
        args = ctx.arguments(node)
        if len(args) < 2:
            return
        program = ctx.string_value(args[0])
        if program is None:
            return
        base = program.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
        if base not in OPTION_PROGRAMS:
            return
        options = next((a for a in args[2:] if ctx.resolve_object(a) is not None), None)
        if options is not None:
            shell = ctx.object_property(options, "shell")
            value = ctx.model.evaluate(shell) if shell is not None else None
            if shell is not None and (value is None or value.value not in (False, None, 0, "")):
                return  # a shell: NW101's business
        elements = self._elements(args[1], ctx)
        if elements is None:
            return
        for element in elements:
            if ctx.string_value(element) in END_OF_OPTIONS:
                return
            if ctx.is_constant(element):
                continue
            inner = ctx.unwrap(element)
            if inner.type == "spread_element" and inner.named_children:
                inner = inner.named_children[0]
            if constant_prefix(inner, ctx):
                continue  # starts with a constant text: cannot be an option
            yield Sink(node, inner, f"an argument of `{base}` (read as an option when it starts with `-`)",
                       f"`{base}` gets the non-constant argument `{shorten(ctx.text(inner))}`")

    @staticmethod
    def _elements(argv: Node, ctx: RuleContext) -> list[Node] | None:
        current = ctx.unwrap(argv)
        if current.type == "identifier":
            binding = ctx.model.resolve(current)
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return None
            current = ctx.unwrap(binding.value)
        if current.type != "array":
            return None
        return [e for e in current.named_children if e.type != "comment"]
