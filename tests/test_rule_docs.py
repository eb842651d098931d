"""docs/rules/ is generated from the rule metadata; this fails when a rule changed and the pages did not."""

from __future__ import annotations

from pathlib import Path

from nodeward.docs import GENERATED, main, stale_pages, write_pages
from nodeward.rules.registry import all_rules
from tests.conftest import ROOT, run_cli


def test_committed_rule_pages_are_up_to_date() -> None:
    problems = stale_pages(ROOT / "docs" / "rules")
    assert not problems, "stale rule docs; run `python -m nodeward.docs --write`:\n" + "\n".join(problems)


def test_every_rule_has_a_page_and_an_index_entry() -> None:
    index = (ROOT / "docs" / "rules" / "index.md").read_text()
    for rule in all_rules():
        page = (ROOT / "docs" / "rules" / f"{rule.id}.md").read_text()
        assert page.startswith(GENERATED) and f"# {rule.id}: {rule.name}" in page and "## How to fix" in page
        assert f"[{rule.id}]({rule.id}.md)" in index


def test_check_notices_an_edited_page_and_write_repairs_it(tmp_path: Path) -> None:
    write_pages(tmp_path)
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "NW101.md").write_text("edited by hand\n")
    (tmp_path / "NW000.md").write_text(GENERATED + "\nan old rule\n")
    assert stale_pages(tmp_path) == ["NW101.md: out of date", "NW000.md: no such rule any more"]
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert stale_pages(tmp_path) == [] and not (tmp_path / "NW000.md").exists()


def test_docs_command_writes_and_checks(tmp_path: Path) -> None:
    done = run_cli("docs", "--write", "--dir", str(tmp_path))
    assert done.returncode == 0 and f"{len(all_rules()) + 1} pages written" in done.stdout
    assert run_cli("docs", "--check", "--dir", str(tmp_path)).returncode == 0
    (tmp_path / "index.md").write_text("stale\n")
    stale = run_cli("docs", "--check", "--dir", str(tmp_path))
    assert stale.returncode == 1 and "index.md: out of date" in stale.stdout
