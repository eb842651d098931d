"""The HTML report: one self-contained file (inline CSS and JS, no network) to open in any browser.

The findings travel as JSON inside a `<script type="application/json">` block, with `<`, `>` and `&`
written as `\\u003c`... so that no text from the scanned code (a file name, a snippet, a message) can close
the block; the page's script puts every value into the page as text, never as markup. A Content Security
Policy allows only that one script (by its hash), so even a mistake could not run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from typing import Any, TextIO

from nodeward import __version__
from nodeward.docs import rule_doc_url
from nodeward.findings import Finding, ScanResult
from nodeward.report.common import scanner_counts, scanner_of, scorecard_of, severity_counts, sorted_findings
from nodeward.report.json import finding_to_dict
from nodeward.rules.registry import find_rule

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _template(name: str) -> str:
    return resources.files("nodeward.report").joinpath("templates", name).read_text(encoding="utf-8")


def script_safe_json(value: Any) -> str:
    """JSON that can sit inside a <script> element whatever the strings in it contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "".join(_JSON_ESCAPES.get(char, char) for char in text)


def _finding(finding: Finding) -> dict[str, Any]:
    item = finding_to_dict(finding)
    item["scanner"] = scanner_of(finding)
    item["context"] = ({"start_line": finding.context.start_line, "lines": list(finding.context.lines)}
                       if finding.context is not None else None)
    item["suppression"] = ({"kind": finding.suppression.kind, "justification": finding.suppression.justification}
                           if finding.suppression is not None else None)
    return item


def report_data(result: ScanResult) -> dict[str, Any]:
    findings = sorted(sorted_findings(result, with_suppressed=True), key=lambda f: (-f.severity, *f.sort_key()))
    reported = [f for f in findings if f.suppression is None]
    rules: dict[str, Any] = {}
    for finding in findings:
        rule = find_rule(finding.rule_id)
        if rule is not None and rule.id not in rules:
            rules[rule.id] = {"name": rule.name, "title": rule.title, "markdown": rule.docs().markdown(),
                              "cwe": [f"CWE-{n}" for n in rule.cwe], "owasp": rule.owasp_label(),
                              "url": rule_doc_url(rule.id)}
    return {
        "tool": {"name": "nodeward", "version": __version__},
        "root": result.root,
        "summary": {
            "files_scanned": result.files_scanned,
            "lines_scanned": result.lines_scanned,
            "findings": len(reported),
            "suppressed": result.suppressed,
            "baselined": result.baselined,
            "hidden_in_test_code": result.hidden_in_test_code,
            "by_severity": severity_counts(reported),
            "by_scanner": scanner_counts(reported),
        },
        "scorecard": scorecard_of(result),
        "rules": rules,
        "findings": [_finding(f) for f in findings],
        "notices": [{"path": n.path, "kind": n.kind, "message": n.message, "line": n.line} for n in result.notices],
    }


def render_html(result: ScanResult, stream: TextIO) -> None:
    script = _template("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    page = _template("report.html")
    # Replaced in this order so that nothing inserted is scanned for a later placeholder.
    head, _, tail = page.partition("@DATA@")
    head = head.replace("@SCRIPT_HASH@", digest)
    tail = tail.replace("@SCRIPT@", script)
    stream.write(head + script_safe_json(report_data(result)) + tail)
