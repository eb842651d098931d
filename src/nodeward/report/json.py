"""The JSON report. Its layout is versioned by `schema_version` and documented in docs/json-format.md."""

from __future__ import annotations

import json
from typing import Any, TextIO

from nodeward import __version__
from nodeward.findings import Finding, ScanResult, Severity

SCHEMA_VERSION = 1


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "title": finding.title,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "message": finding.message,
        "path": loc.path,
        "start_line": loc.start_line,
        "start_column": loc.start_column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "snippet": finding.snippet,
        "cwe": [f"CWE-{number}" for number in finding.cwe],
        "owasp": finding.owasp,
        "fix": finding.fix,
        "fingerprint": finding.fingerprint,
        "trace": [
            {"path": step.location.path, "line": step.location.start_line, "column": step.location.start_column,
             "description": step.description}
            for step in finding.trace
        ],
        "related": [
            {"path": step.location.path, "line": step.location.start_line, "column": step.location.start_column,
             "description": step.description}
            for step in finding.related
        ],
        "suppression": (
            {"kind": finding.suppression.kind, "justification": finding.suppression.justification}
            if finding.suppression is not None else None
        ),
    }


def result_to_dict(result: ScanResult) -> dict[str, Any]:
    from nodeward.practices.render import scorecard_to_data

    by_severity = {severity.label: 0 for severity in Severity}
    for finding in result.findings:
        by_severity[finding.severity.label] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "nodeward", "version": __version__},
        "summary": {
            "files_scanned": result.files_scanned,
            "lines_scanned": result.lines_scanned,
            "findings": len(result.findings),
            "suppressed": result.suppressed,
            "baselined": result.baselined,
            "hidden_in_test_code": result.hidden_in_test_code,
            "by_severity": by_severity,
            "files_skipped": sum(1 for n in result.notices if n.kind == "skipped"),
        },
        "findings": [finding_to_dict(f) for f in sorted(result.findings, key=Finding.sort_key)],
        "suppressed_findings": [finding_to_dict(f) for f in sorted(result.suppressed_findings, key=Finding.sort_key)],
        "notices": [
            {"path": n.path, "kind": n.kind, "message": n.message, "line": n.line} for n in result.notices
        ],
        "scorecard": scorecard_to_data(result.scorecard),
    }


def render_json(result: ScanResult, stream: TextIO) -> None:
    stream.write(json.dumps(result_to_dict(result), indent=2))  # one write: json.dump writes each token
    stream.write("\n")
