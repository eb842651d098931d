"""The one result type every scanner produces, and the small value types it is made of."""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace


class Severity(enum.IntEnum):
    """How much damage the problem allows when it is exploitable."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


class Confidence(enum.IntEnum):
    """How sure the rule is that the code it points at really has the problem."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class Location:
    """A range in a file; lines and columns are 1-based, the end column is exclusive."""

    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of the way data took to reach a sink (used by taint rules)."""

    location: Location
    description: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is not reported: an inline directive ("inSource") or a baseline entry ("external")."""

    kind: str  # SARIF's suppression kinds: "inSource", "external"
    justification: str = ""


@dataclass(frozen=True, slots=True)
class CodeContext:
    """The lines around a finding (for code frames); `start_line` is the number of `lines[0]`."""

    start_line: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True, repr=False)
class SecretSpan:
    """A secret a detector found, and where: the reporters mask its value in everything they write.

    The value travels from the scanners to the output boundary only (nodeward.secrets.redact.SecretMasker);
    no report shows it, and its repr names the place, never the value.
    """

    path: str
    start_line: int
    end_line: int
    value: str

    def __repr__(self) -> str:
        return f"SecretSpan({self.path}:{self.start_line}-{self.end_line}, {len(self.value)} characters)"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by any scanner, ready for suppression, baselines and reporters."""

    rule_id: str
    rule_name: str
    title: str
    severity: Severity
    confidence: Confidence
    message: str
    location: Location
    snippet: str
    cwe: tuple[int, ...]
    owasp: str
    fix: str
    trace: tuple[TraceStep, ...] = ()
    fingerprint: str = ""
    #: Other places a reviewer should see, each with why (SARIF relatedLocations): the package.json line
    #: declaring the direct dependency that brings in a vulnerable package.
    related: tuple[TraceStep, ...] = ()
    #: Set on findings kept for `--include-suppressed` reports; reporters show the others only.
    suppression: Suppression | None = None
    #: Lines around the finding, filled in where the file's text is at hand (not for secrets).
    context: CodeContext | None = None
    #: A code rule's finding in tests or examples: its confidence was lowered and its message says so.
    in_test_code: bool = False

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.start_line

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.start_line, self.location.start_column, self.rule_id)


_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")


def shorten(text: str, limit: int = 40) -> str:
    """Code quoted in a message: whitespace folded, cut with an ellipsis past `limit` characters."""
    words: list[str] = []
    length = -1
    for word in _WORD.finditer(text):  # only as far as needed: the text may be a whole file
        words.append(word.group())
        length += len(words[-1]) + 1
        if length > limit:
            break
    folded = " ".join(words)
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"
CONTEXT_LINES = 2  # lines shown before and after the flagged ones
_CONTEXT_MAX_FLAGGED = 8
_CONTEXT_MAX_WIDTH = 400
#: Rule categories whose findings get no surrounding lines: a secret's neighbours may be secrets too.
NO_CONTEXT_CATEGORIES = frozenset({"secrets"})


def with_context(findings: list[Finding], lines: list[str]) -> list[Finding]:
    """The findings with the lines around them (`lines` is the file's text split into lines)."""
    from nodeward.rules.registry import find_rule  # the registry imports rules, which import this module

    result = []
    for finding in findings:
        rule = find_rule(finding.rule_id)
        loc = finding.location
        if finding.context is not None or (rule is not None and rule.category in NO_CONTEXT_CATEGORIES) or not (
            1 <= loc.start_line <= len(lines)
        ):
            result.append(finding)
            continue
        first = max(1, loc.start_line - CONTEXT_LINES)
        last = min(len(lines), min(loc.end_line, loc.start_line + _CONTEXT_MAX_FLAGGED - 1) + CONTEXT_LINES)
        window = tuple(line[:_CONTEXT_MAX_WIDTH] for line in lines[first - 1 : last])
        result.append(replace(finding, context=CodeContext(first, window)))
    return result


def assign_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Give each finding an identity that survives the code moving to other lines.

    The identity is the rule, the file and the whitespace-normalised text of the flagged line; when
    the same text is flagged more than once in a file, the occurrence number tells them apart. A
    fingerprint a scanner already set (the secrets scanner hashes the secret) is kept.
    """
    seen: dict[tuple[str, str, str], int] = {}
    result = []
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.fingerprint:  # set by a scanner that knows a better identity (a hashed secret)
            result.append(finding)
            continue
        first_line = finding.snippet.splitlines()[0] if finding.snippet else ""
        normalised = _WHITESPACE.sub(" ", first_line).strip()
        key = (finding.rule_id, finding.location.path, normalised)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256("\x1f".join((*key, str(occurrence))).encode("utf-8")).hexdigest()
        result.append(replace(finding, fingerprint=digest[:32]))
    return result


#: The kind of notice for analysis that a budget or a limit cut short (time, nesting depth, cross-file work).
LIMIT_NOTICE = "limit"


@dataclass(slots=True)
class FileNotice:
    """Something the user should know about a file that was skipped or only partly analysed."""

    path: str
    kind: str  # "skipped", "partial-parse", "error", "unused-suppression", "encoding", "limit"
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class PracticeEvidence:
    """Where the scorecard saw a practice applied or broken (a limiter, a hashing call, a finding)."""

    path: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class PracticeResult:
    """One line of a scorecard: status is in-place, partly, missing, not-applicable or not-checked."""

    practice: str
    status: str
    reason: str
    evidence: tuple[PracticeEvidence, ...] = ()
    findings: tuple[str, ...] = ()  # ids of the rules whose findings count against the practice


@dataclass(frozen=True, slots=True)
class AppScorecard:
    """The practices of one application found in the tree."""

    name: str
    framework: str
    path: str
    line: int
    root: str  # the package folder the app belongs to ("" for the scan root)
    practices: tuple[PracticeResult, ...] = ()
    routes: tuple[PracticeEvidence, ...] = ()  # every route of the app: where it is registered, "GET /path"


@dataclass(slots=True)
class ScanResult:
    """Everything one scan produced, handed from the scanners to the reporters."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[FileNotice] = field(default_factory=list)
    files_scanned: int = 0
    lines_scanned: int = 0
    suppressed: int = 0
    root: str = "."
    #: The suppressed findings themselves (marked with their `suppression`), for `--include-suppressed`.
    suppressed_findings: list[Finding] = field(default_factory=list)
    baselined: int = 0  # findings left out because the baseline knows them (they are in suppressed_findings)
    #: Findings of code rules in tests and examples, lowered to low confidence and so below --min-confidence.
    hidden_in_test_code: int = 0
    #: One practices scorecard per application found in the tree (code scanner).
    scorecard: list[AppScorecard] = field(default_factory=list)
    #: Every secret any detector found: masked by the reporters wherever it would appear, never shown.
    secrets: list[SecretSpan] = field(default_factory=list)
