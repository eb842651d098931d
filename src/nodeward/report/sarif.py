"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers); rule metadata from the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from nodeward import __version__
from nodeward.docs import rule_doc_url
from nodeward.findings import Confidence, Finding, ScanResult, Severity
from nodeward.rules.base import Rule
from nodeward.rules.registry import all_rules

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/nodeward/nodeward"
ROOT_BASE_ID = "%SRCROOT%"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning maps security-severity to its levels: >= 9 critical, >= 7 high, >= 4 medium.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.docs()
    tags = ["security", *(f"external/cwe/cwe-{n}" for n in rule.cwe)]
    if rule.owasp:
        tags.append(f"owasp-{rule.owasp.lower()}")
    return {
        "id": rule.id,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": docs.summary or rule.title},
        "helpUri": rule_doc_url(rule.id),
        "help": {
            "text": f"{docs.summary}\n\nHow to fix: {rule.fix}",
            "markdown": f"# {rule.id} {rule.name}: {rule.title}\n\n{docs.markdown()}",
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": PRECISION[rule.confidence],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": "error" if rule.severity >= Severity.HIGH else "warning",
        },
    }


def _pascal(kebab: str) -> str:
    return "".join(part.capitalize() for part in kebab.split("-"))


def artifact_uri(path: str) -> str:
    """A relative path as an RFC 3986 URI reference (`%`, spaces, `<`, `#`... percent-encoded).

    Display paths already use `/`; a backslash is part of a file name (as in `\\xff` shown for a byte
    that is not UTF-8) and is percent-encoded, not taken for a separator.
    """
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def _physical_location(path: str, line: int, column: int, end_line: int, end_column: int,
                       snippet: str | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }
    if snippet:
        region["snippet"] = {"text": snippet}
    return {"artifactLocation": {"uri": artifact_uri(path), "uriBaseId": ROOT_BASE_ID}, "region": region}


def _context_region(finding: Finding) -> dict[str, Any] | None:
    context = finding.context
    if context is None or not context.lines:
        return None
    return {
        "startLine": context.start_line,
        "endLine": context.start_line + len(context.lines) - 1,
        "snippet": {"text": "\n".join(context.lines) + "\n"},
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": _physical_location(loc.path, loc.start_line, loc.start_column, loc.end_line,
                                                    loc.end_column, finding.snippet)}
        ],
        "partialFingerprints": {"nodewardFingerprint/v1": finding.fingerprint},
        "properties": {
            "confidence": finding.confidence.label,
            "severity": finding.severity.label,
            "security-severity": SECURITY_SEVERITY[finding.severity],
        },
    }
    context_region = _context_region(finding)
    if context_region is not None:
        result["locations"][0]["physicalLocation"]["contextRegion"] = context_region
    if finding.suppression is not None:
        suppression: dict[str, Any] = {"kind": finding.suppression.kind}
        if finding.suppression.justification:
            suppression["justification"] = finding.suppression.justification
        result["suppressions"] = [suppression]
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "message": {"text": step.description},
             "physicalLocation": _physical_location(step.location.path, step.location.start_line,
                                                    step.location.start_column, step.location.end_line,
                                                    step.location.end_column)}
            for number, step in enumerate(finding.related, start=1)
        ]
    if finding.trace:
        result["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {
                                "location": {
                                    "physicalLocation": _physical_location(
                                        step.location.path, step.location.start_line, step.location.start_column,
                                        step.location.end_line, step.location.end_column,
                                    ),
                                    "message": {"text": step.description},
                                }
                            }
                            for step in finding.trace
                        ]
                    }
                ]
            }
        ]
    return result


def result_to_sarif(result: ScanResult) -> dict[str, Any]:
    from nodeward.practices.render import scorecard_to_data

    rules = all_rules()
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    notifications = [
        {
            "level": "error" if notice.kind == "error" else "warning",
            "message": {"text": f"{notice.path}: {notice.message}"},
            **(
                {"locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(notice.path),
                                                                          "uriBaseId": ROOT_BASE_ID}}}]}
                if notice.path
                else {}
            ),
        }
        for notice in result.notices
        if notice.kind in ("partial-parse", "error", "encoding", "limit")
    ]
    root_uri = Path(result.root).resolve().as_uri().rstrip("/") + "/"
    properties: dict[str, Any] = {}
    if result.scorecard:
        properties["nodeward/scorecard"] = scorecard_to_data(result.scorecard)
    if result.hidden_in_test_code:  # findings of code rules in tests and examples, below --min-confidence
        properties["nodeward/hiddenInTestCode"] = result.hidden_in_test_code
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nodeward",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {ROOT_BASE_ID: {"uri": root_uri}},
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": [_result(f, rule_index) for f in sorted([*result.findings, *result.suppressed_findings],
                                                                   key=Finding.sort_key)],
                "columnKind": "unicodeCodePoints",
                **({"properties": properties} if properties else {}),
            }
        ],
    }


def render_sarif(result: ScanResult, stream: TextIO) -> None:
    stream.write(json.dumps(result_to_sarif(result), indent=2))  # one write: json.dump writes each token
    stream.write("\n")
