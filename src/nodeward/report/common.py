"""What several reporters share: which scanner a finding comes from, counts, and plain-data conversions."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections import Counter
from typing import Any

from nodeward.findings import Finding, ScanResult, Severity
from nodeward.rules.registry import find_rule

#: Rule category -> the scanner that reports it (a name `--scanners` accepts), for summaries and filters:
#: the practices rules run in the code scanner, over the app model it builds.
SCANNER_OF_CATEGORY = {"dependencies": "deps", "practices": "code"}


def scanner_of(finding: Finding) -> str:
    rule = find_rule(finding.rule_id)
    category = rule.category if rule is not None else "code"
    return SCANNER_OF_CATEGORY.get(category, category)


def plural(count: int, noun: str) -> str:
    """``1 path``, ``2 paths``: counts in sentences people read."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def sorted_findings(result: ScanResult, *, with_suppressed: bool = False) -> list[Finding]:
    findings = [*result.findings, *(result.suppressed_findings if with_suppressed else [])]
    return sorted(findings, key=Finding.sort_key)


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s.label: counts[s] for s in sorted(Severity, reverse=True)}


def scanner_counts(findings: list[Finding]) -> dict[str, int]:
    return dict(sorted(Counter(scanner_of(f) for f in findings).items()))


def plain(value: Any, depth: int = 0) -> Any:
    """Any value (dataclasses, enums, mappings, objects with `to_dict`) as JSON-ready plain data."""
    if depth > 12:
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else value.name.lower()
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict(), depth + 1)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def scorecard_of(result: ScanResult) -> Any:
    """The practices scorecard as plain data, or None: the reporters render it only when a scan made one."""
    scorecard = getattr(result, "scorecard", None)
    if scorecard is None:
        return None
    try:
        return plain(scorecard)
    except Exception:  # a reporter must never fail on data it only decorates the report with
        return None


# C0 and C1 controls but tab, DEL, line/paragraph separators and the bidirectional controls (which can
# make a terminal show text in another order than it is read: "Trojan Source"), and lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED_CONTROLS = {"\n": "\\n", "\r": "\\r"}


def _escaped_control(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_CONTROLS.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by the file system's surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``, ``\\n``, ``\\u202e``).

    For every output a person reads (terminal, Markdown, annotations, XML): a file name or a line of
    scanned code cannot then move the cursor, retitle the terminal, reorder what is shown or split a
    line of the report. Tabs are kept; backslashes are left alone, so the result is for reading only.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escaped_control, text)
