"""One engine for every detector: a keyword prefilter, then regexes on the candidate lines only.

The prefilter is an Aho-Corasick automaton (pyahocorasick) over the lowercased text: one pass
finds every keyword of every detector, and the regexes then run only on the lines that hold one of
their keywords. Formats spanning lines (private keys) run on the whole text when their keyword is
present. Filters (placeholders, examples, UUIDs, hashes) and the entropy floor of each detector
decide what is reported. The engine returns plain matches; the scanner turns them into findings.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

import ahocorasick

from nodeward.findings import Confidence, Severity
from nodeward.secrets import detectors as data
from nodeward.secrets.detectors import DETECTORS, GENERIC_RULE, Detector
from nodeward.secrets.filters import (
    is_hex_digest,
    is_integrity_hash,
    is_placeholder,
    is_uuid,
    shannon_entropy,
)

GENERIC_ID = "generic-secret"
_GENERIC = -1  # the generic detector's slot in the prefilter

#: After a secret-like name: `= "value"`, `": "value"`, `: value`, `=value`, ` === "value"`.
_ASSIGNMENT_TAIL = re.compile(
    r"""["']?(?:\s*[?!]?:\s*[\w.<>\[\]| ]+?(?=\s*=[^=>]))?"""  # a TypeScript annotation: `key: string = `
    r"""\s*(?:===?|!==?|:=|=>|\?\?=|\|\|=|[:=])[ \t]*"""
    r"""(?:(?P<q>["'`])(?P<qvalue>[^"'`\r\n]{1,300}?)(?P=q)|(?P<uvalue>[^\s"'`;,#)\]}]{1,300}))"""
)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$@-")
_NAME_TAIL = re.compile(r"[\w.$@\-]*")
#: The name a value on a line is assigned to (for messages): the last key before the value.
_NAME_BEFORE = re.compile(r"""([A-Za-z_$][\w.$\-]*)["']?\s*(?:[:=]|=>)\s*[^:=]*$""")
_IDENTIFIER_PATH = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")
_WORDS_ONLY = re.compile(r"^[A-Za-z_.\-]+$")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
#: Letters, then what ends a sentence or a label: `Enter-your-password:`, `Wrong!`, `Forgot?`.
_SENTENCE_END = re.compile(r"[A-Za-z]{2,}[.?!:…]$")
_HASH_NAME = re.compile(r"sha|hash|commit|digest|checksum|etag|revision|integrity|fingerprint", re.IGNORECASE)
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*-----")
_PEM_BODY_CHARS = re.compile(r"[A-Za-z0-9+/=]")
#: What may sit between the lines of a key body besides line breaks: `\n`/`\r\n` escapes (also escaped
#: twice, `\\n`), the headers of encrypted and PGP keys.
_PEM_NOISE = re.compile(r"\\+[nr]|Proc-Type:[^\n\\]*|DEK-Info:[^\n\\]*|Version:[^\n\\]*|Comment:[^\n\\]*")
#: The glue of a key written as several strings: `'...' + '...'`, array items `'...', '...'`.
_PEM_GLUE = re.compile(r"""["'`]\s*[+,]\s*["'`]""")
_PEM_FOOTER = "-----END"
#: The glue of strings concatenated with `+` (across lines too).
_CONCATENATION = re.compile(r"""["'`]\s*\+\s*["'`]""")
#: A base64-encoded key: runs of base64 characters, separated by line breaks (real or escaped), spaces and
#: the glue of concatenated strings or array items.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_BASE64_GAP = re.compile(r"""(?:\\+[rn]|[ \t\r\n]|["'`]\s*[+,]\s*["'`])+""")
_BASE64_HEADER = "LS0tLS1CRUdJTi"  # `-----BEGIN` in base64
_MAX_BASE64_KEY = 64 * 1024  # characters: a 16384-bit RSA key is about 17,000


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """A secret found in a text: where it is, what it is, and the value (never printed by callers)."""

    detector: str
    rule: str
    label: str  # "GitHub personal access token (classic)"
    line: int  # 1-based
    start: int  # 0-based character columns within the line, end exclusive
    end: int
    value: str  # the secret: only for redaction and hashing
    name: str  # the key it is assigned to, or ""
    severity: Severity | None
    confidence: Confidence | None
    end_line: int = 0  # for values spanning lines (private keys); 0: same line


