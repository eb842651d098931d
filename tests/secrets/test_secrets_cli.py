"""The secrets scanner as a user meets it: tree and history scans, redaction in every format, .env
files, gitleaks tuning, personal data. Every token is generated at run time (tests/secrets/tokens.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.secrets.tokens import TokenFactory


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@users.invalid", *args],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    (path / "app.js").write_text("const port = 3000;\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "init")
    return path


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory(seed=99)


def test_history_reports_a_removed_secret_at_its_introducing_commit(tmp_path: Path, tokens: TokenFactory) -> None:
    repo = new_repo(tmp_path / "repo")
    secret = tokens.make("github-pat-classic")
    (repo / "config.js").write_text(f'module.exports = {{ token: "{secret}" }};\n')
    git(repo, "add", "config.js")
    git(repo, "commit", "-q", "-m", "add config")
    introducing = git(repo, "rev-parse", "HEAD")
    git(repo, "rm", "-q", "config.js")
    git(repo, "commit", "-q", "-m", "remove config")

    tree = run_cli("secrets", str(repo), "--format", "json")
    assert tree.returncode == 0, tree.stdout + tree.stderr
    assert json.loads(tree.stdout)["findings"] == []

    history = run_cli("secrets", str(repo), "--history", "--format", "json")
    assert history.returncode == 1, history.stderr
    findings = json.loads(history.stdout)["findings"]
    assert [(f["rule_id"], f["path"], f["start_line"]) for f in findings] == [("NW504", "config.js", 1)]
    assert introducing[:12] in findings[0]["message"]
    assert introducing in findings[0]["trace"][0]["description"]
    assert secret not in history.stdout and secret[4:] not in history.stdout


def test_history_reads_files_saved_in_utf16_like_the_tree_does(tmp_path: Path, tokens: TokenFactory) -> None:
    """A Windows editor's UTF-16 file (with its byte-order mark) holds NUL bytes, yet is text, in history too."""
    repo = new_repo(tmp_path / "repo")
    secret = tokens.make("github-pat-classic")
    (repo / "settings.js").write_bytes(b"\xff\xfe" + f'\r\nexports.token = "{secret}";\r\n'.encode("utf-16-le"))
    (repo / "deploy.env").write_bytes(b"\xfe\xff" + f"API_TOKEN={tokens.make('gitlab-pat')}\n".encode("utf-16-be"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "settings")
    git(repo, "rm", "-q", "settings.js", "deploy.env")
    git(repo, "commit", "-q", "-m", "remove settings")
    done = run_cli("secrets", str(repo), "--history", "--format", "json")
    assert done.returncode == 1, done.stderr
    found = {(f["rule_id"], f["path"], f["start_line"]) for f in json.loads(done.stdout)["findings"]}
    assert {("NW504", "settings.js", 2), ("NW504", "deploy.env", 1)} <= found
    assert secret not in done.stdout


def test_a_secret_still_in_the_tree_is_reported_once_by_the_tree_rule(tmp_path: Path, tokens: TokenFactory) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "config.js").write_text(f'const key = "{tokens.make("stripe-secret-key")}";\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "config")
    done = run_cli("scan", str(repo), "--history", "--format", "json")
    rules = [f["rule_id"] for f in json.loads(done.stdout)["findings"]]
    assert rules == ["NW501"]


def _plant(root: Path, tokens: TokenFactory) -> list[str]:
    """A project with a secret of several kinds in several kinds of file; returns the secrets."""
    planted = {
        "github": tokens.make("github-pat-classic"),
        "aws": tokens.make("aws-access-key-id"),
        "generic": tokens.make("generic-secret"),
        "npm": tokens.make("npmrc-auth"),
        "db": tokens.make("database-url-password"),
        "jwt": tokens.make("jwt"),
    }
    (root / "src").mkdir(parents=True)
    (root / "src" / "config.js").write_text(
        f'export const github = "{planted["github"]}";\nexport const aws = "{planted["aws"]}";\n'
        f'export const jwt = "{planted["jwt"]}";\n'
    )
    (root / "deploy.yml").write_text(f"env:\n  API_SECRET: {planted['generic']}\n")
    (root / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={planted['npm']}\n")
    (root / "docker.env").write_text(f"DATABASE_URL=postgres://app:{planted['db']}@db:5432/app\n")
    return list(planted.values())


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_format_shows_a_planted_secret(tmp_path: Path, tokens: TokenFactory, fmt: str) -> None:
    secrets = _plant(tmp_path / "project", tokens)
    done = run_cli("scan", str(tmp_path / "project"), "--format", fmt, "--no-color")
    assert done.returncode == 1
    assert done.stdout.count("NW50") >= 6
    for secret in secrets:
        assert secret not in done.stdout and secret not in done.stderr
        assert secret[4:16] not in done.stdout, "no more than the first characters are shown"


def test_show_secrets_prints_them_for_local_triage(tmp_path: Path, tokens: TokenFactory) -> None:
    secrets = _plant(tmp_path / "project", tokens)
    done = run_cli("secrets", str(tmp_path / "project"), "--show-secrets", "--no-color")
    assert all(secret in done.stdout for secret in secrets)


def test_env_files_tracked_or_not_ignored_are_reported_ignored_ones_are_not(
    tmp_path: Path, tokens: TokenFactory
) -> None:
    repo = new_repo(tmp_path / "repo")
    value = tokens.make("generic-secret")
    (repo / ".env.production").write_text(f"SESSION_SECRET={value}\nPORT=3000\n")
    (repo / ".env.example").write_text("SESSION_SECRET=changeme\n")
    git(repo, "add", ".env.production", ".env.example")
    git(repo, "commit", "-q", "-m", "env")
    (repo / ".env").write_text(f"API_TOKEN={value}\n")
    (repo / "local").mkdir()
    (repo / "local" / ".env.local").write_text(f"API_TOKEN={value}\n")
    (repo / ".gitignore").write_text("local/\n")
    done = run_cli("secrets", str(repo), "--no-gitignore", "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    env = {(f["path"], f["rule_id"]) for f in findings if f["rule_id"] == "NW505"}
    assert env == {(".env.production", "NW505"), (".env", "NW505")}
    messages = {f["path"]: f["message"] for f in findings if f["rule_id"] == "NW505"}
    assert "is tracked by git" in messages[".env.production"] and "SESSION_SECRET" in messages[".env.production"]
    assert "not ignored by git" in messages[".env"]
    assert not [f for f in findings if f["path"].startswith("local/")]
    assert value not in done.stdout


def test_a_deleted_env_file_is_reported_from_history(tmp_path: Path, tokens: TokenFactory) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / ".env").write_text(f"STRIPE_KEY={tokens.make('stripe-secret-key')}\n")
    git(repo, "add", ".env")
    git(repo, "commit", "-q", "-m", "oops")
    git(repo, "rm", "-q", ".env")
    git(repo, "commit", "-q", "-m", "remove .env")
    done = run_cli("secrets", str(repo), "--history", "--format", "json")
    rules = sorted((f["rule_id"], f["path"]) for f in json.loads(done.stdout)["findings"])
    assert rules == [("NW504", ".env"), ("NW505", ".env")]


def test_gitleaks_allowlist_and_ignore_file_are_honoured(tmp_path: Path, tokens: TokenFactory) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "fixtures").mkdir()
    (repo / "fixtures" / "keys.js").write_text(f'const k = "{tokens.make("github-oauth-token")}";\n')
    (repo / "known.js").write_text(f'const k = "{tokens.make("npm-access-token")}";\n')
    (repo / "live.js").write_text(f'const k = "{tokens.make("slack-bot-token")}";\n')
    (repo / ".gitleaks.toml").write_text('[allowlist]\ndescription = "fixtures"\npaths = [\'\'\'^fixtures/\'\'\']\n')
    (repo / ".gitleaksignore").write_text("known.js:npm-access-token:1\n")
    done = run_cli("secrets", str(repo), "--format", "json")
    assert [f["path"] for f in json.loads(done.stdout)["findings"]] == ["live.js"]


def test_a_gitleaks_config_above_the_scanned_folder_is_never_read(tmp_path: Path, tokens: TokenFactory) -> None:
    # The folder above the scan root is outside the tree: its allow-list would silence the project's secrets.
    (tmp_path / ".gitleaks.toml").write_text('[allowlist]\ndescription = "all"\npaths = [\'\'\'.*\'\'\']\n')
    (tmp_path / ".gitleaksignore").write_text("live.js:slack-bot-token:1\n")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "live.js").write_text(f'const k = "{tokens.make("slack-bot-token")}";\n')
    done = run_cli("secrets", str(project), "--format", "json")
    assert [f["path"] for f in json.loads(done.stdout)["findings"]] == ["src/live.js"]


