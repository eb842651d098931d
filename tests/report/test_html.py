"""The HTML report: self-contained, escaped, and working in a real browser (headless Chromium).

Chromium comes from Debian (`.ci/run` installs it); Playwright drives it through `executable_path`.
Without them the browser test fails with a message saying so: a skipped browser test would hide a
broken report. The screenshot is a test artifact: $NODEWARD_TEST_ARTIFACTS or .cache/artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CACHE, run_cli
from tests.report.project import HOSTILE_NAME, PAYLOAD, build_project

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def html_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("html")
    project = build_project(base / "project")
    out = base / "report.html"
    done = run_cli("scan", str(project), "--format", "html", "--output", str(out), "--include-suppressed")
    assert done.returncode == 1, done.stderr
    return out


def test_html_report_is_self_contained(html_report: Path) -> None:
    text = html_report.read_text()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text)  # no CDN, no remote script or style
    assert "@import" not in text and "url(http" not in text
    assert text.count("<script") == 2  # the data block and the page's own script


def test_nothing_from_the_scanned_code_can_close_the_data_block(html_report: Path) -> None:
    text = html_report.read_text()
    assert PAYLOAD not in text and "<script>alert" not in text and "<!--.js" not in text
    data = text.split('id="nodeward-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data  # written as \u003c and \u003e
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in data


def _artifacts() -> Path:
    directory = Path(os.environ.get("NODEWARD_TEST_ARTIFACTS", str(CACHE / "artifacts")))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`, as .ci/run "
                    "does) to run the HTML report's browser test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `pip install -e '.[test]'`")
    return sync_playwright


def test_html_report_works_in_chromium(html_report: Path) -> None:
    sync_playwright = _browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
            page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith("file:")
                    else None)
            page.goto(html_report.as_uri())
            page.wait_for_selector("#shown")

            cards = page.locator("article.finding")
            total = cards.count()
            assert total > 10
            assert page.inner_text("#shown") == f"{total} of {total} shown"
            visible = page.locator("article.finding:visible")

            # severity: unticking "high" hides exactly the high findings
            high = page.locator("article.finding.s-high").count()
            page.uncheck("#f-sev-high")
            assert visible.count() == total - high
            page.check("#f-sev-high")

            # rule, scanner and file selects
            page.select_option("#f-rule", "NW101")
            assert visible.count() >= 2
            assert all(t.startswith("NW101 ") for t in visible.locator(".rule").all_inner_texts())
            page.select_option("#f-rule", "")
            page.select_option("#f-scanner", "deps")
            assert visible.count() >= 1
            assert page.locator("article.finding:visible .pill.plain", has_text="deps").count() == visible.count()
            page.select_option("#f-scanner", "")
            page.select_option("#f-file", HOSTILE_NAME)
            assert visible.count() == 1
            where = visible.locator(".where").first.inner_text()
            assert where.startswith(HOSTILE_NAME)  # shown as text, never run
            page.select_option("#f-file", "app.js")

            # code frame with the flagged line highlighted, taint trace, rule docs on demand
            exec_card = visible.filter(has_text="req.query.dir").first
            assert exec_card.locator("pre.frame .ln.hl").count() >= 1
            assert "cp.exec" in exec_card.locator("pre.frame .ln.hl").first.inner_text()
            assert exec_card.locator("ol.trace li").count() >= 2
            exec_card.locator("details.docs summary").click()
            how_to_fix = exec_card.locator(".doc h3", has_text="How to fix")
            how_to_fix.first.wait_for(timeout=15000)  # rendered when the details open: wait on a busy machine
            assert how_to_fix.count() == 1
            suppressed = page.locator("article.finding.suppressed")
            assert suppressed.count() == 1 and "reviewed: internal route" in suppressed.inner_text()
            page.select_option("#f-file", "")

            # dependency upgrades, practices scorecard when the scan made one
            assert page.locator("#upgrades").is_visible()
            assert "Upgrade " in page.inner_text("#upgrades")
            page.click("#scorecard > summary")
            assert page.locator("#scorecard h3.app").count() >= 1  # the express app of app.js
            assert "missing" in page.inner_text("#scorecard-counts")
            page.click("#scorecard > summary")
            page.evaluate("() => window.scrollTo(0, 0)")
            shot = _artifacts() / "html-report.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
            assert not problems, problems
        finally:
            browser.close()

