"""`COPY . .` and its build context: what a `.dockerignore` keeps out of the image.

The build context is taken to be the Dockerfile's directory (as `docker build .` beside it, and compose's
default); its ignore file is `<Dockerfile name>.dockerignore` when that exists (BuildKit), else
`.dockerignore`. Patterns follow Docker's rules, which differ from git's: they are anchored at the
context root (`.env` is only the top-level one, `**/.env` any), a pattern that matches a directory
excludes everything below it, `!` re-includes, and the last matching pattern decides.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nodeward.deploy import knowledge
from nodeward.deploy.dockerfile import parse_dockerfile, split_words
from nodeward.deploy.emit import Emitter
from nodeward.findings import Confidence, FileNotice, Severity
from nodeward.rules.config.secret_file_copied_into_image import SecretFileCopiedIntoImage
from nodeward.scanners import FileResult
from nodeward.sources.discover import AUXILIARY_MAX_SIZE, SourceFile, read_regular_file

_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/"})
_MAY_COPY_CONTEXT = re.compile(r"^\s*(?:COPY|ADD)\b[^\n]*\s(?:\./?|\*|\./\*)\s", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    negated: bool


def parse_dockerignore(text: str) -> list[_Pattern]:
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:].strip() if negated else line
        line = posixpath.normpath(line.lstrip("/")) if line.strip("/") else "."
        try:
            patterns.append(_Pattern(re.compile(_to_regex(line)), negated))
        except re.error:  # such as the range [z-a]; Docker refuses the file, so it excludes nothing
            continue
    return patterns


def _to_regex(pattern: str) -> str:
    out, index = ["^"], 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            index += 2
            if pattern.startswith("/", index):
                index += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                negated = body.startswith("!")
                out.append("[" + ("^" if negated else "") + _class_body(body[1:] if negated else body) + "]")
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out) + "$"


def _class_body(body: str) -> str:
    """A glob's character class as a regular expression's: ranges kept, everything else literal (so that
    ``[[]`` or ``[a&&b]`` mean what they say, without Python's warnings about nested sets)."""
    out: list[str] = []
    for index, char in enumerate(body):
        is_range = char == "-" and 0 < index < len(body) - 1 and body[index - 1] != "-"
        out.append("-" if is_range else re.escape(char))
    return "".join(out)


def is_excluded(patterns: list[_Pattern], path: str) -> bool:
    """Whether Docker leaves ``path`` (relative, posix) out of the context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        if any(pattern.regex.match(prefix) for prefix in prefixes):
            excluded = not pattern.negated
    return excluded


def _ignore_file(dockerfile: Path) -> Path | None:
    for candidate in (dockerfile.with_name(dockerfile.name + ".dockerignore"), dockerfile.parent / ".dockerignore"):
        if candidate.is_file():
            return candidate
    return None


def _present_secrets(context: Path) -> list[str]:
    """Top-level entries of the context that are secrets (a .env, keys) or a repository's history (.git)."""
    try:
        names = os.listdir(context)
    except OSError:
        return []
    present = []
    for name in sorted(names):
        lower = name.lower()
        env_file = lower == ".env" or (lower.startswith(".env.") and not lower.endswith(knowledge.ENV_DOCUMENTATION))
        if env_file or lower == ".git" or lower.endswith((".pem", ".key")) or lower.startswith("id_rsa"):
            present.append(name)
    return present


def check_build_contexts(files: Sequence[SourceFile], result: FileResult, selected: frozenset[str] | None) -> None:
    for file in files:
        try:
            text = read_regular_file(file.path).decode("utf-8", "replace")
        except OSError as error:
            result.notices.append(FileNotice(file.display_path, "error", f"cannot read: {error.strerror}"))
            continue
        if not _MAY_COPY_CONTEXT.search(text + "\n"):
            continue
        emit = Emitter(file.display_path, text.splitlines(), selected)
        if not emit.wants(SecretFileCopiedIntoImage):
            return  # the selection is the same for every file
        parsed = parse_dockerfile(text)
        copies = []
        for instruction in parsed.instructions:
            if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags:
                continue
            words = instruction.exec_form if instruction.exec_form is not None else split_words(instruction.rest)
            if words and len(words) >= 2 and _WHOLE_CONTEXT.intersection(words[:-1]):
                copies.append(instruction)
        if not copies:
            continue
        ignore_path = _ignore_file(file.path)
        present = _present_secrets(file.path.parent)
        if ignore_path is None:
            patterns: list[_Pattern] = []
            what = "there is no .dockerignore"
        else:
            try:
                text = read_regular_file(ignore_path, limit=AUXILIARY_MAX_SIZE).decode("utf-8", "replace")
                patterns = parse_dockerignore(text)
            except OSError as error:
                result.notices.append(FileNotice(str(ignore_path), "error", f"cannot read: {error.strerror}"))
                continue
            what = f"{ignore_path.name} does not exclude"
        missing = [label for label, samples in knowledge.DOCKERIGNORE_REQUIRED
                   if not any(is_excluded(patterns, sample) for sample in samples)]
        if not missing:
            continue
        exposed = [name for name in present if not is_excluded(patterns, name)]
        # With nothing secret in the context today, the missing exclusions are a precaution for files that may
        # appear later (a developer's .env): worth a hint, not a finding that something secret ships.
        severity, confidence = (Severity.HIGH, None) if exposed else (Severity.LOW, Confidence.LOW)
        for instruction in copies:
            detail = f"{what} {', '.join(missing)}" if ignore_path is not None else f"{what} (nothing excludes " \
                f"{', '.join(missing)})"
            found = f"; {', '.join(exposed[:3])} would be copied" if exposed else \
                "; none of these is in the context now"
            emit.add(SecretFileCopiedIntoImage, instruction.line,
                     f"`{instruction.keyword} {instruction.rest}` copies the whole build context and {detail}{found}",
                     severity=severity, confidence=confidence)
        result.findings.extend(emit.findings)