class SecretEngine:
    """Built once per process; ``scan`` is thread-safe and keeps no state between texts."""

    def __init__(self, detectors: Iterable[Detector] = DETECTORS, *, generic: bool = True) -> None:
        self.detectors = [d for d in detectors]
        self.line_detectors = [d for d in self.detectors if not d.multiline]
        self.multiline_detectors = [d for d in self.detectors if d.multiline]
        self.generic = generic
        by_keyword: dict[str, set[int]] = {}
        for index, detector in enumerate(self.detectors):
            for keyword in detector.keywords:
                by_keyword.setdefault(keyword, set()).add(index)
        if generic:
            for keyword in data.GENERIC_KEYWORDS:
                by_keyword.setdefault(keyword, set()).add(_GENERIC)
        self.automaton = ahocorasick.Automaton()
        for keyword, indices in by_keyword.items():
            self.automaton.add_word(keyword, frozenset(indices))
        self.automaton.make_automaton()

    def scan(
        self,
        text: str,
        *,
        code: bool = False,
        lockfile: bool = False,
        kind: str = "",
    ) -> list[SecretMatch]:
        """Every secret in ``text``. ``code``: JS/TS, where a generic value must be a string literal."""
        lower = _ascii_lower(text)
        candidates: dict[int, set[int]] = {}  # line start offset -> detector indices
        generic_hits: dict[int, list[int]] = {}  # line start offset -> offsets of secret-like words
        start = searched = 0  # the start of the line of the last hit, and how far line breaks were looked for
        for end, indices in self.automaton.iter(lower):
            # hits come in order: look for a line break only since the last hit (a long line holding many
            # keywords made this quadratic)
            newline = lower.rfind("\n", searched, end)
            if newline >= 0:
                start = newline + 1
            searched = end
            bucket = candidates.get(start)
            if bucket is None:
                bucket = candidates[start] = set()
            bucket.update(indices)
            if _GENERIC in indices:
                generic_hits.setdefault(start, []).append(end + 1)
        if not candidates:
            return []
        matches: list[SecretMatch] = []
        multiline: set[int] = set()
        number, previous = 1, 0
        for start in sorted(candidates):
            number += text.count("\n", previous, start)
            previous = start
            indices = candidates[start]
            stop = text.find("\n", start)
            stop = len(text) if stop < 0 else stop
            line = text[start:stop]
            if lockfile and ("integrity" in line or "sha512-" in line):
                continue
            found: list[SecretMatch] = []
            for index in sorted(i for i in indices if i != _GENERIC):
                detector = self.detectors[index]
                if detector.multiline:
                    multiline.add(index)
                    continue
                if (lockfile and not detector.in_lockfiles) or (kind and not _applies(detector, kind)):
                    continue
                found.extend(self._line_matches(detector, line, number))
            if start in generic_hits and self.generic and not lockfile:
                taken = [(m.start, m.end) for m in found]
                hits = [end - start for end in generic_hits[start]]
                found.extend(self._generic_matches(line, number, code, taken, hits))
            matches.extend(found)
        if multiline:
            line_index = _LineIndex(text)
            for index in sorted(multiline):
                matches.extend(self._multiline_matches(self.detectors[index], text, line_index))
        return matches

    # -- detectors ---------------------------------------------------------------------------------

    def _line_matches(self, detector: Detector, line: str, number: int) -> Iterable[SecretMatch]:
        for match in detector.compiled.finditer(line):
            group = "secret" if "secret" in detector.compiled.groupindex else 0
            value = match.group(group)
            if not _plausible(detector, value):
                continue
            start, end = match.span(group)
            yield SecretMatch(
                detector.id, detector.rule, detector.label, number, start, end, value,
                _name_before(line, match.start()),
                detector.severity, detector.confidence,
            )

    def _multiline_matches(self, detector: Detector, text: str, lines: _LineIndex) -> Iterable[SecretMatch]:
        if detector.check == "base64-pem":
            yield from self._base64_key_matches(detector, text, lines)
            return
        for match in detector.compiled.finditer(text):
            body_end = _pem_body_end(text, match.end()) if detector.check == "pem-body" else match.end()
            if body_end is None:
                continue
            yield self._spanning_match(detector, match.group("secret"), lines, match.start(), match.end(), body_end,
                                       text[match.end() : body_end])
        if detector.check == "pem-body" and "-----" in text and _CONCATENATION.search(text):
            yield from self._split_header_matches(detector, text, lines)

    def _spanning_match(self, detector: Detector, label: str, lines: _LineIndex, start: int, header_end: int,
                        end: int, value: str) -> SecretMatch:
        """A secret from offset ``start`` to ``end`` of the text, perhaps over several lines."""
        line, end_line = lines.line_of(start), lines.line_of(end)
        column = start - lines.start_of(line)
        # A key on one line (written with `\n` escapes) is flagged whole; one over lines by its header.
        end_column = end - lines.start_of(line) if end_line == line else column + (header_end - start)
        return SecretMatch(detector.id, detector.rule, label, line, column, end_column, value, "",
                           detector.severity, detector.confidence, end_line=end_line)

    def _split_header_matches(self, detector: Detector, text: str, lines: _LineIndex) -> Iterable[SecretMatch]:
        """Keys whose header is cut over concatenated strings (`'-----BEGIN ' + 'RSA PRIVATE KEY-----\\n' + ...`):
        found in the text with the glue of the concatenations taken out, and reported where they are written."""
        joined = _JoinedText(text)
        for match in detector.compiled.finditer(joined.text):
            start, header_end = joined.original(match.start()), joined.original_end(match.end())
            if header_end - start == match.end() - match.start():
                continue  # the header is written whole: found above
            body_end = _pem_body_end(joined.text, match.end())
            if body_end is None:
                continue
            end = joined.original_end(body_end)
            yield self._spanning_match(detector, match.group("secret"), lines, start, header_end, end,
                                       text[header_end:end])

    def _base64_key_matches(self, detector: Detector, text: str, lines: _LineIndex) -> Iterable[SecretMatch]:
        """Private keys written in base64: on one line, wrapped over lines (as `base64` writes them), or over
        concatenated strings; the value is the blob, without what separates its pieces."""
        resume = 0
        for match in detector.compiled.finditer(text):
            if match.start() < resume:
                continue
            pieces: list[tuple[int, int]] = []  # (start, end) of each run of base64 characters in the text
            position, length = match.start(), 0
            while length < _MAX_BASE64_KEY:
                run = _BASE64_RUN.match(text, position)
                if run is None or (pieces and run.group().startswith(_BASE64_HEADER)):
                    break  # (a blob that starts another key: each blob is then read once)
                pieces.append(run.span())
                length += run.end() - run.start()
                gap = None if run.group().endswith("=") else _BASE64_GAP.match(text, run.end())
                if gap is None:
                    break
                position = gap.end()
            blob = "".join(text[start:end] for start, end in pieces)
            found = _encoded_key(blob)
            if found is None:
                continue
            label, used = found
            end, taken = pieces[0][0], 0
            for start, stop in pieces:  # the text offset where the `used` characters of the blob end
                if taken + stop - start >= used:
                    end = start + used - taken
                    break
                taken += stop - start
            resume = end
            yield self._spanning_match(detector, f"{label} (base64-encoded)", lines, match.start(), pieces[0][1],
                                       end, blob[:used])

    def _generic_matches(
        self, line: str, number: int, code: bool, taken: list[tuple[int, int]], hits: list[int]
    ) -> Iterable[SecretMatch]:
        """Assignments whose name holds a secret-like word; ``hits`` are where such words end."""
        seen_names: set[int] = set()
        for hit in hits:
            name_start = hit
            while name_start > 0 and line[name_start - 1] in _NAME_CHARS:
                name_start -= 1
            if name_start in seen_names or (name_start and line[name_start - 1] in "?&"):
                continue  # seen, or a URL query parameter (badge and share links)
            seen_names.add(name_start)
            tail = _NAME_TAIL.match(line, hit)
            name_end = tail.end() if tail else hit
            name = line[name_start:name_end]
            match = _ASSIGNMENT_TAIL.match(line, name_end)
            if match is None or not name or not is_secret_name(name):
                continue
            group = "qvalue" if match.group("qvalue") is not None else "uvalue"
            if code and group == "uvalue":
                continue  # in code an unquoted value is an expression, not a literal
            value = match.group(group)
            start, end = match.span(group)
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if not is_generic_secret_value(value, name):
                continue
            yield SecretMatch(
                GENERIC_ID, GENERIC_RULE, "secret", number, start, end, value, name.rsplit(".", 1)[-1], None, None
            )


