"""JUnit XML for CI systems that show test reports: one failed test case per finding.

A clean scan is one passing test case, so the CI shows that nodeward ran. Control characters from the
scanned code and file names are shown as escapes (`\\x1b`): XML cannot hold most of them, and CI pages
show the text to people; the other characters XML cannot hold are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from nodeward.findings import ScanResult
from nodeward.report.common import escape_controls, scanner_of, sorted_findings

_NOT_XML = re.compile("[\ufffe\uffff]")  # the rest are controls, escaped first


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", escape_controls(text))


def render_junit(result: ScanResult, stream: TextIO) -> None:
    findings = sorted_findings(result)
    suites = ET.Element("testsuites", name="nodeward", tests=str(max(1, len(findings))), failures=str(len(findings)))
    suite = ET.SubElement(suites, "testsuite", name="nodeward", tests=str(max(1, len(findings))),
                          failures=str(len(findings)), errors="0", skipped="0")
    if not findings:
        ET.SubElement(suite, "testcase", classname="nodeward", name=f"scan: {result.files_scanned} files, no findings")
    for finding in findings:
        loc = finding.location
        case = ET.SubElement(suite, "testcase", classname=_clean(f"nodeward.{scanner_of(finding)}.{finding.rule_id}"),
                             name=_clean(f"{finding.path}:{loc.start_line}:{loc.start_column} {finding.rule_name}"),
                             file=_clean(finding.path), line=str(loc.start_line))
        failure = ET.SubElement(case, "failure", type=finding.severity.label,
                                message=_clean(f"{finding.rule_id} {finding.message}"))
        cwe = ", ".join(f"CWE-{n}" for n in finding.cwe)
        steps = "".join(f"\n  {_clean(s.location.path)}:{s.location.start_line} {_clean(s.description)}"
                        for s in finding.trace)
        failure.text = (
            f"{_clean(finding.path)}:{loc.start_line}:{loc.start_column}\n{_clean(finding.snippet)}\n"
            f"severity: {finding.severity.label}, confidence: {finding.confidence.label}"
            f"{', ' + cwe if cwe else ''}\nfix: {_clean(finding.fix)}" + (f"\ntrace:{steps}" if steps else "")
        )
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
