"""The scorecard for reporters: plain data (JSON, SARIF run properties) and a terminal table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nodeward.findings import AppScorecard
from nodeward.report.common import escape_controls

STATUS_STYLE = {"in-place": "green", "partly": "yellow", "missing": "bold red", "not-applicable": "dim",
                "not-checked": "dim"}
MAX_ROUTES_SHOWN = 8
STATUS_LABEL = {"in-place": "in place", "partly": "partly", "missing": "missing", "not-applicable": "n/a",
                "not-checked": "not checked"}


def scorecard_to_data(scorecards: list[AppScorecard]) -> list[dict[str, Any]]:
    return [
        {
            "app": card.name, "framework": card.framework, "path": card.path, "line": card.line, "root": card.root,
            "summary": {status: sum(1 for p in card.practices if p.status == status) for status in STATUS_STYLE},
            "routes": [{"route": r.text, "path": r.path, "line": r.line} for r in card.routes],
            "practices": [
                {"practice": p.practice, "status": p.status, "reason": p.reason, "findings": list(p.findings),
                 "evidence": [{"path": e.path, "line": e.line, "text": e.text} for e in p.evidence]}
                for p in card.practices
            ],
        }
        for card in scorecards
    ]


#: A scorecard that differs from one already shown in at most this many practices is summarised in one
#: line (an app and its test copy in the same file, twenty labs built from one template).
NEAR_COPY_DIFFERENCES = 2


def _evidence_line(path: str, line: int, text: str) -> str:
    if line:
        return f"{path}:{line} {text}"
    return text if path in ("", ".") else f"{path} {text}"  # about a file or the tree as a whole


def _differences(shown: AppScorecard, card: AppScorecard) -> list[str] | None:
    """The practices whose status differs, described, or None when the two are not near copies."""
    before = {p.practice: p.status for p in shown.practices}
    if set(before) != {p.practice for p in card.practices}:
        return None
    changed = [f"{p.practice} {STATUS_LABEL[p.status]} (there {STATUS_LABEL[before[p.practice]]})"
               for p in card.practices if p.status != before[p.practice]]
    return changed if len(changed) <= NEAR_COPY_DIFFERENCES else None


def render_scorecard(console: Console, scorecards: list[AppScorecard], *, verbose: bool = False) -> None:
    shown: list[AppScorecard] = []
    copies: list[tuple[AppScorecard, AppScorecard, list[str]]] = []
    from nodeward.report.text import print_wrapped

    for card in scorecards:
        near = None if verbose else next(((s, d) for s in shown if (d := _differences(s, card)) is not None), None)
        if near is not None:
            copies.append((card, *near))
            continue
        shown.append(card)
        _render_table(console, card, verbose=verbose)
    if copies:
        console.print(Text(f"{len(copies)} more app{'s' if len(copies) != 1 else ''} with nearly the same "
                           "scorecard (--verbose shows each in full):", style="bold"))
        for card, like, changed in copies:
            same = f"  {card.name}: as {like.name}" + (", except " + "; ".join(changed) if changed else "")
            print_wrapped(console, Text(escape_controls(same)), 4)
        console.print()


def _render_table(console: Console, card: AppScorecard, *, verbose: bool) -> None:
    console.print(Text(escape_controls(f"Practices scorecard: {card.name}")))
    table = Table(show_lines=False)
    table.add_column("practice", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("evidence or reason", overflow="fold")
    for practice in card.practices:
        shown = practice.evidence if verbose else practice.evidence[:3]
        lines = [escape_controls(_evidence_line(e.path, e.line, e.text)) for e in shown]
        if len(practice.evidence) > len(shown):
            lines.append(f"… {len(practice.evidence) - len(shown)} more (--verbose)")
        detail = escape_controls(practice.reason) + ("\n" + "\n".join(lines) if lines else "")
        table.add_row(Text(practice.practice), Text(STATUS_LABEL[practice.status],
                                                    style=STATUS_STYLE[practice.status]), Text(detail))
    console.print(table)
    if card.routes:
        shown_routes = card.routes if verbose else card.routes[:MAX_ROUTES_SHOWN]
        more = f", … {len(card.routes) - len(shown_routes)} more (--verbose)" if len(card.routes) > len(
            shown_routes) else ""
        console.print(Text(escape_controls(f"{len(card.routes)} route{'s' if len(card.routes) != 1 else ''}: "
                                           + ", ".join(f"{r.text} ({r.path}:{r.line})" for r in shown_routes)
                                           + more)))
    counts = {status: sum(1 for p in card.practices if p.status == status) for status in STATUS_STYLE}
    console.print(Text(", ".join(f"{n} {STATUS_LABEL[s]}" for s, n in counts.items() if n)))
    console.print()