def _applies(detector: Detector, kind: str) -> bool:
    """Registry credentials of npm configs are reported in config files, not where code mentions them."""
    return not (detector.id == "npmrc-auth" and kind in ("javascript", "typescript", "tsx", "template"))


def _plausible(detector: Detector, value: str) -> bool:
    if is_placeholder(value, detector.examples):
        return False
    if not detector.uuid_is_secret and is_uuid(value):
        return False
    return not (detector.entropy and shannon_entropy(value) < detector.entropy)


def is_secret_name(name: str) -> bool:
    """True for names like `dbPassword`, `API_KEY`, `client-secret`; not `author`, `tokenUrl`, `LABEL_PASSWORD`."""
    last = name.rsplit(".", 1)[-1]
    squashed = last.lower().replace("_", "").replace("-", "").replace("$", "").replace("@", "")
    if not any(word in squashed for word in data.SECRET_NAME_WORDS):
        return False
    if any(part in squashed for part in data.NOT_SECRET_NAME_PARTS):
        return False
    if data.UI_TEXT_NAME_WORDS.intersection(_name_words(last)):
        return False  # FORGOT_PASSWORD, showPasswordAdvice, password_placeholder: the text of a label
    return not squashed.endswith(data.NOT_SECRET_NAME_SUFFIXES)


