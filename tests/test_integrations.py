"""The pre-commit hooks and the GitHub Actions example do what their comments promise."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, run_cli
from tests.secrets.tokens import TokenFactory

EXEC = 'const cp = require("child_process");\nmodule.exports = (x) => cp.exec("ls " + x);\n'


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook: dict[str, Any], repo: Path) -> subprocess.CompletedProcess[str]:
    """As pre-commit does: the entry, then the staged file names."""
    staged = git(repo, "diff", "--cached", "--name-only", "-z").split("\0")
    entry = shlex.split(hook["entry"])
    assert entry[0] == "nodeward"
    return run_cli(*entry[1:], *[name for name in staged if name], cwd=repo)


def test_pre_commit_hooks_scan_the_staged_files_only_secrets_included(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    token = TokenFactory(seed=11).make("github-pat-classic")
    (repo / "staged.js").write_text(EXEC)
    (repo / "config.yml").write_text(f"github:\n  token: {token}\n")
    (repo / "unstaged.js").write_text(EXEC)
    git(repo, "add", "staged.js", "config.yml")
    done = run_hook(hooks()["nodeward"], repo)
    assert done.returncode == 1
    assert "staged.js" in done.stdout and "NW101" in done.stdout
    assert "config.yml" in done.stdout and "NW501" in done.stdout
    assert "unstaged.js" not in done.stdout
    assert token not in done.stdout  # redacted in the hook's output
    secrets_only = run_hook(hooks()["nodeward-secrets"], repo)
    assert secrets_only.returncode == 1 and "NW501" in secrets_only.stdout and "NW101" not in secrets_only.stdout


def test_github_actions_example_uploads_the_sarif_it_writes() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps = workflow["jobs"]["audit"]["steps"]
    assert workflow["permissions"]["security-events"] == "write"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    commands = [s["run"] for s in steps if "run" in s and "nodeward scan" in s["run"]]
    sarif = next(c for c in commands if "--format sarif" in c)
    assert f"--output {upload['with']['sarif_file']}" in sarif
    help_text = run_cli("scan", "--help").stdout
    for command in commands:
        for option in re.findall(r"(--[a-z-]+)", command):
            assert option in help_text, f"{option} of the workflow example is not a scan option"


def test_github_actions_example_installs_nodeward_from_what_exists() -> None:
    """`pip install nodeward` named a package that is not published: the example installs from git."""
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    commands = [s["run"] for s in workflow["jobs"]["audit"]["steps"] if "run" in s]
    installs = [c for c in commands if re.search(r"\bpipx? install\b", c)]
    assert installs == ['pipx install "git+${{ vars.NODEWARD_GIT_URL }}"']
    assert not any(re.search(r"install\s+nodeward\b", c) for c in commands)
