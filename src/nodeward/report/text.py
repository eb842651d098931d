"""The terminal report: findings grouped by file, each with its code frame, rule and fix."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from nodeward.findings import Finding, ScanResult, Severity
from nodeward.report.common import escape_controls

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_QUIET_NOTICES = {"unused-suppression", "skipped", "ignored-advisory", "unused-ignore"}


def _frame(finding: Finding) -> Text:
    """The flagged line with a caret under the flagged range."""
    loc = finding.location
    raw = finding.snippet.expandtabs(1)
    line = escape_controls(raw)
    number = f"{loc.start_line:>5} | "
    frame = Text(number, style="dim")
    frame.append(line)
    # columns count characters of the raw line; an escape takes several on screen
    start = len(escape_controls(raw[: max(loc.start_column - 1, 0)]))
    end = len(escape_controls(raw[: loc.end_column - 1])) if loc.end_line == loc.start_line else len(line)
    width = max(1, min(end, len(line)) - start)
    frame.append("\n" + " " * (len(number) - 2) + "| ", style="dim")
    frame.append(" " * start + "^" * width, style="bold red")
    return frame


def render_text(result: ScanResult, stream: TextIO, *, verbose: bool = False, color: bool = True) -> None:
    console = Console(file=stream, no_color=not color, highlight=False, soft_wrap=True,
                      force_terminal=color if color else None, width=None if color else 200)
    findings = sorted(result.findings, key=Finding.sort_key)
    for path, group in groupby(findings, key=lambda f: f.path):
        console.print(Text(escape_controls(path), style="bold underline"))
        for finding in group:
            loc = finding.location
            header = Text(f"  {loc.start_line}:{loc.start_column}  ")
            header.append(f"{finding.severity.label.upper():<8}", style=STYLE[finding.severity])
            header.append(f" {finding.rule_id} ", style="bold")
            header.append(f"{finding.rule_name}  ", style="dim")
            header.append(escape_controls(finding.message))
            console.print(header)
            console.print(_frame(finding))
            cwe = ", ".join(f"CWE-{n}" for n in finding.cwe)
            details = f"      confidence: {finding.confidence.label}"
            if cwe:
                details += f" · {cwe}"
            console.print(Text(details, style="dim"))
            for step in finding.related:
                where = f"{step.location.path}:{step.location.start_line}"
                console.print(Text(escape_controls(f"      see also {where}: {step.description}"), style="dim"))
            console.print(Text("      fix: ", style="green") + Text(escape_controls(finding.fix)))
            console.print()
    notices = [n for n in result.notices if verbose or n.kind not in _QUIET_NOTICES]
    if notices:
        console.print(Text("Notices", style="bold"))
        for notice in notices:
            where = escape_controls(f"{notice.path}:{notice.line}" if notice.line else notice.path)
            message = escape_controls(notice.message)
            console.print(f"  [dim]{escape(notice.kind)}[/dim] {escape(where)}: {escape(message)}")
        console.print()
    if result.scorecard:
        from nodeward.practices.render import render_scorecard

        render_scorecard(console, result.scorecard, verbose=verbose)
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    if parts:
        summary += f" ({', '.join(parts)})"
    summary += f" in {result.files_scanned} files, {result.lines_scanned:,} lines scanned"
    if result.suppressed:
        summary += f"; {result.suppressed} suppressed"
    if result.baselined:
        summary += f"; {result.baselined} in baseline"
    if result.hidden_in_test_code:
        summary += f"; {result.hidden_in_test_code} in test code hidden (--min-confidence low shows them)"
    skipped = sum(1 for n in result.notices if n.kind == "skipped")
    if skipped:
        summary += f"; {skipped} paths skipped" + ("" if verbose else " (--verbose lists them)")
    ignored = sum(1 for n in result.notices if n.kind == "ignored-advisory")
    if ignored:
        summary += f"; {ignored} ignored {'advisory' if ignored == 1 else 'advisories'}" + (
            "" if verbose else " (--verbose lists them)")
    console.print(Text(summary, style="bold"))
