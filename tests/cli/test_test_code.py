"""Findings of code rules in tests and examples: marked, lowered to low confidence, and counted where hidden."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nodeward.sources.test_code import is_test_code, relative_to_scan_root
from tests.conftest import ROOT, run_cli

APP = ROOT / "tests" / "fixtures" / "projects" / "test-code-app"
HIDDEN = 4  # test/server.test.js (2), src/__tests__/helpers.spec.js, examples/demo.js


def test_default_scan_reports_the_product_code_and_counts_the_hidden_test_code_findings() -> None:
    done = run_cli("scan", str(APP), "--no-scorecard", "--scanners", "code")
    assert done.returncode == 1
    assert "src/server.js" in done.stdout and "test/server.test.js" not in done.stdout
    assert f"1 finding (1 high) in 4 files, 35 lines scanned; {HIDDEN} in test code hidden" in done.stdout
    assert "--min-confidence low shows them" in done.stdout


def test_low_confidence_shows_them_marked_and_secrets_in_tests_are_not_touched() -> None:
    done = run_cli("scan", str(APP), "--format", "json", "--min-confidence", "low", "--scanners", "code")
    report = json.loads(done.stdout)
    in_tests = [f for f in report["findings"] if f["path"] != "src/server.js"]
    assert len(in_tests) == HIDDEN and report["summary"]["hidden_in_test_code"] == 0
    assert all(f["confidence"] == "low" and f["message"].endswith("(in test code)") for f in in_tests)
    product = next(f for f in report["findings"] if f["path"] == "src/server.js")
    assert product["confidence"] == "high" and "test code" not in product["message"]


def test_json_sarif_and_html_say_how_many_were_hidden(tmp_path: Path) -> None:
    report = json.loads(run_cli("scan", str(APP), "--format", "json", "--scanners", "code").stdout)
    assert report["summary"]["hidden_in_test_code"] == HIDDEN
    sarif = json.loads(run_cli("scan", str(APP), "--format", "sarif", "--scanners", "code").stdout)
    assert sarif["runs"][0]["properties"]["nodeward/hiddenInTestCode"] == HIDDEN
    page = tmp_path / "report.html"
    run_cli("scan", str(APP), "--format", "html", "--output", str(page), "--scanners", "code")
    assert re.search(rf'"hidden_in_test_code":\s*{HIDDEN}\b', page.read_text())
    markdown = run_cli("scan", str(APP), "--format", "markdown", "--scanners", "code").stdout
    assert f"{HIDDEN} in test code hidden" in markdown


def test_an_app_scanned_as_the_root_is_product_code_even_inside_an_examples_folder() -> None:
    report = json.loads(run_cli("scan", "examples/vulnerable-express", "--format", "json", "--scanners", "code").stdout)
    assert report["summary"]["hidden_in_test_code"] == 0
    assert report["findings"] and not any("(in test code)" in f["message"] for f in report["findings"])


def test_test_code_paths() -> None:
    for path in ("test/a.js", "tests/unit/b.ts", "src/__tests__/c.js", "spec/d.js", "e2e/login.ts",
                 "fixtures/app.js", "lib/x.test.mjs", "src/y.spec.ts", "examples/basic/server.js",
                 "benchmarks/run.js", "bench/run.js", "test.js", "Test/A.js"):
        assert is_test_code(path), path
    for path in ("src/app.js", "lib/testing.js", "src/contest.js", "latest/index.js", "lib/spectrum.js",
                 "src/attestation.ts", "examples.js"):
        assert not is_test_code(path), path
    several = [Path("apps/web"), Path("examples/demo")]
    assert relative_to_scan_root("examples/demo/server.js", several) == "server.js"
    assert relative_to_scan_root("apps/web/test/a.js", several) == "test/a.js"
    assert relative_to_scan_root("test/a.js", [Path("test/a.js")]) == "test/a.js"  # a file argument, as given
