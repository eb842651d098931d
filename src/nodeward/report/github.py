"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

Values are escaped as the runner expects (`%`, CR and LF in messages; also `:` and `,` in properties),
so a file name or a message from the scanned code cannot start a workflow command of its own; control
characters from the scanned code are shown as escapes (`\\x1b`), so none reaches the job's log raw.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from nodeward.findings import ScanResult, Severity
from nodeward.report.common import escape_controls, sorted_findings

COMMAND = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "warning",
           Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message_text(text: str) -> str:
    return escape_data(escape_controls(text))


def render_github(result: ScanResult, stream: TextIO) -> None:
    findings = sorted_findings(result)
    for finding in findings:
        loc = finding.location
        path = escape_property(escape_controls(finding.path))
        properties = [f"file={path}", f"line={loc.start_line}", f"col={loc.start_column}"]
        if loc.end_line >= loc.start_line:
            properties.append(f"endLine={loc.end_line}")
        if loc.end_line == loc.start_line and loc.end_column > loc.start_column:
            properties.append(f"endColumn={loc.end_column}")
        properties.append(f"title={escape_property(f'{finding.rule_id} {finding.title} ({finding.severity.label})')}")
        message = f"{_message_text(finding.message)}%0AFix: {_message_text(finding.fix)}"
        stream.write(f"::{COMMAND[finding.severity]} {','.join(properties)}::{message}\n")
    counts = Counter(f.severity.label for f in findings)
    parts = ", ".join(f"{counts[s.label]} {s.label}" for s in sorted(Severity, reverse=True) if counts[s.label])
    stream.write(f"nodeward: {len(findings)} findings{f' ({parts})' if parts else ''} in "
                 f"{result.files_scanned} files\n")
