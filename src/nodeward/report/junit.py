"""JUnit XML for CI systems that show test reports: one failed test case per finding.

A clean scan is one passing test case, so the CI shows that nodeward ran. Characters XML cannot hold
(control characters from binary-ish files) are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from nodeward.findings import ScanResult
from nodeward.report.common import scanner_of, sorted_findings

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


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
        steps = "".join(f"\n  {s.location.path}:{s.location.start_line} {s.description}" for s in finding.trace)
        failure.text = _clean(
            f"{finding.path}:{loc.start_line}:{loc.start_column}\n{finding.snippet}\n"
            f"severity: {finding.severity.label}, confidence: {finding.confidence.label}"
            f"{', ' + cwe if cwe else ''}\nfix: {finding.fix}" + (f"\ntrace:{steps}" if steps else "")
        )
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
