"""Shared test helpers: running the CLI, and the official SARIF tooling from the npm registry."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Hermetic: `scan` fetches advisories when its database is old; no test may reach the network for that.
# The tests of the automatic update serve their own export on 127.0.0.1 and lift this for their run.
os.environ["NODEWARD_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
SARIF_MULTITOOL_PACKAGE = "@microsoft/sarif-multitool-linux@5.7.0"


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache directory for the module and session fixtures, set up before them: never the user's."""
    directory = tmp_path_factory.mktemp("nodeward-session-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NODEWARD_CACHE_DIR", str(directory))
        yield directory


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own empty cache directory (results cache, advisory database): no test reads the user's
    cache or what another test left there."""
    directory = tmp_path_factory.mktemp("nodeward-cache")
    monkeypatch.setenv("NODEWARD_CACHE_DIR", str(directory))
    return directory


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run nodeward as a user does, in a separate process, capturing both streams (``env`` adds variables)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "nodeward", *args],
        cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold the lock file ``name`` in .cache/: the xdist workers of one run (and concurrent runs) fetch a shared
    tool once, one after the other, instead of unpacking it over each other."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sarif_multitool_dir(request: pytest.FixtureRequest) -> Path:
    """The unpacked npm package that ships the SARIF 2.1.0 schema and the Sarif.Multitool validator."""
    target = CACHE / "sarif-multitool"
    package = target / "package"
    with exclusive("sarif-multitool"):
        if not (package / "sarif-2.1.0.json").exists():
            if shutil.which("npm") is None:
                pytest.fail(f"npm is missing: the SARIF tests validate with {SARIF_MULTITOOL_PACKAGE} from the npm "
                            "registry (`apt-get install -y npm`, then run the tests again)")
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:  # said in the output, even under -q: the suite downloads something
                reporter.write_line(f"downloading {SARIF_MULTITOOL_PACKAGE} from the npm registry into {target} "
                                    "(once) to validate SARIF reports")
            target.mkdir(parents=True, exist_ok=True)
            packed = subprocess.run(
                ["npm", "pack", SARIF_MULTITOOL_PACKAGE, "--silent"], cwd=target, capture_output=True, text=True,
                timeout=600, check=True,
            )
            tarball = target / packed.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as archive:
                archive.extractall(target, filter="data")
            tarball.unlink()
        (package / "Sarif.Multitool").chmod(0o755)
    return package
