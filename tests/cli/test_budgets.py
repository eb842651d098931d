"""Budgets, not hangs: a file that takes too long, or that nests deeper than the analysis follows, is
reported with a notice, and the rest of the scan (the findings of the other files) goes on."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodeward.findings import FileNotice
from nodeward.scan import ScanOptions, run_scan
from nodeward.scanners import FileResult
from nodeward.scanners.code import CodeScanner
from nodeward.sources.discover import SourceFile
from tests.conftest import run_cli

VULNERABLE = (
    "const cp = require('child_process');\n"
    "require('http').createServer((req, res) => {\n"
    "  cp.exec('ls ' + req.url);\n"
    "});\n"
)


def write_project(root: Path, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ok.js").write_text(VULNERABLE)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def limit_notices(notices: list[FileNotice] | list[dict[str, object]], path: str) -> list[str]:
    return [str(n["message"] if isinstance(n, dict) else n.message) for n in notices
            if (n["path"] if isinstance(n, dict) else n.path) == path
            and (n["kind"] if isinstance(n, dict) else n.kind) == "limit"]


@pytest.fixture
def stuck_in_c(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The code scanner, in the workers (forked from this process), never returns on `stuck.js`: it is
    inside a catastrophic regular expression match, a C call that no cooperative check could interrupt."""
    original = CodeScanner.scan_file

    def scan_file(self: CodeScanner, file: SourceFile, data: bytes, text: str) -> FileResult:
        if file.display_path == "stuck.js":
            re.match(r"(a+)+$", "a" * 64 + "!")
        return original(self, file, data, text)

    monkeypatch.setattr(CodeScanner, "scan_file", scan_file)
    yield


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stuck_file_is_stopped_at_its_budget_and_the_scan_goes_on(tmp_path: Path, stuck_in_c: None,
                                                                   jobs: int) -> None:
    extra = {f"plain{n}.js": f"module.exports = {n};\n" for n in range(8)}  # enough files for several workers
    root = write_project(tmp_path / "app", **{"stuck.js": "const x = 1;\n"}, **extra)
    outcome = run_scan([root], ScanOptions(jobs=jobs, file_timeout=1.0))
    result = outcome.result
    assert [f.rule_id for f in result.findings if f.path == "ok.js"] == ["NW101"]
    (message,) = limit_notices(result.notices, "stuck.js")
    assert message.startswith("analysis stopped: time budget of 1 s exceeded")
    assert not any(n.kind in ("limit", "error") for n in result.notices if n.path != "stuck.js")


def test_a_file_over_the_time_budget_is_reported_by_the_cli(tmp_path: Path) -> None:
    # About 60,000 lines of request handling: seconds of analysis, far more than a budget of 0.5 s.
    handler = "app.get('/a{n}', (req, res) => {{ const v{n} = req.query.v + {n}; res.send(String(v{n})); }});\n"
    slow = "const app = require('express')();\n" + "".join(handler.format(n=n) for n in range(60_000))
    root = write_project(tmp_path / "app", **{"slow.js": slow})
    done = run_cli("scan", str(root), "--format", "json", "--file-timeout", "0.5", "--max-file-size", "65536",
                   "--no-config")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["rule_id"] for f in report["findings"] if f["path"] == "ok.js"] == ["NW101"]
    (message,) = limit_notices(report["notices"], "slow.js")
    assert message.startswith("analysis stopped: time budget of 0.5 s exceeded")
    assert "Traceback" not in done.stderr


def test_a_scan_whose_only_file_ran_out_of_time_says_so(tmp_path: Path) -> None:
    handler = "app.get('/a{n}', (req, res) => {{ res.send(String(req.query.v + {n})); }});\n"
    slow = "const app = require('express')();\n" + "".join(handler.format(n=n) for n in range(60_000))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "slow.js").write_text(slow)
    done = run_cli("scan", str(tmp_path / "app"), "--file-timeout", "0.5", "--max-file-size", "65536", "--no-config")
    assert "analysis of 1 file stopped at a limit" in " ".join(done.stderr.split())
    assert "none with text to read" not in done.stderr and "Traceback" not in done.stderr


def _handler(body: str) -> str:
    return f"require('http').createServer((req, res) => {{\n  let x = req.url;\n{body}\n}});\n"


