"""A Markdown summary for pull-request comments: counts, then a table of findings, most severe first."""

from __future__ import annotations

from typing import TextIO

from nodeward.docs import rule_doc_url
from nodeward.findings import Finding, ScanResult, Severity
from nodeward.report.common import escape_controls, scanner_counts, scorecard_of, severity_counts, sorted_findings

MAX_ROWS = 100  # a PR comment has a size limit; the rest is counted
_ICON = {Severity.CRITICAL: "🟣", Severity.HIGH: "🔴", Severity.MEDIUM: "🟠", Severity.LOW: "🔵", Severity.INFO: "⚪"}


def _cell(text: str) -> str:
    """Table-cell text: no line breaks, no column breaks, no markup, HTML or control characters from the scanned
    code."""
    flat = " ".join(escape_controls(text).split())
    for char in "\\`*_[]<>|#!~":
        flat = flat.replace(char, "\\" + char)
    return flat


def render_markdown(result: ScanResult, stream: TextIO) -> None:
    findings = sorted(sorted_findings(result), key=lambda f: (-f.severity, *Finding.sort_key(f)))
    stream.write("## nodeward security report\n\n")
    if not findings:
        stream.write(f"No findings in {result.files_scanned} files ({result.lines_scanned:,} lines). ✅\n")
        return
    counts = severity_counts(findings)
    stream.write(f"**{len(findings)} finding{'s' if len(findings) != 1 else ''}** in {result.files_scanned} files "
                 f"({result.lines_scanned:,} lines)")
    notes = []
    if result.suppressed:
        notes.append(f"{result.suppressed} suppressed")
    if result.baselined:
        notes.append(f"{result.baselined} in the baseline")
    if result.hidden_in_test_code:
        notes.append(f"{result.hidden_in_test_code} in test code hidden")
    stream.write(f"; {', '.join(notes)}.\n\n" if notes else ".\n\n")
    stream.write("| severity | count |\n|---|---:|\n")
    for severity in sorted(Severity, reverse=True):
        if counts[severity.label]:
            stream.write(f"| {_ICON[severity]} {severity.label} | {counts[severity.label]} |\n")
    stream.write("\n" + " · ".join(f"{name}: {count}" for name, count in scanner_counts(findings).items()) + "\n\n")
    stream.write("| | rule | location | message |\n|---|---|---|---|\n")
    for finding in findings[:MAX_ROWS]:
        rule = f"[{finding.rule_id}]({rule_doc_url(finding.rule_id)}) {_cell(finding.rule_name)}"
        where = _cell(f"{finding.path}:{finding.line}")
        stream.write(f"| {_ICON[finding.severity]} | {rule} | {where} | {_cell(finding.message)} |\n")
    if len(findings) > MAX_ROWS:
        stream.write(f"\n…and {len(findings) - MAX_ROWS} more (see the full report).\n")
    _scorecard(result, stream)


def _scorecard(result: ScanResult, stream: TextIO) -> None:
    """One line per application: the practices that are missing or partly in place."""
    apps = scorecard_of(result)
    if not isinstance(apps, list) or not all(isinstance(a, dict) and isinstance(a.get("practices"), list)
                                             for a in apps):
        return
    lines = []
    for app in apps:
        gaps = {status: [str(p.get("practice")) for p in app["practices"] if p.get("status") == status]
                for status in ("missing", "partly")}
        parts = [f"{status}: {', '.join(names)}" for status, names in gaps.items() if names]
        name = _cell(f"{app.get('name', 'application')}")
        lines.append(f"- **{name}**: {'; '.join(parts) if parts else 'no practice missing'}")
    if lines:
        stream.write("\n### Practices\n\n" + "\n".join(lines) + "\n")
