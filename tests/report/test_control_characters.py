"""Control characters from file names and scanned code never reach a reader's screen raw.

Formats people read (terminal text, Markdown, GitHub annotations, JUnit shown by CI pages) show them as
escapes; machine formats (JSON, GitLab, SARIF) keep the exact value, escaped by their own syntax.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nodeward.report.common import escape_controls
from tests.conftest import run_cli

#: Clears the screen, retitles the terminal, rings the bell, reverses the text that follows, breaks a line.
FILE_NAME = "a\x1b[2J\x1b]0;pwned\x07\u202eb\nc\rd.js"
SHOWN_NAME = "a\\x1b[2J\\x1b]0;pwned\\x07\\u202eb\\nc\\rd.js"
CODE = 'const cp = require("child_process");\nmodule.exports = (x) => cp.exec("ls \x1b[31m\x9b1m" + x);\n'
#: Raw controls a report for people must not hold (line feeds between report lines are counted apart).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text\tand a tab", "plain text\tand a tab"),
    ("\x1b[2J", "\\x1b[2J"),
    ("a\nb\r\n", "a\\nb\\r\\n"),
    ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
    ("\u202eevil\u2066\u200f", "\\u202eevil\\u2066\\u200f"),
    ("line\u2028separator", "line\\u2028separator"),
    ("not-utf8-\udcff", "not-utf8-\\xff"),
    ("é ✓ 日本", "é ✓ 日本"),
])
def test_escape_controls(text: str, shown: str) -> None:
    assert escape_controls(text) == shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("controls")
    (root / FILE_NAME).write_text(CODE)
    return root


def scan(root: Path, fmt: str, *extra: str) -> str:
    done = run_cli("scan", str(root), "--scanners", "code", "-f", fmt, "--no-color", *extra)
    assert done.returncode == 1, done.stderr
    assert not RAW_CONTROL.search(done.stderr)
    return done.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_reports_for_people_show_controls_escaped_and_keep_one_line_per_item(hostile: Path, fmt: str) -> None:
    text = scan(hostile, fmt, "--verbose")
    assert not RAW_CONTROL.search(text)
    lines = text.splitlines()
    shown = SHOWN_NAME
    if fmt == "markdown":  # where Markdown's own escapes come on top
        shown = shown.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    with_name = [line for line in lines if shown in line]
    assert with_name, text
    if fmt == "github":
        annotation = [line for line in lines if line.startswith("::error ")]
        assert len(annotation) == 1 and "\\x1b[31m\\x9b1m" in annotation[0]
    if fmt == "text":
        assert lines[0] == SHOWN_NAME  # the file header, whole on its line
        frame = next(i for i, line in enumerate(lines) if 'cp.exec("ls \\x1b[31m\\x9b1m" + x)' in line)
        caret = lines[frame + 1]
        # the caret still starts under `cp.exec(` although escapes before it are wider than the raw text
        assert caret.index("^") == lines[frame].index("cp.exec(")


def test_junit_holds_the_escaped_text_as_well_formed_xml(hostile: Path) -> None:
    text = scan(hostile, "junit")
    case = ET.fromstring(text).find(".//testcase")
    assert case is not None
    assert case.attrib["file"] == SHOWN_NAME
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert "\\x1b[31m" in failure.text and not RAW_CONTROL.search(failure.text)


@pytest.mark.parametrize("fmt", ["json", "gitlab", "sarif"])
def test_machine_formats_keep_the_exact_name(hostile: Path, fmt: str) -> None:
    text = scan(hostile, fmt)
    assert not RAW_CONTROL.search(text)  # JSON escapes them itself
    document = json.loads(text)
    if fmt == "json":
        paths = [f["path"] for f in document["findings"]]
    elif fmt == "gitlab":
        paths = [v["location"]["file"] for v in document["vulnerabilities"]]
    else:
        paths = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                 for r in document["runs"][0]["results"]]
    assert paths, text
    if fmt == "sarif":
        assert all("%1B" in p.upper() for p in paths)  # a URI: percent-encoded
    else:
        assert paths == [FILE_NAME]


def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    raw = bytes(tmp_path / "x") + b"/caf\xe9.js"
    with open(raw, "wb") as handle:
        handle.write(CODE.encode())
    for fmt in ("text", "json", "html", "sarif", "junit", "gitlab", "github", "markdown"):
        done = run_cli("scan", str(tmp_path), "--scanners", "code", "-f", fmt, "--no-color")
        assert done.returncode == 1, (fmt, done.stderr)
        shown = "caf%5Cxe9.js" if fmt == "sarif" else "caf\\xe9.js"  # SARIF has URIs, percent-encoded
        assert shown in done.stdout.replace("\\\\", "\\"), fmt
