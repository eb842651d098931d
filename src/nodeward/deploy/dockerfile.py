
"""A Dockerfile parser that keeps what security checks need: every instruction with its physical lines,
flags, JSON (exec) or shell form and heredoc bodies, grouped into build stages.

Written here rather than taken from PyPI: ``dockerfile-parse`` (the maintained one) has no BuildKit
heredocs, no line of each continuation piece and no type information, and its value expansion runs on
the whole file. The grammar followed is Docker's reference:

- parser directives (``# escape=``, ``# syntax=``) only before anything else;
- a line ending in the escape character (``\\`` or the directive's) continues on the next one; comment
  lines and empty lines inside a continuation are dropped, as Docker does;
- ``<<EOF`` / ``<<-EOF`` / ``<<"EOF"`` heredocs on RUN, COPY and ADD, several per instruction;
- the arguments of an instruction in JSON form (``["node", "server.js"]``) are its exec form; anything
  that is not a JSON array of strings is shell form, as Docker treats it;
- ``ARG`` before the first ``FROM`` is global and expands in ``FROM`` (``${NODE_VERSION:-22}``);
- a ``FROM`` naming an earlier stage (``FROM build AS runtime``) inherits that stage's settings.

Nothing raises: a line that is not an instruction, an unterminated heredoc or a quote left open becomes
a `problem` (line and message) and parsing goes on.
"""

from __future__ import annotations

import re
import shlex
from bisect import bisect_right
from dataclasses import dataclass, field

from nodeward.datafiles import DataFileError, load_json

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+|$)(.*)$")
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"(?<!<)<<(-?)([\"']?)([A-Za-z_][\w.\-]*)\2")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_]\w*))")
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
KNOWN_INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})


@dataclass(frozen=True, slots=True)
class Heredoc:
    delimiter: str
    body: str
    line: int  # the first line of the body


@dataclass
class Instruction:
    keyword: str  # upper case
    args: str  # the arguments, continuation lines joined (escape character and newline removed)
    line: int
    end_line: int  # the last physical line, heredoc bodies included
    flags: dict[str, str] = field(default_factory=dict)  # leading `--name=value` options
    rest: str = ""  # the arguments after the flags
    exec_form: list[str] | None = None  # `rest` as a JSON array of strings
    heredocs: list[Heredoc] = field(default_factory=list)
    pieces: list[tuple[int, int]] = field(default_factory=list)  # (offset in args, physical line)

    def line_at(self, offset: int) -> int:
        """The physical line that holds character ``offset`` of ``args``."""
        if not self.pieces:
            return self.line
        starts = [start for start, _ in self.pieces]
        return self.pieces[max(0, bisect_right(starts, offset) - 1)][1]

    def line_of_rest(self, offset: int) -> int:
        """The physical line of character ``offset`` of ``rest``."""
        return self.line_at(len(self.args) - len(self.rest) + offset)

    @property
    def shell_text(self) -> str:
        """What a RUN/CMD/ENTRYPOINT runs, as one text: the command or the exec form's words, and heredoc
        bodies (each on its own lines)."""
        text = " ".join(self.exec_form) if self.exec_form is not None else self.rest
        return "\n".join([text, *(h.body for h in self.heredocs)])


@dataclass
class Stage:
    index: int
    name: str  # "" when unnamed
    base: str  # the image or stage, variables expanded
    base_raw: str
    line: int  # the FROM line
    resolved: bool  # False when a variable in the base had no value
    parent: Stage | None = None  # the earlier stage this one is built FROM
    instructions: list[Instruction] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # ARG and ENV values seen in the stage

    def chain(self) -> list[Stage]:
        """This stage and the stages it is built from, nearest first."""
        stages: list[Stage] = []
        current: Stage | None = self
        while current is not None and current not in stages:
            stages.append(current)
            current = current.parent
        return stages

    def all_instructions(self) -> list[Instruction]:
        """The instructions that shape this stage's image: its ancestors' first."""
        return [i for stage in reversed(self.chain()) for i in stage.instructions]

    @property
    def external_base(self) -> str:
        """The image at the root of the chain (or "" when unknown)."""
        root = self.chain()[-1]
        return root.base if root.resolved else ""


@dataclass
class Dockerfile:
    instructions: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    global_args: dict[str, str | None] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    escape: str = "\\"

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None


def parse_dockerfile(text: str) -> Dockerfile:
    result = Dockerfile()
    lines = text.splitlines()
    index = _read_directives(lines, result)
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        match = _INSTRUCTION.match(raw)
        if match is None:
            result.problems.append((index + 1, f"not an instruction: {stripped[:60]!r}"))
            index += 1
            continue
        keyword = match.group(1).upper()
        instruction, index = _read_instruction(lines, index, keyword, match.start(2), result)
        if keyword in KNOWN_INSTRUCTIONS:
            result.instructions.append(instruction)
        else:
            result.problems.append((instruction.line, f"unknown instruction {match.group(1)}"))
    _build_stages(result)
    return result


