"""procfs (or sysfs...) mounted inside the scanned tree, as in a container's root or a chroot: never walked,
never read, listed once; links into it are not followed. Needs the right to mount (root): skipped elsewhere."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodeward.sources.pseudo_fs import pseudo_file_system
from tests.conftest import run_cli

VULNERABLE = "require('http').createServer((req, res) => { require('child_process').exec(req.url); });\n"


@pytest.fixture
def tree_with_procfs(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "rootfs"
    (root / "proc").mkdir(parents=True)
    (root / "app.js").write_text(VULNERABLE)
    (root / "environment").symlink_to("proc/self/environ")
    mounted = subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting procfs is not permitted here")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], capture_output=True, check=False)


def test_procfs_mounted_inside_the_tree_is_listed_and_never_read(tree_with_procfs: Path) -> None:
    assert pseudo_file_system(str(tree_with_procfs / "proc")) == "procfs"
    done = run_cli("scan", str(tree_with_procfs), "--format", "json", "--no-config")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [("NW101", "app.js")]
    assert {n["path"]: n["message"] for n in report["notices"]} == {
        "proc": "system pseudo-files (never read: procfs mounted here)",
        "environment": "system pseudo-files (never read: procfs mounted here)",
    }
    assert report["summary"]["files_scanned"] == 1


def test_procfs_given_as_the_directory_to_scan_is_not_read(tree_with_procfs: Path) -> None:
    done = run_cli("scan", str(tree_with_procfs / "proc"), "--format", "json", "--no-config")
    report = json.loads(done.stdout)
    assert report["findings"] == []
    assert [n["message"] for n in report["notices"]] == ["system pseudo-files (never read: procfs mounted here)"]
