"""Inline suppressions: `// nodeward-ignore-next-line NW101 -- reason` and `// nodeward-ignore NW101`.

A suppression must name the rules it silences (a blanket one would hide future problems too). The
syntax does not depend on the comment style, so `#` comments of other file kinds work the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from nodeward.findings import FileNotice, Finding, Suppression

_DIRECTIVE = re.compile(
    r"nodeward-ignore(?P<next>-next-line)?(?![\w-])(?P<ids>[^\n]*?)(?:\s--\s?(?P<reason>.*?))?\s*(?:\*/.*)?$"
)
_RULE_KEY = re.compile(r"[A-Za-z][\w-]*")


@dataclass
class Directive:
    line: int  # the line the directive applies to (1-based)
    written_on: int
    rules: tuple[str, ...]
    used: set[str] = field(default_factory=set)
    reason: str = ""


def parse_directives(lines: list[str]) -> tuple[list[Directive], list[tuple[int, str]]]:
    """The suppressions in a file, and the malformed ones as (line, message)."""
    directives: list[Directive] = []
    problems: list[tuple[int, str]] = []
    for number, text in enumerate(lines, start=1):
        if "nodeward-ignore" not in text:
            continue
        match = _DIRECTIVE.search(text)
        if match is None:
            continue
        rules = tuple(_RULE_KEY.findall(match.group("ids") or ""))
        if not rules:
            problems.append((number, "suppression names no rule; write e.g. `nodeward-ignore NW101 -- reason`"))
            continue
        target = number + 1 if match.group("next") else number
        directives.append(Directive(target, number, rules, reason=(match.group("reason") or "").strip()))
    return directives, problems


def apply_suppressions(
    path: str, lines: list[str], findings: Iterable[Finding], active_rules: set[str] | None = None
) -> tuple[list[Finding], int, list[FileNotice]]:
    """Drop suppressed findings; return the kept ones, the count dropped and notices about directives."""
    kept, suppressed, notices = split_suppressed(path, lines, findings, active_rules)
    return kept, len(suppressed), notices


def split_suppressed(
    path: str, lines: list[str], findings: Iterable[Finding], active_rules: set[str] | None = None
) -> tuple[list[Finding], list[Finding], list[FileNotice]]:
    """The kept findings, the suppressed ones (marked with their `suppression`) and notices about directives."""
    findings = list(findings)
    if not any("nodeward-ignore" in line for line in lines):
        return findings, [], []
    directives, problems = parse_directives(lines)
    by_line: dict[int, list[Directive]] = {}
    for directive in directives:
        by_line.setdefault(directive.line, []).append(directive)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        matched: Directive | None = None
        for directive in by_line.get(finding.location.start_line, []):
            for key in directive.rules:
                if key.upper() == finding.rule_id or key == finding.rule_name:
                    directive.used.add(key)
                    matched = directive
        if matched is not None:
            suppressed.append(replace(finding, suppression=Suppression("inSource", matched.reason)))
        else:
            kept.append(finding)
    notices = [FileNotice(path, "invalid-suppression", message, line) for line, message in problems]
    for directive in directives:
        for key in directive.rules:
            if key in directive.used:
                continue
            if active_rules is not None and key.upper() not in active_rules and key not in active_rules:
                continue
            notices.append(
                FileNotice(path, "unused-suppression", f"suppression of {key} matched no finding", directive.written_on)
            )
    return kept, suppressed, notices
