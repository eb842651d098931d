"""The terminal report: findings grouped by file, each with its code frame, rule and fix."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.text import Text

from nodeward.findings import Finding, ScanResult, Severity
from nodeward.report.common import escape_controls, plural
from nodeward.sources.discover import is_version_control

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_QUIET_NOTICES = {"unused-suppression", "skipped", "ignored-advisory", "unused-ignore"}


def _frame(finding: Finding, columns: int) -> Text:
    """The flagged line with a caret under the flagged range, cut to ``columns`` around the range."""
    loc = finding.location
    raw = finding.snippet.expandtabs(1)
    line = escape_controls(raw)
    number = f"{loc.start_line:>5} | "
    # columns count characters of the raw line; an escape takes several on screen
    start = len(escape_controls(raw[: max(loc.start_column - 1, 0)]))
    end = len(escape_controls(raw[: loc.end_column - 1])) if loc.end_line == loc.start_line else len(line)
    end = max(start + 1, min(end, len(line)))
    room = max(columns - len(number), 20)
    if len(line) > room:  # a long line: the part around the flagged range, marked as cut with "…"
        first = max(0, min(start - 10, len(line) - room + 1) if end - start < room - 2 else start - 1)
        shown = line[first:first + room - 1]
        line = ("…" if first else "") + shown[1 if first else 0:] + ("…" if first + len(shown) < len(line) else "")
        start, end = start - first, min(end - first, len(line))
    frame = Text(number, style="dim")
    frame.append(line)
    frame.append("\n" + " " * (len(number) - 2) + "| ", style="dim")
    frame.append(" " * start + "^" * max(1, end - start), style="bold red")
    return frame


def text_console(stream: TextIO, *, color: bool) -> Console:
    """A console as wide as the terminal (else $COLUMNS, else 80). Without colour it writes plain text: no
    colour, bold, dim or underline escape at all (rich's own no_color keeps the styles)."""
    if color:
        return Console(file=stream, highlight=False, force_terminal=True, emoji=False)
    return Console(file=stream, highlight=False, color_system=None, force_terminal=False, emoji=False)


def _break_points(plain: str, width: int, indent: int) -> list[int]:
    """Offsets where ``plain`` breaks into lines of ``width`` (the first) and ``width - indent`` (the others):
    at the last space that fits, else (a long path or token) mid-word."""
    points: list[int] = []
    start, limit = 0, width
    while len(plain) - start > limit:
        cut = plain.rfind(" ", start + 1, start + limit + 1)
        if cut <= start:
            points.extend((start + limit, start + limit))
            start += limit
        else:
            points.extend((cut, cut + 1))  # the space becomes its own piece, dropped
            start = cut + 1
        limit = max(width - indent, 20)
    return points


def print_wrapped(console: Console, text: Text, indent: int) -> None:
    """``text`` wrapped to the console's width with continuation lines indented by ``indent`` spaces."""
    points = _break_points(text.plain, console.width, indent)
    if not points:
        console.print(text, soft_wrap=True)
        return
    pieces = [piece for piece in text.divide(points) if piece.plain.strip()]
    for number, piece in enumerate(pieces):
        console.print(Text(" " * indent) + piece if number else piece, soft_wrap=True)


def render_text(result: ScanResult, stream: TextIO, *, verbose: bool = False, color: bool = True) -> None:
    console = text_console(stream, color=color)
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
            print_wrapped(console, header, 6)
            console.print(_frame(finding, console.width), soft_wrap=True)
            cwe = ", ".join(f"CWE-{n}" for n in finding.cwe)
            details = f"      confidence: {finding.confidence.label}"
            if cwe:
                details += f" · {cwe}"
            console.print(Text(details, style="dim"))
            for step in finding.related:
                where = f"{step.location.path}:{step.location.start_line}"
                print_wrapped(console, Text(escape_controls(f"      see also {where}: {step.description}"),
                                            style="dim"), 8)
            print_wrapped(console, Text("      fix: ", style="green") + Text(escape_controls(finding.fix)), 11)
            console.print()
    notices = [n for n in result.notices if verbose or n.kind not in _QUIET_NOTICES]
    if notices:
        console.print(Text("Notices", style="bold"))
        for notice in notices:
            line = Text("  ") + Text(notice.kind, style="dim")
            if notice.path not in ("", "."):  # a notice about the scan as a whole names no place
                line.append(" " + escape_controls(f"{notice.path}:{notice.line}" if notice.line else notice.path))
            line.append(": " + escape_controls(notice.message))
            print_wrapped(console, line, 4)
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
    skipped = sum(1 for n in result.notices if n.kind == "skipped" and not is_version_control(n.message))
    if skipped:
        summary += f"; {plural(skipped, 'path')} skipped" + ("" if verbose else " (--verbose lists them)")
    ignored = sum(1 for n in result.notices if n.kind == "ignored-advisory")
    if ignored:
        summary += f"; {ignored} ignored {'advisory' if ignored == 1 else 'advisories'}" + (
            "" if verbose else " (--verbose lists them)")
    print_wrapped(console, Text(summary, style="bold"), 2)
