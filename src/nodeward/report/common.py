"""What several reporters share: which scanner a finding comes from, counts, and plain-data conversions."""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from typing import Any

from nodeward.findings import Finding, ScanResult, Severity
from nodeward.rules.registry import find_rule

#: Rule category -> the scanner that reports it, for summaries ("code", "secrets", "dependencies", ...).
SCANNER_OF_CATEGORY = {"dependencies": "deps"}


def scanner_of(finding: Finding) -> str:
    rule = find_rule(finding.rule_id)
    category = rule.category if rule is not None else "code"
    return SCANNER_OF_CATEGORY.get(category, category)


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