def _name_words(name: str) -> list[str]:
    """`SHOW_PASSWORD_ADVICE` -> show, password, advice; `forgotPasswordLink` -> forgot, password, link."""
    spaced = _CAMEL_BOUNDARY.sub(" ", name)
    return [word.lower() for word in re.split(r"[^A-Za-z]+", spaced) if word]


def is_generic_secret_value(value: str, name: str = "") -> bool:
    """The value side of the generic detector: long and random enough, and no known kind of non-secret."""
    if not data.GENERIC_MIN_LENGTH <= len(value) <= data.GENERIC_MAX_LENGTH:
        return False
    if is_natural_language(value) or _looks_like_words(value) or _IDENTIFIER_PATH.match(value):
        return False
    if value.startswith(("/", "./", "../", "~/", "http://", "https://", "file:", "data:", "#", "@", "$")):
        return False
    if any(c in value for c in "(){}<>[]"):
        return False
    if is_placeholder(value) or is_uuid(value) or is_integrity_hash(value):
        return False
    if is_hex_digest(value) and _HASH_NAME.search(name):
        return False
    return shannon_entropy(value) >= data.GENERIC_ENTROPY


def is_natural_language(value: str) -> bool:
    """Text for people, not a credential: words apart (`Forgot your password?`), letters of a script
    other than Latin ASCII (`パスワードを忘れた`, `Mot de passe oublié`), or a sentence's punctuation
    after letters (`Passwort¿`). Generated secrets are ASCII without spaces; a person's password with
    accented letters is the price of this rule.
    """
    if any(c.isspace() for c in value):
        return True
    if any(c.isalpha() and not c.isascii() for c in value):
        return True
    return bool(_SENTENCE_END.search(value))


