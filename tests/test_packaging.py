"""Installing nodeward from what exists, as the README says: `python -m build` makes a wheel and an sdist,
and each installs into a clean virtual environment (no checkout on the path) and runs a scan there.

Slow (a build and two installs: a few minutes on a loaded machine); pip fetches the dependencies from the
configured package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "vulnerable-express"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="`pip install build` (in the test extra) to build the wheel and sdist")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def install(artifact: Path, where: Path) -> Path:
    """A new virtual environment at ``where`` with ``artifact`` installed; its `nodeward` script."""
    venv.EnvBuilder(with_pip=True).create(where)
    done = subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(artifact)],
                          capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return where / "bin" / "nodeward"


def run_installed(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Out of the checkout, without PYTHONPATH: only the installed package can answer.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"NODEWARD_OFFLINE": "1", "NODEWARD_CACHE_DIR": str(cwd / "cache"), "COLUMNS": "120"})
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
                          check=False)


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_the_wheel_and_the_sdist_install_and_scan_in_a_clean_venv(dist: Path, kind: str,
                                                                   tmp_path: Path) -> None:
    (artifact,) = dist.glob(f"nodeward-*.{kind}")
    nodeward = install(artifact, tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    version = run_installed(nodeward, "--version", cwd=work)
    assert version.returncode == 0 and "nodeward, version" in version.stdout
    scan = run_installed(nodeward, "scan", str(EXAMPLE), "--no-progress", "--no-color", cwd=work)
    assert scan.returncode == 1, scan.stderr
    assert "NW102" in scan.stdout and "lodash@4.17.4" in scan.stdout  # code rules and the bundled advisories
    assert "Practices scorecard" in scan.stdout
    html = run_installed(nodeward, "scan", str(EXAMPLE), "-f", "html", "-o", str(work / "r.html"), cwd=work)
    assert html.returncode == 1 and "<script" in (work / "r.html").read_text()  # the report templates ship
    rule = run_installed(nodeward, "rule", "NW101", cwd=work)
    assert rule.returncode == 0 and "How to fix" in rule.stdout  # the rule docs are the modules' docstrings


def test_the_readme_install_and_test_commands_name_what_exists() -> None:
    top = (ROOT / "README.md").read_text().split("\n---\n", 1)[0]
    commands = [line.strip() for line in top.splitlines() if line.startswith("    ")]
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    assert "bash .ci/run" in commands
    assert not any("pip install nodeward" in c for c in commands)  # not published
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install -y -qq chromium" in ci and "installing Debian's chromium" in ci  # says what it installs
    assert (EXAMPLE / "package.json").exists()
