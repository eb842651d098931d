"""Checks shared by every format: shell commands (RUN, CMD, package.json scripts) and environment settings
(Dockerfile ENV/ARG, compose `environment:`, Kubernetes `env`).

Secrets are recognised by the secrets scanner's own engine and name test (``nodeward.secrets``), so a
name or a token format is known in one place only. Patterns of shell commands are data in ``knowledge``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nodeward.deploy import knowledge
from nodeward.secrets.engine import SecretEngine, is_secret_name
from nodeward.secrets.filters import is_placeholder
from nodeward.secrets.redact import redact

_COMPILED_SHELL = tuple(
    (problem, re.compile(pattern, re.IGNORECASE | re.MULTILINE), meaning)
    for problem, pattern, meaning in knowledge.SHELL_PATTERNS
)
_INSPECT = re.compile(knowledge.INSPECT_FLAG)
_CHMOD = re.compile(
    r"\bchmod\s+((?:-[A-Za-z]+\s+|--[\w-]+\s+)*)([0-7]{3,4}|[ugoa]*[-+=][rwxXst]*(?:,[ugoa]*[-+=][rwxXst]*)*)\b"
)
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none", "required", "optional",
                                "enabled", "disabled", "1", "0"})


_SHELL_COMMENT = re.compile(r"(?:(?<=\s)|^)#[^\n]*", re.MULTILINE)


def blank_shell_comments(text: str) -> str:
    """``text`` with shell comments (`# ...` starting a word) replaced by spaces: offsets stay valid."""
    return _SHELL_COMMENT.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(frozen=True, slots=True)
class ShellProblem:
    problem: str  # a key of knowledge.SHELL_PATTERNS, or "world-writable", "inspect-all", "inspect"
    offset: int  # where in the text
    meaning: str


def shell_problems(text: str) -> list[ShellProblem]:
    """The problems the pattern table and the chmod/--inspect parsers find in a command text."""
    found = [ShellProblem(problem, match.start("at") if "at" in pattern.groupindex else match.start(), meaning)
             for problem, pattern, meaning in _COMPILED_SHELL for match in pattern.finditer(text)]
    for match in _CHMOD.finditer(text):
        if mode_is_world_writable(match.group(2)):
            found.append(ShellProblem("world-writable", match.start(), f"`chmod {match.group(2)}` lets anyone write"))
    found.extend(inspect_problems(text))
    return sorted(found, key=lambda p: p.offset)


def mode_is_world_writable(mode: str) -> bool:
    if mode.isdigit():
        return bool(int(mode[-1]) & 2)
    return any(part in mode for part in knowledge.WORLD_WRITE_SYMBOLIC)


def inspect_problems(text: str) -> list[ShellProblem]:
    """`--inspect` flags: "inspect-all" when bound to every interface, else "inspect"."""
    problems = []
    for match in _INSPECT.finditer(text):
        address = match.group("address") or ""
        host = address.rsplit(":", 1)[0] if not address.startswith("[") else address.split("]")[0] + "]"
        if address.isdigit():
            host = ""
        if host in knowledge.ALL_INTERFACES:
            problems.append(ShellProblem("inspect-all", match.start(), f"`{match.group(0)}` listens on all interfaces"))
        else:
            problems.append(ShellProblem("inspect", match.start(), f"`{match.group(0)}` enables the inspector"))
    return problems


def tls_off_setting(name: str, value: str) -> bool:
    """True for an environment setting that switches TLS certificate checks off."""
    off = knowledge.TLS_OFF_VARIABLES.get(name) or knowledge.TLS_OFF_VARIABLES.get(name.upper())
    return off is not None and value.strip().strip("\"'").lower() in off


@cache
def _engine() -> SecretEngine:
    return SecretEngine()


@dataclass(frozen=True, slots=True)
class SecretSetting:
    """Why a setting holds a secret, with the value redacted for messages."""

    reason: str
    shown: str
    weak: bool  # a placeholder-looking literal (`postgres`, `changeme`): a default credential at best


def secret_setting(name: str, value: str | None) -> SecretSetting | None:
    """Whether ``name=value`` writes a secret literally into configuration.

    A reference (``${X}``, ``$X``, ``$(cat ...)``), an empty value and booleans are not secrets. The
    secrets engine's detectors decide for token formats; the secrets scanner's name test for names.
    """
    if value is None:
        return None
    value = value.strip()
    if not value or "$" in value or value.lower() in _NOT_SECRET_VALUES:
        return None
    for match in _engine().scan(f"{name}={value}"):
        return SecretSetting(f"holds a {match.label}", redact(value, reveal=False), weak=False)
    if not is_secret_name(name) or (value.isdigit() and len(value) < 6):
        return None
    if value.startswith(("/", "./", "~/", "http://", "https://", "file:")):
        return None  # a path or URL naming where the secret is
    weak = is_placeholder(value)
    return SecretSetting("has a secret-like name and a literal value", redact(value, reveal=False), weak=weak)