def _looks_like_words(value: str) -> bool:
    """Letters only, with few case changes: `development`, `ProductionSecretKey`, `MY_APP_TOKEN`."""
    if not _WORDS_ONLY.match(value):
        return False
    changes = sum(1 for a, b in pairwise(value) if a.isupper() != b.isupper() and b.isalpha())
    return changes <= 2 + len(value) // 8


def _name_before(line: str, start: int) -> str:
    match = _NAME_BEFORE.search(line[:start])
    return match.group(1).rsplit(".", 1)[-1] if match else ""


def secret_values(match: SecretMatch) -> tuple[str, ...]:
    """What of a match no output may show: its value; for a private key the body (not the header and
    footer, whose words are in every message about keys), as written and as its base64 characters alone."""
    if match.rule != data.PRIVATE_KEY_RULE or _PEM_FOOTER not in match.value:
        return (match.value,)
    written = match.value[: match.value.rfind(_PEM_FOOTER)]
    return written, "".join(_PEM_BODY_CHARS.findall(_key_body(written)))


def _key_body(written: str) -> str:
    """A key body as written in a file, without escapes, extra headers and the glue of string concatenation."""
    return _PEM_GLUE.sub("", _PEM_NOISE.sub("", written))


def _encoded_key(blob: str) -> tuple[str, int] | None:
    """The kind of private key (`RSA PRIVATE KEY`) a base64 blob starts with, and how many characters of the
    blob encode it up to its footer; None when it is no key. What follows the key in the blob is ignored."""
    usable = blob[: len(blob) - len(blob) % 4]
    try:
        decoded = base64.b64decode(usable).decode("latin-1")
    except (binascii.Error, ValueError):
        return None
    header = data.DETECTORS_BY_ID["private-key"].compiled.match(decoded)
    end = None if header is None else _pem_body_end(decoded, header.end())
    if header is None or end is None:
        return None
    return header.group("secret"), min(len(blob), -(-end // 3) * 4)


class _JoinedText:
    """A text with the glue of string concatenations (`' + '`) taken out, and the way back to its offsets."""

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        self.starts: list[int] = []  # where each kept piece starts in the joined text
        self.origins: list[int] = []  # and in the original
        last = length = 0
        for glue in _CONCATENATION.finditer(text):
            self.starts.append(length)
            self.origins.append(last)
            pieces.append(text[last : glue.start()])
            length += glue.start() - last
            last = glue.end()
        self.starts.append(length)
        self.origins.append(last)
        pieces.append(text[last:])
        self.text = "".join(pieces)

    def original(self, offset: int) -> int:
        piece = bisect_right(self.starts, offset) - 1
        return self.origins[piece] + offset - self.starts[piece]

    def original_end(self, offset: int) -> int:
        """An end offset (exclusive) mapped back: the end of the piece its last character is in."""
        return self.original(offset - 1) + 1 if offset > 0 else 0


def _pem_body_end(text: str, header_end: int) -> int | None:
    """Where the body of a private key block ends, or None when no real body follows the header."""
    end = _PEM_END.search(text, header_end, header_end + 20000)
    if end is None:
        return None
    body = _key_body(text[header_end : end.start()])
    if "..." in body or "xxxx" in body.lower() or "-----BEGIN" in body or any(c in body for c in "\"`'();{}"):
        return None  # a placeholder, or code between a header and some later END line
    if len(_PEM_BODY_CHARS.findall(body)) < 64:
        return None
    return end.end()


def _ascii_lower(text: str) -> str:
    """``text`` lowercased with one character per character (keywords are ASCII; offsets must hold)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return text.encode("ascii", "replace").decode("ascii").lower()


class _LineIndex:
    """Line numbers of offsets, computed on first use (most texts have no candidate at all)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def _build(self) -> list[int]:
        if self.starts is None:
            self.starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return self.starts

    def line_of(self, offset: int) -> int:
        return bisect_right(self._build(), offset)

    def start_of(self, line: int) -> int:
        return self._build()[line - 1]
