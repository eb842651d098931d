"""junit, gitlab, github and markdown reports: well-formed, complete, and safe with hostile input."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from nodeward.report.github import escape_data
from tests.conftest import run_cli
from tests.report.project import PAYLOAD, build_project

# GitLab publishes its security report schemas only on gitlab.com (no registry package ships them), so
# this is the part of the SAST schema 15.x that GitLab's parser requires, written down from its docs.
GITLAB_SAST_REQUIRED = {
    "type": "object",
    "required": ["version", "vulnerabilities", "scan"],
    "properties": {
        "version": {"type": "string", "pattern": r"^15\.\d+\.\d+$"},
        "scan": {
            "type": "object",
            "required": ["analyzer", "scanner", "type", "start_time", "end_time", "status"],
            "properties": {
                "analyzer": {"$ref": "#/$defs/tool"},
                "scanner": {"$ref": "#/$defs/tool"},
                "type": {"const": "sast"},
                "start_time": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
                "end_time": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
                "status": {"enum": ["success", "failure"]},
            },
        },
        "vulnerabilities": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "identifiers", "location"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "name": {"type": "string", "maxLength": 255},
                    "description": {"type": "string", "maxLength": 1048576},
                    "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
                    "confidence": {"enum": ["Ignore", "Unknown", "Experimental", "Low", "Medium", "High",
                                            "Confirmed"]},
                    "identifiers": {
                        "type": "array", "minItems": 1,
                        "items": {"type": "object", "required": ["type", "name", "value"],
                                  "properties": {"type": {"type": "string", "minLength": 1},
                                                 "name": {"type": "string", "minLength": 1},
                                                 "value": {"type": "string", "minLength": 1}}},
                    },
                    "location": {"type": "object", "required": ["file"],
                                 "properties": {"file": {"type": "string", "minLength": 1},
                                                "start_line": {"type": "integer", "minimum": 1},
                                                "end_line": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
    "$defs": {
        "tool": {"type": "object", "required": ["id", "name", "version", "vendor"],
                 "properties": {"vendor": {"type": "object", "required": ["name"]}}},
    },
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("formats") / "project")


def report(project: Path, fmt: str, *extra: str) -> str:
    done = run_cli("scan", str(project), "--format", fmt, *extra)
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_gitlab_report_has_the_fields_gitlabs_sast_schema_requires(project: Path) -> None:
    document: dict[str, Any] = json.loads(report(project, "gitlab"))
    jsonschema.validate(document, GITLAB_SAST_REQUIRED)
    vulnerabilities = document["vulnerabilities"]
    ids = [v["id"] for v in vulnerabilities]
    assert len(ids) == len(set(ids))
    exec_finding = next(v for v in vulnerabilities if v["location"]["file"] == "app.js"
                        and v["identifiers"][0]["value"] == "NW101")
    assert exec_finding["location"]["start_line"] == 7
    assert {"type": "cwe", "name": "CWE-78", "value": "78"}.items() <= exec_finding["identifiers"][1].items()
    assert ids == [v["id"] for v in json.loads(report(project, "gitlab"))["vulnerabilities"]]  # stable


def test_junit_report_is_xml_with_one_failed_case_per_finding(project: Path) -> None:
    text = report(project, "junit")
    root = ET.fromstring(text)
    cases = root.findall(".//testcase")
    json_findings = json.loads(report(project, "json"))["findings"]
    assert len(cases) == len(json_findings) == int(root.attrib["failures"])
    hostile = [c for c in cases if PAYLOAD[:9] in c.attrib["file"]]
    assert hostile and hostile[0].find("failure") is not None  # the payload is data, escaped by the XML writer


def test_junit_report_of_a_clean_scan_is_one_passing_case(tmp_path: Path) -> None:
    (tmp_path / "ok.js").write_text("console.log(1);\n")
    done = run_cli("scan", str(tmp_path), "--format", "junit", "--scanners", "code")
    assert done.returncode == 0
    root = ET.fromstring(done.stdout)
    assert root.attrib["failures"] == "0" and len(root.findall(".//testcase")) == 1


def test_github_annotations_point_at_the_finding_and_cannot_inject_commands(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "a,b:c.js").write_text('const cp = require("child_process");\n'
                                      'module.exports = (x) => cp.exec(`ls ${x}\n::error::injected`);\n')
    done = run_cli("scan", str(project), "--format", "github", "--scanners", "code")
    lines = done.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 1, lines  # the newline in the message did not start a command of its own
    assert annotations[0].startswith("::error file=a%2Cb%3Ac.js,line=2,col=")
    assert "::error::injected" in annotations[0]  # inside the message, where it is only text
    assert escape_data("50%\n::error::x\r") == "50%25%0A::error::x%0D"
    assert lines[-1].startswith("nodeward: 1 findings (1 high)")


def test_markdown_summary_escapes_table_breaking_and_html_text(project: Path) -> None:
    text = report(project, "markdown")
    assert text.startswith("## nodeward security report")
    assert "<script>" not in text and "</script>" not in text
    table = [line for line in text.splitlines() if line.startswith("| ") and "NW" in line]
    assert table and all(line.count(" | ") - line.count("\\|") >= 3 for line in table)
    assert re.search(r"\| 🔴 high \| \d+ \|", text)