# Shapes of code that used to take minutes to hours: their syntax trees nest tens of thousands of levels deep.
DEEP_CODE = {
    "ifs.js": _handler("if (x) {\n" * 20_000 + "run(x);\n" + "}\n" * 20_000),
    "functions.js": _handler("function f(y) {\n" * 5_000 + "run(y);\n" + "}\n" * 5_000),
    "arrows.js": _handler("const f =\n" + "(y) =>\n" * 10_000 + "run(y);"),
    "plus.js": _handler("const s = x\n" + "".join(f" + a{n}\n" for n in range(100_000)) + ";\nrun(s);"),
    "chain.js": _handler("const r = x\n" + "".join(f".m{n}()\n" for n in range(20_000)) + ";\nrun(r);"),
    "calls.js": _handler("const r = " + "f(\n" * 10_000 + "x" + ")\n" * 10_000 + ";"),
    "objects.js": _handler("const r = " + "{a:\n" * 10_000 + "x" + "}\n" * 10_000 + ";"),
}
# Templates that used to take minutes: openers never closed, each scanned to the end of the file.
UNCLOSED_TEMPLATES = {
    "deep.njk": "{% if a %}\n" * 10_000 + "{{ x | safe }}\n" + "{% endif %}\n" * 10_000 + "{{ " * 50_000,
    "open.ejs": "<%- a %>\n" + "<%- " * 20_000 + "<%# " * 20_000,
    "open.hbs": "{{{ a }}}\n" + "{{{ " * 20_000 + "{{& " * 20_000,
    "open.pug": "p!{a}\np " + "!{ " * 20_000,
}


def test_deeply_nested_code_is_cut_with_a_notice_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", **DEEP_CODE)
    done = run_cli("scan", str(root), "--format", "json", "--no-config", "--select", "NW101", timeout=600)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["rule_id"] for f in report["findings"] if f["path"] == "ok.js"] == ["NW101"]
    for name in DEEP_CODE:
        (message,) = limit_notices(report["notices"], name)
        assert message.startswith("analysis limited: nesting deeper than 500 levels"), (name, message)


def test_unclosed_template_tags_are_scanned_in_linear_time(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", **UNCLOSED_TEMPLATES)
    outcome = run_scan([root], ScanOptions(jobs=1, file_timeout=120))
    found = {(f.path, f.rule_id) for f in outcome.result.findings}
    assert ("ok.js", "NW101") in found
    # The complete tag before the unclosed ones is still found, and nothing was stopped by the time budget.
    assert {path for path, rule in found if rule == "NW118"} == set(UNCLOSED_TEMPLATES)
    assert not [n for n in outcome.result.notices if n.kind in ("limit", "error")]


def _module_chain(root: Path, length: int) -> None:
    """app.js passes the request to m0, which passes it to m1, ... up to the module that runs it."""
    (root / "app.js").write_text("const first = require('./m0');\n" + _handler("first(x);"))
    for n in range(length - 1):
        (root / f"m{n}.js").write_text(f"const next = require('./m{n + 1}');\n"
                                       f"module.exports = function step{n}(v) {{ return next(v); }};\n")
    (root / f"m{length - 1}.js").write_text("const cp = require('child_process');\n"
                                             "module.exports = function last(v) { cp.exec(v); };\n")


def test_a_flow_through_200_modules_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "chain"
    root.mkdir()
    _module_chain(root, 200)
    result = run_scan([root], ScanOptions(jobs=2, mode="app", selected_rules=frozenset({"NW101"}))).result
    (finding,) = [f for f in result.findings if f.rule_id == "NW101"]
    assert finding.path == "m199.js"
    assert finding.trace[0].location.path == "app.js"
    assert finding.message.startswith("request data `req.url` (app.js:3)")
    assert not [n for n in result.notices if n.kind == "limit"]


def test_cross_file_work_budget_cuts_with_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nodeward.scan
    from nodeward.analysis.taint.project import FlowJoiner

    monkeypatch.setattr(nodeward.scan, "FlowJoiner", functools.partial(FlowJoiner, budget=50))
    root = tmp_path / "chain"
    root.mkdir()
    _module_chain(root, 200)
    result = run_scan([root], ScanOptions(jobs=2, mode="app", selected_rules=frozenset({"NW101"}))).result
    assert not [f for f in result.findings if f.message.startswith("request data")]  # the flow was cut
    (notice,) = [n for n in result.notices if n.kind == "limit"]
    assert notice.message.startswith("analysis limited: cross-file taint tracking stopped after 50 evaluations")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_costs_its_file_a_notice_and_the_scan_goes_on(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       jobs: int) -> None:
    """A worker killed while scanning `crash.js` (the out-of-memory killer, a crash in C): that file gets a
    notice naming it, every other file, sent to the same worker before or after it, is still scanned."""
    original = CodeScanner.scan_file

    def scan_file(self: CodeScanner, file: SourceFile, data: bytes, text: str) -> FileResult:
        if file.display_path == "crash.js":
            os._exit(9)
        return original(self, file, data, text)

    monkeypatch.setattr(CodeScanner, "scan_file", scan_file)
    extra = {f"plain{n}.js": VULNERABLE for n in range(12)}
    root = write_project(tmp_path / "app", **{"crash.js": "const x = 1;\n"}, **extra)
    result = run_scan([root], ScanOptions(jobs=jobs, file_timeout=30)).result
    assert sorted(f.path for f in result.findings if f.rule_id == "NW101") == sorted(["ok.js", *extra])
    (crash,) = [n for n in result.notices if n.kind == "error"]
    assert crash.path == "crash.js"
    assert "worker process ended unexpectedly (exit code 9)" in crash.message
