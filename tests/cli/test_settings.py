"""Configuration files, CLI and environment overrides, baselines and --diff, on temporary git repositories."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from nodeward.baseline import UPGRADES, BaselineError, load_baseline
from nodeward.config.load import ConfigError, load_config
from nodeward.config.model import Config
from tests.conftest import run_cli
from tests.secrets.tokens import TokenFactory

EXEC = 'const cp = require("child_process");\nmodule.exports = (x) => cp.exec("ls " + x);\n'
REGEXP = "module.exports = (p) => new RegExp(p);\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"})
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.js").write_text(EXEC)
    (root / "src" / "b.js").write_text(REGEXP)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def findings(repo: Path, *args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    # Every confidence: these tests are about selection, configuration and diffs, not about confidence.
    done = run_cli("scan", str(repo), "--format", "json", "--scanners", "code", "--min-confidence", "low", *args,
                   env=env)
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["findings"])


def rule_ids(items: list[dict[str, Any]]) -> list[str]:
    return sorted({f["rule_id"] for f in items if f["rule_id"].startswith("NW1")})


# configuration -----------------------------------------------------------------------------------

def test_config_file_selects_ignores_and_overrides(repo: Path) -> None:
    assert rule_ids(findings(repo)) == ["NW101", "NW104"]
    (repo / ".nodeward.toml").write_text('ignore = ["NW104"]\n[severity]\nNW101 = "critical"\n')
    result = findings(repo)
    assert rule_ids(result) == ["NW101"]
    assert next(f for f in result if f["rule_id"] == "NW101")["severity"] == "critical"


def test_per_path_ignores_and_excludes(repo: Path) -> None:
    (repo / ".nodeward.toml").write_text('exclude = ["src/b.js"]\n[per-path-ignores]\n"src/a.js" = ["NW101"]\n')
    assert rule_ids(findings(repo)) == []


def test_fail_on_from_the_file_and_overridden_by_flag_and_environment(repo: Path) -> None:
    (repo / ".nodeward.toml").write_text('fail-on = "critical"\n')
    assert run_cli("scan", str(repo), "--scanners", "code").returncode == 0
    assert run_cli("scan", str(repo), "--scanners", "code", "--fail-on", "high").returncode == 1
    done = run_cli("scan", str(repo), "--scanners", "code", env={"NODEWARD_SCAN_FAIL_ON": "high"})
    assert done.returncode == 1


def test_package_json_nodeward_key_is_read(repo: Path) -> None:
    (repo / "package.json").write_text(json.dumps({"name": "x", "nodeward": {"select": ["NW104"]}}))
    assert rule_ids(findings(repo)) == ["NW104"]


def test_config_in_a_parent_directory_of_the_repository_applies(repo: Path) -> None:
    (repo / ".nodeward.toml").write_text('select = ["NW101"]\n')
    assert rule_ids(findings(repo / "src")) == ["NW101"]


def test_unknown_key_is_an_error_naming_file_line_and_key(repo: Path) -> None:
    config = repo / ".nodeward.toml"
    config.write_text('fail-on = "high"\n\n[secrets]\nallow-path = ["x"]\n')
    done = run_cli("scan", str(repo))
    assert done.returncode == 2
    assert f"{config}:4: `secrets.allow-path`: unknown key" in done.stderr
    with pytest.raises(ConfigError, match=r"`nodeward.min-severity`: expected one of"):
        (repo / "package.json").write_text('{\n  "nodeward": {\n    "min-severity": "severe"\n  }\n}\n')
        load_config(repo / "package.json")


@pytest.mark.parametrize(("text", "expected"), [
    ('exclude = ["src/*.min.js", "[z-a]"]\n', r".nodeward.toml:1: `exclude`: '\[z-a\]' is not a valid glob"),
    ('[per-path-ignores]\n"[z-a]" = ["NW101"]\n', r"`per-path-ignores.\[z-a\]`: '\[z-a\]' is not a valid glob"),
    ('[secrets]\nallow-paths = ["[z-a]"]\n', r"`secrets.allow-paths`: '\[z-a\]' is not a valid glob"),
    ("ignore = []\nselect = " + "[" * 5000 + "]" * 5000 + "\n", r".nodeward.toml:2: `select`: nested more than 200"),
    ("a." * 3000 + "b = 1\n", r"`a`: nested more than 200 levels deep"),
    ('mode = "' + "x" * 10_000 + '"\n', r"`mode`: expected auto, app or library, not 'x{10,80}\.\.\.x+'$"),
    ("include-dev = 1\n", r"`include-dev`: expected true or false, not 1"),
    ("select = [\n", r"invalid TOML"),
])
def test_broken_config_file_is_a_config_error_naming_file_key_and_problem(
    repo: Path, text: str, expected: str
) -> None:
    (repo / ".nodeward.toml").write_text(text)
    done = run_cli("scan", str(repo))
    assert done.returncode == 2 and "internal error" not in done.stderr and "Traceback" not in done.stderr
    [message] = [line for line in done.stderr.splitlines() if "configuration:" in line]
    assert str(repo / ".nodeward.toml") in message
    assert re.search(expected, message), message


def test_invalid_exclude_option_is_reported_and_the_scan_goes_on(repo: Path) -> None:
    done = run_cli("scan", str(repo), "--exclude", "[z-a]", "--exclude", "src/b.js")
    assert "error: invalid --exclude pattern: [z-a]" in done.stderr and "internal error" not in done.stderr
    assert done.returncode == 1 and "src/a.js" in done.stdout and "src/b.js" not in done.stdout


def test_unknown_rule_in_config_is_an_error(repo: Path) -> None:
    (repo / ".nodeward.toml").write_text('select = ["NW999"]\n')
    done = run_cli("scan", str(repo))
    assert done.returncode == 2 and "unknown rule 'NW999'" in done.stderr


def test_init_writes_examples_that_change_nothing_until_uncommented(repo: Path) -> None:
    """An active `exclude` in the starter file used to change silently what was scanned."""
    (repo / "test" / "fixtures").mkdir(parents=True)
    (repo / "test" / "fixtures" / "run.js").write_text(
        'const cp = require("child_process");\nmodule.exports = (x) => cp.exec("ls " + x);\n')
    before = json.loads(run_cli("scan", str(repo), "-f", "json", "--min-confidence", "low").stdout)
    done = run_cli("init", str(repo))
    assert done.returncode == 0, done.stderr
    starter = (repo / ".nodeward.toml").read_text()
    assert load_config(repo / ".nodeward.toml") == replace(Config(), source=str(repo / ".nodeward.toml"))
    after = json.loads(run_cli("scan", str(repo), "-f", "json", "--min-confidence", "low").stdout)
    assert after["findings"] == before["findings"] and after["findings"]
    assert "nodeward scanners" not in starter  # a command that does not exist
    assert run_cli("init", str(repo)).returncode == 2  # never overwrites without --force
    # every example is valid once uncommented
    examples = re.sub(r"(?m)^# (\[[a-z-]+\]|[\w\"*./-]+ = )", r"\1", starter)
    (repo / ".nodeward.toml").write_text(examples)
    config = load_config(repo / ".nodeward.toml")
    assert config.exclude and config.select and config.baseline and config.severity_overrides


def test_secrets_allow_paths(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "test.pem").write_text(
        "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEpAIBAAKCAQEA7" * 4 + "\n-----END RSA PRIVATE KEY-----\n")
    reported = run_cli("scan", str(tmp_path), "--format", "json", "--scanners", "secrets")
    assert json.loads(reported.stdout)["findings"]
    (tmp_path / ".nodeward.toml").write_text('[secrets]\nallow-paths = ["keys/"]\n')
    allowed = run_cli("scan", str(tmp_path), "--format", "json", "--scanners", "secrets")
    assert json.loads(allowed.stdout)["findings"] == []


def test_secrets_allow_patterns_match_the_secret_value(tmp_path: Path) -> None:
    token = TokenFactory(seed=21).make("github-pat-classic")
    other = TokenFactory(seed=22).make("npm-access-token")
    (tmp_path / "settings.js").write_text(f'module.exports = {{ gh: "{token}", npm: "{other}" }};\n')
    (tmp_path / ".nodeward.toml").write_text(f'[secrets]\nallow-patterns = ["^{token[:12]}"]\n')
    done = run_cli("scan", str(tmp_path), "--format", "json", "--scanners", "secrets", "--jobs", "1")
    messages = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert len(messages) == 1 and "npm" in messages[0].lower(), messages
    (tmp_path / ".nodeward.toml").write_text('[secrets]\nallow-patterns = ["(unclosed"]\n')
    bad = run_cli("scan", str(tmp_path))
    assert bad.returncode == 2 and "not a valid regular expression" in bad.stderr


# baseline ----------------------------------------------------------------------------------------

def test_baseline_hides_known_findings_even_when_lines_move(repo: Path) -> None:
    done = run_cli("baseline", "create", str(repo))
    assert done.returncode == 0, done.stderr
    baseline = repo / ".nodeward-baseline.json"
    document = json.loads(baseline.read_text())
    assert document["format"] == "nodeward-baseline" and document["version"] == 1
    assert all("line" not in entry for entry in document["findings"])
    assert "snippet" not in baseline.read_text()
    assert findings(repo, "--baseline", str(baseline)) == []
    # the known finding moves down; a new one appears
    (repo / "src" / "a.js").write_text("// header\n\n" + EXEC + 'cp.exec("rm " + process.argv[2]);\n')
    new = findings(repo, "--baseline", str(baseline))
    assert [(f["rule_id"], f["start_line"]) for f in new if f["rule_id"] == "NW101"] == [("NW101", 5)]
    out = run_cli("scan", str(repo), "--scanners", "code", "--baseline", str(baseline), "--no-color")
    assert "in baseline" in out.stdout


def test_baseline_update_and_config_key(repo: Path) -> None:
    assert run_cli("baseline", "create", str(repo)).returncode == 0
    assert run_cli("baseline", "create", str(repo)).returncode == 2  # exists
    (repo / "src" / "b.js").write_text("module.exports = 1;\n")
    done = run_cli("baseline", "update", str(repo))
    assert done.returncode == 0 and "0 added, 1 gone" in done.stdout, done.stdout
    (repo / ".nodeward.toml").write_text('baseline = ".nodeward-baseline.json"\n')
    assert findings(repo) == []


def test_baseline_of_a_newer_version_is_refused_and_older_ones_upgrade(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"format": "nodeward-baseline", "version": 99, "findings": []}))
    with pytest.raises(BaselineError, match="newer nodeward"):
        load_baseline(path)
    # the upgrade path: a step from version 0 style documents would be registered like this one
    path.write_text(json.dumps({"format": "nodeward-baseline", "version": 1, "findings": [
        {"fingerprint": "f1", "rule_id": "NW101", "path": "a.js"}]}))
    assert set(load_baseline(path).entries) == {"f1"}
    monkeypatch.setattr("nodeward.baseline.BASELINE_VERSION", 2)
    monkeypatch.setitem(UPGRADES, 1, lambda d: {**d, "version": 2, "findings": [
        {**f, "fingerprint": f["fingerprint"] + "-v2"} for f in d["findings"]]})
    assert set(load_baseline(path).entries) == {"f1-v2"}


def test_missing_baseline_is_a_usage_error(repo: Path) -> None:
    done = run_cli("scan", str(repo), "--baseline", str(repo / "nope.json"))
    assert done.returncode == 2 and "baseline file not found" in done.stderr


# --diff ------------------------------------------------------------------------------------------

def test_diff_reports_only_findings_on_changed_lines(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "src" / "a.js").write_text(EXEC + 'cp.exec("rm " + process.argv[2]);\n')
    (repo / "src" / "new.js").write_text(REGEXP)  # untracked: every line is new
    result = findings(repo, "--diff", "main")
    assert sorted((f["path"], f["start_line"]) for f in result) == [("src/a.js", 3), ("src/new.js", 1)]
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "change")
    assert sorted((f["path"], f["start_line"]) for f in findings(repo, "--diff", "main")) == [
        ("src/a.js", 3), ("src/new.js", 1)]
    assert findings(repo, "--diff", "HEAD") == []


def test_diff_is_against_the_merge_base_like_a_pull_request(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "src" / "c.js").write_text(REGEXP)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "feature work")
    git(repo, "checkout", "-q", "main")
    (repo / "src" / "b.js").write_text(REGEXP.replace("(p)", "(pattern)"))  # main moves on
    git(repo, "commit", "-q", "-am", "main work")
    git(repo, "checkout", "-q", "feature")
    # b.js differs from main's, but the feature branch did not touch it
    assert sorted((f["path"], f["start_line"]) for f in findings(repo, "--diff", "main")) == [("src/c.js", 1)]


def test_diff_with_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    done = run_cli("scan", str(repo), "--diff", "no-such-branch")
    assert done.returncode == 2
    assert "'no-such-branch' is not a commit" in done.stderr
