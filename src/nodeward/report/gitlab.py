"""GitLab's SAST report format (security report schema 15.x) for merge-request widgets and dashboards."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, TextIO

from nodeward import __version__
from nodeward.docs import rule_doc_url
from nodeward.findings import Confidence, Finding, ScanResult, Severity
from nodeward.report.common import sorted_findings

SCHEMA_VERSION = "15.2.1"
SCHEMA_URL = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
              f"v{SCHEMA_VERSION}/dist/sast-report-format.json")
SEVERITY = {Severity.CRITICAL: "Critical", Severity.HIGH: "High", Severity.MEDIUM: "Medium", Severity.LOW: "Low",
            Severity.INFO: "Info"}
CONFIDENCE = {Confidence.HIGH: "High", Confidence.MEDIUM: "Medium", Confidence.LOW: "Low"}
_TOOL = {"id": "nodeward", "name": "nodeward", "version": __version__, "vendor": {"name": "nodeward"},
         "url": "https://github.com/nodeward/nodeward"}


def _vulnerability(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    identifiers: list[dict[str, Any]] = [
        {"type": "nodeward_rule_id", "name": f"nodeward {finding.rule_id}", "value": finding.rule_id,
         "url": rule_doc_url(finding.rule_id)},
    ]
    identifiers += [{"type": "cwe", "name": f"CWE-{n}", "value": str(n),
                     "url": f"https://cwe.mitre.org/data/definitions/{n}.html"} for n in finding.cwe]
    identity = f"{finding.fingerprint}\x1f{finding.rule_id}\x1f{finding.path}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
    vulnerability_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return {
        "id": vulnerability_id,
        "name": finding.title,
        "description": f"{finding.message}\n\n{finding.owasp}".strip(),
        "severity": SEVERITY[finding.severity],
        "confidence": CONFIDENCE[finding.confidence],
        "solution": finding.fix,
        "scanner": {"id": "nodeward", "name": "nodeward"},
        "location": {"file": finding.path, "start_line": loc.start_line, "end_line": max(loc.end_line, loc.start_line)},
        "identifiers": identifiers,
        "links": [{"name": f"{finding.rule_id} documentation", "url": rule_doc_url(finding.rule_id)}],
    }


def result_to_gitlab(result: ScanResult, now: datetime | None = None) -> dict[str, Any]:
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": _TOOL,
            "scanner": _TOOL,
            "type": "sast",
            "start_time": stamp,
            "end_time": stamp,
            "status": "success",
        },
        "vulnerabilities": [_vulnerability(f) for f in sorted_findings(result)],
    }


def render_gitlab(result: ScanResult, stream: TextIO) -> None:
    stream.write(json.dumps(result_to_gitlab(result), indent=2))  # one write: json.dump writes each token
    stream.write("\n")
