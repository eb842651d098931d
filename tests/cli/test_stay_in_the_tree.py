"""A scan stays in the tree it was given: links out of it and special files are listed, never read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.secrets.tokens import TokenFactory

VULNERABLE = 'const cp = require("child_process");\nmodule.exports = (x) => cp.exec("ls " + x);\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project whose links lead to a neighbour directory full of findings, to /etc, to / and to devices."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary.js").write_text(VULNERABLE)
    (outside / ".env").write_text(f"GITHUB_TOKEN={TokenFactory(seed=13).make('github-pat-classic')}\n")
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text(VULNERABLE)
    (root / "src" / "alias.js").symlink_to("app.js")  # inside the tree: followed
    (root / "neighbour").symlink_to("../outside", target_is_directory=True)
    (root / "canary.js").symlink_to(outside / "canary.js")
    (root / ".env").symlink_to("../outside/.env")
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    (root / "slash").symlink_to("/", target_is_directory=True)
    (root / "zero.js").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.js")
    return root


def test_findings_come_only_from_the_tree_and_what_was_left_out_is_listed(tree: Path) -> None:
    done = run_cli("scan", str(tree), "-f", "json", timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert sorted({f["path"] for f in report["findings"]}) == ["src/alias.js", "src/app.js"]
    skipped = {n["path"]: n["message"] for n in report["notices"] if n["kind"] == "skipped"}
    out = "symbolic link out of the scanned directory"
    assert skipped["neighbour"] == f"{out} (to ../outside)"
    assert skipped["canary.js"] == f"{out} (to {tree.parent / 'outside' / 'canary.js'})"
    assert skipped[".env"] == f"{out} (to ../outside/.env)"
    assert skipped["etc"] == f"{out} (to /etc)"
    assert skipped["slash"] == f"{out} (to /)"
    assert skipped["zero.js"] == f"{out} (to /dev/zero)"
    assert skipped["fifo.js"] == "not a regular file (named pipe), never opened"
    assert "root:" not in done.stdout  # nothing of /etc/passwd


def test_verbose_lists_the_links_and_special_files(tree: Path) -> None:
    done = run_cli("scan", str(tree), "--verbose", "--no-color", timeout=120)
    assert done.returncode == 1, done.stderr
    for name in ("neighbour", "canary.js", ".env", "etc", "slash", "zero.js", "fifo.js"):
        assert f"skipped {name}: " in done.stdout, name