def _read_directives(lines: list[str], result: Dockerfile) -> int:
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index].strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            result.escape = match.group(2)
        index += 1
    return index


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape)


def _read_instruction(
    lines: list[str], index: int, keyword: str, args_start: int, result: Dockerfile
) -> tuple[Instruction, int]:
    start = index
    escape = result.escape
    first = lines[index][args_start:]
    args = ""
    pieces: list[tuple[int, int]] = []
    current = first
    while True:
        pieces.append((len(args), index + 1))
        if _continues(current, escape):
            args += current.rstrip()[:-1]
            index += 1
            while index < len(lines) and (not lines[index].strip() or lines[index].lstrip().startswith("#")):
                index += 1
            if index >= len(lines):
                break
            current = lines[index]
        else:
            args += current
            break
    args = args.strip()
    instruction = Instruction(keyword, args, start + 1, index + 1, pieces=pieces)
    instruction.flags, instruction.rest = _split_flags(args)
    if instruction.rest.startswith("["):
        try:
            value = load_json(instruction.rest)
        except DataFileError:
            value = None
        if isinstance(value, list) and all(isinstance(word, str) for word in value):
            instruction.exec_form = value
    index += 1
    if keyword in _HEREDOC_INSTRUCTIONS and instruction.exec_form is None:
        for marker in _HEREDOC.finditer(args):
            strip_tabs, delimiter = marker.group(1) == "-", marker.group(3)
            body: list[str] = []
            body_start = index + 1
            while index < len(lines):
                line = lines[index].lstrip("\t") if strip_tabs else lines[index]
                index += 1
                if line == delimiter:
                    break
                body.append(line)
            else:
                result.problems.append((instruction.line, f"heredoc `{delimiter}` is not terminated"))
            instruction.heredocs.append(Heredoc(delimiter, "\n".join(body), body_start))
        instruction.end_line = index
    return instruction, index


def _split_flags(args: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        name, _, value = token[2:].partition("=")
        flags[name.lower()] = value
        rest = remainder.lstrip()
    return flags, rest


def split_words(text: str) -> list[str] | None:
    """Shell-like words of ``text`` (quotes removed), or None when a quote is left open."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return None


def key_values(instruction: Instruction) -> list[tuple[str, str | None, int]]:
    """The (name, value, line) pairs of an ENV, ARG or LABEL; an ARG without default has value None."""
    rest = instruction.rest
    words = split_words(rest)
    if words is None:
        words = rest.split()
    if not words:
        return []
    pairs: list[tuple[str, str | None, int]] = []
    if instruction.keyword == "ENV" and "=" not in words[0]:  # legacy `ENV NAME value with spaces`
        name, _, value = rest.partition(" ")
        unquoted = split_words(value)
        return [(name, " ".join(unquoted) if unquoted is not None else value.strip(), instruction.line)]
    for word in words:
        name, equals, value = word.partition("=")
        offset = rest.find(name + equals)
        line = instruction.line_of_rest(offset) if offset >= 0 else instruction.line
        pairs.append((name, value if equals else None, line))
    return pairs


def expand(text: str, variables: dict[str, str | None]) -> tuple[str, bool]:
    """``text`` with ``$NAME``, ``${NAME}``, ``${NAME:-default}`` and ``${NAME:+alternative}`` expanded;
    the flag is False when a variable had no value and no default."""
    resolved = True

    def substitute(match: re.Match[str]) -> str:
        nonlocal resolved
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        if operator in (":-", "-"):
            return value if value else word
        if operator in (":+", "+"):
            return word if value else ""
        if value is None:
            resolved = False
            return ""
        return value

    return _VARIABLE.sub(substitute, text), resolved


def _build_stages(result: Dockerfile) -> None:
    stage: Stage | None = None
    by_name: dict[str, Stage] = {}
    for instruction in result.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            words = instruction.rest.split()
            base_raw = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
            base, resolved = expand(base_raw, result.global_args)
            parent = by_name.get(base.lower())
            if parent is None and base.isdigit() and int(base) < len(result.stages):
                parent = result.stages[int(base)]
            stage = Stage(len(result.stages), name, base, base_raw, instruction.line, resolved and bool(base), parent)
            stage.instructions.append(instruction)
            result.stages.append(stage)
            if name:
                by_name[name.lower()] = stage
            continue
        if stage is None:
            if keyword == "ARG":
                for key, value, _ in key_values(instruction):
                    result.global_args[key] = value
            else:
                result.problems.append((instruction.line, f"{keyword} before the first FROM"))
            continue
        stage.instructions.append(instruction)
        if keyword in ("ARG", "ENV"):
            for key, value, _ in key_values(instruction):
                if value is None:
                    value = result.global_args.get(key) or ""
                stage.variables[key] = value
