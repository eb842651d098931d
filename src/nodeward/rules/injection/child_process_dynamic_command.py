"""## What it finds
Shell commands built from non-constant values: `child_process.exec`/`execSync`, `shelljs.exec` and
execa's `execaCommand` with a command that is not a constant, and `spawn`/`spawnSync`/`execFile`/
`execFileSync`, `execa` and `cross-spawn` that run a shell (`shell: true`, or a program such as `sh -c`,
`bash -c`, `cmd /c`) with non-constant arguments.

## Why it matters
A shell interprets `;`, `&&`, `|`, `$(...)` and back-ticks. When any part of the command comes from a
request, a file or another program, an attacker who controls it runs their own commands with the
privileges of the Node.js process (command injection, CWE-78).

## How to fix
Run the program directly, without a shell: `execFile`/`spawn` with a constant program name and the
variable parts as separate array elements. If a shell is unavoidable, allow-list the values or quote
them with a dedicated library (`shell-quote`).

## Bad
```js
const { exec } = require("child_process");
function convert(file) {
  exec(`convert ${file} out.png`);
}
```

## Good
```js
const { execFile } = require("child_process");
function convert(file) {
  execFile("convert", [file, "out.png"]);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext

SHELL_COMMANDS = {
    "child_process.exec", "child_process.execSync", "shelljs.exec",
    # execa's command strings are split on spaces: whoever writes the string chooses the program
    "execa.execaCommand", "execa.execaCommandSync", "execa.command", "execa.commandSync",
}
PROGRAM_RUNNERS = {
    "child_process.spawn", "child_process.spawnSync", "child_process.execFile", "child_process.execFileSync",
    "execa", "execa.execa", "execa.sync", "execa.execaSync", "cross-spawn", "cross-spawn.sync", "cross-spawn.spawn",
}
SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "fish", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"}
SHELL_SCRIPT_FLAGS = {"-c", "/c", "/C", "-Command", "-command", "/k", "/K"}



class ChildProcessDynamicCommand(TaintRule):
    id = "NW101"
    name = "child-process-dynamic-command"
    title = "Shell command built from a non-constant value"
    cwe = (78,)
    owasp = "A03"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Use execFile/spawn with a constant program and an argument array, without a shell."
    visits = ("call_expression",)
    call_names = last_names(SHELL_COMMANDS, PROGRAM_RUNNERS)
    sink_class = "command"
    reports_unknown_origin = True

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        name = ctx.call_name(node)
        if name is None:
            return
        args = ctx.arguments(node)
        if name in SHELL_COMMANDS:
            if args:
                yield Sink(
                    node, args[0], f"`{name}` (a shell command)",
                    f"`{name}` runs a shell command built from a non-constant value `{shorten(ctx.text(args[0]))}`",
                )
        elif name in PROGRAM_RUNNERS and args:
            yield from self._program_runner_sinks(node, name, args, ctx)

    def _program_runner_sinks(self, node: Node, name: str, args: list[Node], ctx: RuleContext) -> Iterator[Sink]:
        program, rest = args[0], args[1:]
        argv = next((a for a in rest if ctx.unwrap(a).type == "array"), None)
        options = next((a for a in rest if ctx.resolve_object(a) is not None), None)
        dynamic = [a for a in (program, argv) if a is not None and not ctx.is_constant(a)]
        if argv is None and rest and not ctx.is_constant(rest[0]) and ctx.resolve_object(rest[0]) is None:
            dynamic.append(rest[0])  # an argument list held in a variable
        if not dynamic:
            return
        shell_option = ctx.object_property(options, "shell") if options is not None else None
        if shell_option is not None:
            value = ctx.model.evaluate(shell_option)
            if value is None or value.value not in (False, None, 0, ""):
                for culprit in dynamic:
                    yield Sink(
                        node, culprit, f"`{name}` with `shell` enabled (a shell command)",
                        f"`{name}` with `shell` enabled runs a command built from the non-constant "
                        f"value `{shorten(ctx.text(culprit))}`",
                    )
                return
        program_name = ctx.string_value(program)
        if program_name is None or argv is None:
            return
        if program_name.rsplit("/", 1)[-1].lower() not in SHELLS:
            return
        elements = [e for e in ctx.unwrap(argv).named_children if e.type != "comment"]
        if any(ctx.string_value(e) in SHELL_SCRIPT_FLAGS for e in elements):
            for culprit in (e for e in elements if not ctx.is_constant(e)):
                yield Sink(
                    node, culprit, f"`{name}` running `{program_name}` (a shell script)",
                    f"`{name}` runs `{program_name}` with a script built from the non-constant value "
                    f"`{shorten(ctx.text(culprit))}`",
                )
