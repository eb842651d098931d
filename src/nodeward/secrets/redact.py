"""The only ways a secret value leaves the engine: redacted for people, hashed for machines, and masked
at the output boundary.

Every finding of the secrets scanner is built from these. And whatever a report would show around a
finding (another rule's snippet or code frame, a trace, a notice), every reporter's output passes
through ``SecretMasker`` first: every secret any detector recorded (``ScanResult.secrets``) is masked in
every string and, as a last check, in the written text, in the forms reports and source code write it.
No format shows a secret unless the user asked for it with ``--show-secrets``.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import html
import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import ahocorasick

from nodeward.findings import Finding, ScanResult, SecretSpan
from nodeward.secrets.filters import is_placeholder

#: Set by ``--show-secrets`` (through the environment, so that worker processes see it too).
SHOW_SECRETS_ENV = "NODEWARD_SHOW_SECRETS"


def show_secrets() -> bool:
    return os.environ.get(SHOW_SECRETS_ENV, "") == "1"


def redact(value: str, *, reveal: bool = False) -> str:
    """``ghp_*** (40 chars)``: the first 4 characters (fewer for short values) and the length."""
    if reveal:
        return value
    shown = 4 if len(value) >= 16 else len(value) // 4
    return f"{value[:shown]}*** ({len(value)} chars)"


def secret_digest(value: str) -> str:
    """A hash that identifies a secret without revealing it (baselines, history de-duplication)."""
    return hashlib.sha256(b"nodeward-secret\x1f" + value.encode("utf-8", "surrogatepass")).hexdigest()


def secret_fingerprint(rule_id: str, path: str, value: str) -> str:
    """A finding's identity: rule, file and the hashed secret; never the line number."""
    key = "\x1f".join((rule_id, path, secret_digest(value)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def redact_spans(line: str, spans: list[tuple[int, int]], *, reveal: bool = False, limit: int = 240) -> str:
    """``line`` with the character ranges ``spans`` redacted, cut to ``limit`` characters."""
    if not reveal:
        for start, end in sorted(spans, reverse=True):
            line = line[:start] + redact(line[start:end]) + line[end:]
    line = line.rstrip("\r\n")
    return line if len(line) <= limit else line[: limit - 3] + "..."


#: No run of this many characters of a secret is ever written (nor the whole of a shorter one).
SLICE = 12
MASK = "***"
#: Escapes a string literal in the scanned code may hold (`\n`, `\r\n`, `\"`, `\u0041`, `\x41`).
_SOURCE_ESCAPE = re.compile(r"""\\(u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[\\nrtbfv0"'`/])""")
_ESCAPED_CHARS = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
#: Escape sequences of the report formats (JSON, HTML/XML entities, terminal colours): masking keeps them whole.
_OUTPUT_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)|&#?[A-Za-z0-9]{1,10};|\x1b\[[0-9;?]*[A-Za-z]")
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _decode_escape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "ux":
        return chr(int(code[1:], 16))
    return _ESCAPED_CHARS.get(code, code)


def secret_forms(value: str) -> set[str]:
    """The ways ``value`` can be written: as found, with the escapes of a string literal undone (`\\n`,
    `\\r\\n`, `\\\\n`...), with its line breaks and spaces removed (a key body run together), and each
    of these as JSON, HTML/XML and script-safe JSON write it."""
    plain = {value}
    current = value
    for _ in range(2):  # `\\n` written as `\\\\n` (escaped twice) included
        decoded = _SOURCE_ESCAPE.sub(_decode_escape, current)
        if decoded == current:
            break
        plain.add(decoded)
        current = decoded
    plain |= {"".join(form.split()) for form in plain}
    forms = set(plain)
    for form in plain:
        as_json = json.dumps(form, ensure_ascii=False)[1:-1]
        forms |= {as_json, json.dumps(form)[1:-1], html.escape(form), html.escape(form, quote=False),
                  form.replace("\n", "&#10;"), "".join(_SCRIPT_ESCAPES.get(c, c) for c in as_json)}
    return {form for form in forms if form}


class SecretMasker:
    """Masks the recorded secrets in strings (``mask``), in a whole scan result (``mask_result``) and, as a
    final check, in a written report (``mask_output``, keeping the report's escape sequences intact)."""

    def __init__(self, secrets: Iterable[SecretSpan]) -> None:
        self._automaton = ahocorasick.Automaton()
        #: path -> lines wholly inside a secret that spans lines (a key body): shown as a mask entirely.
        self._inner_lines: dict[str, set[int]] = {}
        for span in secrets:
            if span.end_line > span.start_line + 1:
                self._inner_lines.setdefault(span.path, set()).update(range(span.start_line + 1, span.end_line))
            for form in secret_forms(span.value):
                if len(form) >= SLICE:
                    for start in range(len(form) - SLICE + 1):
                        self._automaton.add_word(form[start : start + SLICE], SLICE)
                else:  # a short secret: masked where it stands as a whole word, not inside longer ones
                    self._automaton.add_word(form, -len(form))
        self.empty = len(self._automaton) == 0
        if not self.empty:
            self._automaton.make_automaton()
        self._shortest = min((len(form) for form in self._automaton.keys()), default=0)  # noqa: SIM118
        self._masked_strings: dict[str, str] = {}  # titles, fixes, paths repeat in every finding

    def _intervals(self, text: str, *, whole_words: bool) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for end, length in self._automaton.iter(text):
            if length > 0:
                found.append((end - length + 1, end + 1))
                continue
            start = end + length + 1
            if whole_words and not (start > 0 and text[start - 1].isalnum()) \
                    and not (end + 1 < len(text) and text[end + 1].isalnum()):
                found.append((start, end + 1))
        found.sort()
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def mask(self, text: str) -> str:
        """``text`` with every secret, and every run of SLICE characters of one, replaced by ``***``."""
        if self.empty or len(text) < self._shortest:
            return text
        known = self._masked_strings.get(text)
        if known is not None:
            return known
        masked = text
        for _ in range(3):  # a mask next to what is left could in theory complete another slice
            intervals = self._intervals(masked, whole_words=True)
            if not intervals:
                break
            masked = _replace(masked, intervals, _whole)
        self._masked_strings[text] = masked
        return masked

    def mask_output(self, text: str) -> str:
        """A written report with any slice of a secret left in it masked (letters and digits become `*`)
        while JSON, XML and terminal escape sequences stay whole, so the document stays valid."""
        if self.empty:
            return text
        for _ in range(3):
            intervals = self._intervals(text, whole_words=False)
            if not intervals:
                return text
            text = _replace(text, intervals, _star)
        return _replace(text, self._intervals(text, whole_words=False), _whole)

    def mask_result(self, result: ScanResult) -> ScanResult:
        """A copy of ``result`` with the secrets masked in every string a reporter may show, and no secrets."""
        if self.empty:
            return dataclasses.replace(result, secrets=[])
        masked: ScanResult = self._masked(dataclasses.replace(result, secrets=[], findings=[], suppressed_findings=[]))
        masked.findings = [self._finding(f) for f in result.findings]
        masked.suppressed_findings = [self._finding(f) for f in result.suppressed_findings]
        return masked

    def _finding(self, finding: Finding) -> Finding:
        inner = self._inner_lines.get(finding.path)
        if inner:
            if finding.location.start_line in inner:
                finding = dataclasses.replace(finding, snippet=MASK)
            context = finding.context
            if context is not None:
                lines = tuple(MASK if number in inner else line
                              for number, line in enumerate(context.lines, start=context.start_line))
                finding = dataclasses.replace(finding, context=dataclasses.replace(context, lines=lines))
        masked: Finding = self._masked(finding)
        return masked

    def _masked(self, value: Any) -> Any:
        """``value`` with every string in it masked: strings, lists, tuples, dicts and dataclasses, deeply.
        What holds nothing to mask is returned as it is (most of a report: no copy made)."""
        kind: type = type(value)
        if kind is str:
            return self.mask(value)
        if kind in _ATOMIC or isinstance(value, enum.Enum):
            return value
        if kind is list or kind is tuple:
            items = [self._masked(item) for item in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else kind(items)
        if kind is dict:
            pairs = [(self._masked(key), self._masked(item)) for key, item in value.items()]
            same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True))
            return value if same else dict(pairs)
        changes = {}
        for name in _init_fields(kind):
            old = getattr(value, name)
            new = self._masked(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value


_ATOMIC = frozenset({int, float, bool, type(None), bytes})


@functools.cache
def _init_fields(kind: type) -> tuple[str, ...]:
    """The fields a dataclass is made from (none for other types)."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return tuple(f.name for f in dataclasses.fields(kind) if f.init)


def _replace(text: str, intervals: list[tuple[int, int]], by: Callable[[str, int, int], str]) -> str:
    """``text`` with each of the (sorted, disjoint) ``intervals`` replaced by ``by(text, start, end)``."""
    pieces: list[str] = []
    last = 0
    for start, end in intervals:
        pieces += [text[last:start], by(text, start, end)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _whole(text: str, start: int, end: int) -> str:
    return MASK


def _star(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with its letters and digits as `*`, except inside escape sequences."""
    kept: set[int] = set()
    for escape in _OUTPUT_ESCAPE.finditer(text, max(0, start - 10), min(len(text), end + 10)):
        kept.update(range(escape.start(), escape.end()))
    return "".join("*" if char.isalnum() and index not in kept else char
                   for index, char in enumerate(text[start:end], start))


def worth_masking(value: str) -> bool:
    """Whether a value a rule saw used as a secret is masked in reports: not when it is a placeholder or a
    default (`secret`, `postgres`) or a short number (`3000`), which would blank those words and numbers in
    every message instead."""
    return len(value) >= 4 and not is_placeholder(value) and not (value.isdigit() and len(value) < SLICE)


def output_masker(result: ScanResult) -> SecretMasker | None:
    """The masker for the reports of ``result``; None when it recorded no secret or ``--show-secrets`` is on."""
    if show_secrets() or not result.secrets:
        return None
    return SecretMasker(result.secrets)
