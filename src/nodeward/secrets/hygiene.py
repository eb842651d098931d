"""Files that should not be in a repository at all, decided from their name and content alone.

- `.env` files with real values (NW505); `.env.example`, `.env.sample`, `.env.template` and friends
  are documentation, and a `.env` whose values are all placeholders or references is harmless;
- credential files (NW506): `.netrc`, Google service-account keys, AWS shared credentials files.

Whether a `.env` file is tracked or ignored is asked of git (`git ls-files`, `git check-ignore`, through
`nodeward.git`, which keeps the repository's configured programs from running).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nodeward.datafiles import DataFileError, load_json
from nodeward.git import GitError, NotARepository, find_repository, last_message, literal_pathspec
from nodeward.secrets.detectors import CREDENTIAL_FILE_RULE, PRIVATE_KEY_RULE
from nodeward.secrets.filters import is_placeholder

if TYPE_CHECKING:
    from nodeward.secrets.engine import SecretEngine

#: `.env` variants that document the variables rather than hold them.
ENV_DOCUMENTATION_SUFFIXES: tuple[str, ...] = (
    ".example", ".sample", ".template", ".dist", ".defaults", ".default", ".schema", ".tmpl", ".tpl", ".test",
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class EnvEntry:
    line: int
    key: str
    value: str


def is_env_documentation(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(ENV_DOCUMENTATION_SUFFIXES) or ".example" in lower or ".sample" in lower


def parse_env(text: str) -> list[EnvEntry]:
    """The `KEY=value` entries of a dotenv file (quotes and trailing comments removed)."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ENV_LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        value = match.group("value")
        if value[:1] in ("'", '"') and value[:1] in value[1:]:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = value.split(" #", 1)[0].strip()
        entries.append(EnvEntry(number, match.group("key"), value))
    return entries


def real_env_values(entries: list[EnvEntry]) -> list[EnvEntry]:
    """Entries whose value is something else than empty, a placeholder or a reference."""
    return [e for e in entries if e.value and not is_placeholder(e.value) and len(e.value) >= 4]


def git_status_of(path: Path) -> str:
    """"tracked", "ignored", "untracked" (not ignored), or "" outside a repository or without git.

    Raises GitError when git refuses the repository (owned by another user, working tree elsewhere).
    """
    try:
        repository = find_repository(path.parent)
    except NotARepository:
        return ""
    assert repository.work_tree is not None
    try:
        relative = (path.parent.resolve() / path.name).relative_to(repository.work_tree).as_posix()
    except ValueError:
        return ""
    tracked = repository.output("ls-files", "-z", "--", literal_pathspec(relative))
    if relative.encode("utf-8", "surrogateescape") in tracked.split(b"\0"):
        return "tracked"
    ignored = repository.run("check-ignore", "-q", "--", f"./{relative}")  # takes no pathspec magic, even literal
    if ignored.returncode == 0:
        return "ignored"
    if ignored.returncode == 1:
        return "untracked"
    raise GitError(f"git check-ignore: {last_message(ignored.stderr)}")


def credential_file_kind(display_path: str, text: str) -> tuple[str, int] | None:
    """What credential file this is and the line to point at, or None."""
    name = display_path.rsplit("/", 1)[-1].lower()
    if name in (".netrc", "_netrc"):
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"\bpassword\s+\S+", line) and not is_placeholder(line.split("password", 1)[1].strip()):
                return ".netrc with a password", number
        return None
    if name.endswith(".json") and '"service_account"' in text and '"private_key"' in text:
        try:
            document = load_json(text)
        except DataFileError:
            document = None
        if isinstance(document, dict) and document.get("type") == "service_account":
            key = document.get("private_key")
            if isinstance(key, str) and "PRIVATE KEY" in key and len(key) > 200:
                number = next(
                    (n for n, t in enumerate(text.splitlines(), start=1) if '"private_key"' in t), 1
                )
                return "Google service-account key", number
    if (display_path.endswith(".aws/credentials") or name == "credentials") and "aws_secret_access_key" in text:
        for number, line in enumerate(text.splitlines(), start=1):
            if "aws_secret_access_key" in line:
                value = line.split("=", 1)[-1].strip()
                if value and not is_placeholder(value):
                    return "AWS shared credentials file", number
    return None


def credential_file_label(display_path: str, kind: str, text: str, engine: SecretEngine) -> tuple[str, int] | None:
    """What credential file this text is (and the line to point at), or None: the one classification that the
    repository checks (NW503, NW505, NW506) apply file by file, for checks about whole files elsewhere (NW507).

    `.env` files count when they hold real values and are not documentation (`.env.example`); credential
    files as `credential_file_kind` says; any other text when the detectors find a private key with its
    body or a registry credential of an npm config in it.
    """
    name = display_path.rsplit("/", 1)[-1]
    if kind == "dotenv":
        if is_env_documentation(name):
            return None
        real = real_env_values(parse_env(text))
        return (f".env file with {len(real)} real value(s)", real[0].line) if real else None
    found = credential_file_kind(display_path, text)
    if found is not None:
        return found
    for match in engine.scan(text, kind=kind):
        if match.rule == PRIVATE_KEY_RULE:
            return f"private key file ({match.label})", match.line
        if match.rule == CREDENTIAL_FILE_RULE:
            return match.label, match.line
    return None