def test_inline_suppression_applies_to_secrets(tmp_path: Path, tokens: TokenFactory) -> None:
    (tmp_path / "a.js").write_text(
        f'const k = "{tokens.make("google-api-key")}"; // nodeward-ignore NW501 -- browser key, restricted\n'
    )
    done = run_cli("secrets", str(tmp_path), "--format", "json")
    report = json.loads(done.stdout)
    assert report["findings"] == [] and report["summary"]["suppressed"] == 1


def test_bulk_personal_data_is_one_finding_per_file(tmp_path: Path) -> None:
    rows = [f"{n},user{n}@gmail.com,+44 7700 9{n:05d}" for n in range(30)]
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "customers.csv").write_text("id,email,phone\n" + "\n".join(rows) + "\n")
    fake = [f"{n},user{n}@example.com" for n in range(30)]
    (tmp_path / "seeds" / "fake.csv").write_text("id,email\n" + "\n".join(fake) + "\n")
    done = run_cli("secrets", str(tmp_path), "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings] == [("NW508", "seeds/customers.csv")]
    assert "30 e-mail addresses" in findings[0]["message"] and "user1@gmail.com" not in done.stdout


def test_lockfile_integrity_hashes_are_not_secrets_but_credentials_in_urls_are(
    tmp_path: Path, tokens: TokenFactory
) -> None:
    password = tokens.make("url-basic-auth")
    (tmp_path / "package-lock.json").write_text(json.dumps({
        "lockfileVersion": 3,
        "packages": {
            "node_modules/a": {"version": "1.0.0", "integrity": "sha512-" + tokens.make("azure-storage-account-key"),
                               "resolved": f"https://ci:{password}@registry.internal/a/-/a-1.0.0.tgz"},
        },
    }, indent=2))
    done = run_cli("secrets", str(tmp_path), "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings] == [("NW501", "package-lock.json")]
    assert password not in done.stdout


def test_history_outside_a_repository_is_a_clear_notice(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("const a = 1;\n")
    done = run_cli("secrets", str(tmp_path), "--history", "--no-color")
    assert "not inside a git repository" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
