"""NW507: credential files that `npm publish` would put into the tarball, and npm's packing rules behind it.
Every secret is generated at run time (tests/secrets/tokens.py) and must never appear in an output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nodeward.findings import Finding
from nodeward.secrets.engine import SecretEngine
from nodeward.secrets.npm_package import PackList, check_npm_packages, expand_braces, walk_package
from nodeward.sources.discover import FileKind, SourceFile
from tests.conftest import run_cli
from tests.secrets.tokens import TokenFactory


@pytest.fixture(scope="module")
def engine() -> SecretEngine:
    return SecretEngine()


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory(seed=507)


def package(root: Path, **manifest: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps({"name": "my-lib", "version": "1.0.0", **manifest}))
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def env_file(path: Path, tokens: TokenFactory) -> str:
    secret = tokens.make("generic-secret")
    write(path, f"NODE_ENV=production\nDB_PASSWORD={secret}\n")
    return secret


def pem_file(path: Path, tokens: TokenFactory) -> str:
    body = tokens.pem_body()
    write(path, f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n")
    return body


def shipped(root: Path, engine: SecretEngine, manifest: str = "package.json") -> list[Finding]:
    file = SourceFile(root / manifest, manifest, FileKind.PACKAGE_JSON, 0)
    findings, notices = check_npm_packages([file], engine)
    assert not notices
    return findings


def paths(findings: list[Finding]) -> list[str]:
    return sorted(f.location.path for f in findings)


# --- the check on packages in temporary directories ------------------------------------------------


def test_no_files_list_and_no_ignore_file_ships_the_env_file(tmp_path: Path, tokens: TokenFactory,
                                                               engine: SecretEngine) -> None:
    root = package(tmp_path / "lib")
    secret = env_file(root / ".env", tokens)
    findings = shipped(root, engine)
    assert paths(findings) == [".env"]
    finding = findings[0]
    assert finding.rule_id == "NW507" and finding.location.start_line == 1
    assert "`my-lib`" in finding.message and "no `files` list, no .npmignore and no .gitignore" in finding.message
    assert secret not in finding.message and secret not in finding.snippet


def test_a_files_allow_list_keeps_the_env_file_out(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "lib", files=["dist/"], main="dist/index.js")
    env_file(root / ".env", tokens)
    write(root / "dist" / "index.js", "module.exports = 1;\n")
    assert shipped(root, engine) == []


def test_npmignore_that_excludes_the_env_file(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "lib")
    env_file(root / ".env.production", tokens)
    write(root / ".npmignore", "test/\n.env*\n")
    assert shipped(root, engine) == []


def test_gitignore_counts_only_without_an_npmignore(tmp_path: Path, tokens: TokenFactory,
                                                    engine: SecretEngine) -> None:
    root = package(tmp_path / "lib")
    env_file(root / ".env", tokens)
    write(root / ".gitignore", "node_modules/\n.env\n")
    assert shipped(root, engine) == []  # .gitignore is the fallback

    write(root / ".npmignore", "test/\n")  # now npm reads .npmignore only
    findings = shipped(root, engine)
    assert paths(findings) == [".env"]
    assert ".npmignore (which replaces .gitignore for npm) does not exclude it" in findings[0].message


def test_a_private_package_is_never_published(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "app", private=True)
    env_file(root / ".env", tokens)
    pem_file(root / "certs" / "server.key", tokens)
    assert shipped(root, engine) == []


def test_a_key_inside_an_included_folder(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "lib", files=["lib", "!lib/**/*.test.js"])
    body = pem_file(root / "lib" / "keys" / "server.pem", tokens)
    write(root / "lib" / "index.js", "module.exports = 1;\n")
    findings = shipped(root, engine)
    assert paths(findings) == ["lib/keys/server.pem"]
    assert "matched by the `files` entry `lib`" in findings[0].message
    assert "private key" in findings[0].message
    assert body.splitlines()[0] not in findings[0].message

    write(root / "lib" / ".npmignore", "keys/\n")  # in a subdirectory, .npmignore still applies under `files`
    assert shipped(root, engine) == []


def test_only_credential_files_count(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "lib")
    write(root / ".env.example", "DB_PASSWORD=changeme\nAPI_KEY=<your-key>\n")
    write(root / ".env", "DB_PASSWORD=\nAPI_KEY=${API_KEY}\n")  # placeholders and references only
    write(root / "certs" / "ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    write(root / "data.json", json.dumps({"type": "user", "name": "x"}))
    write(root / "id_rsa.pub", "ssh-rsa AAAAB3Nza user@host\n")
    write(root / ".npmrc", f"//registry.npmjs.org/:_authToken={tokens.make('npmrc-auth')}\n")  # npm never packs it
    assert shipped(root, engine) == []


def test_other_credential_files_the_secrets_scanner_knows(tmp_path: Path, tokens: TokenFactory,
                                                          engine: SecretEngine) -> None:
    root = package(tmp_path / "lib")
    (root / "keystore.p12").write_bytes(b"0\x82\x05\x00\x02\x01\x03" + bytes(range(256)))
    write(root / ".netrc", f"machine api.example.com login me password {tokens.make('generic-secret')}\n")
    key = tokens.pem_body().replace("\n", "\\n")
    write(root / "config" / "gcp-prod-4b2a.json", json.dumps({
        "type": "service_account", "project_id": "p",
        "private_key": f"-----BEGIN PRIVATE KEY-----\\n{key}\\n-----END PRIVATE KEY-----\\n".replace("\\n", "\n"),
        "client_email": "svc@p.iam.gserviceaccount.com",
    }))
    findings = shipped(root, engine)
    assert paths(findings) == [".netrc", "config/gcp-prod-4b2a.json", "keystore.p12"]


def test_nested_package_paths_and_notices(tmp_path: Path, tokens: TokenFactory, engine: SecretEngine) -> None:
    root = package(tmp_path / "repo", private=True, workspaces=["packages/*"])
    member = package(root / "packages" / "api")
    env_file(member / ".env", tokens)
    write(root / "packages" / "broken" / "package.json", "{ not json")
    files = [
        SourceFile(root / "package.json", "package.json", FileKind.PACKAGE_JSON, 0),
        SourceFile(member / "package.json", "packages/api/package.json", FileKind.PACKAGE_JSON, 0),
        SourceFile(root / "packages/broken/package.json", "packages/broken/package.json", FileKind.PACKAGE_JSON, 0),
    ]
    findings, notices = check_npm_packages(files, engine)
    assert paths(findings) == ["packages/api/.env"]
    assert "packages/api/package.json" in findings[0].message
    assert [(n.path, n.kind) for n in notices] == [("packages/broken/package.json", "skipped")]


# --- npm's packing rules ---------------------------------------------------------------------------


def decide(root: Path, rel: str, **manifest: Any) -> tuple[bool, str]:
    decision = PackList(root, manifest).decide(rel)
    return decision.packed, decision.reason


def test_files_entries_are_globs_with_negations_in_order(tmp_path: Path) -> None:
    files = ["dist", "*.js", "!dist/**/*.map", "config/{prod,stage}.json"]
    assert decide(tmp_path, "dist/a/b.js", files=files)[0]
    assert decide(tmp_path, "dist/.env", files=files) == (True, "matched by the `files` entry `dist`")
    assert not decide(tmp_path, "dist/a.js.map", files=files)[0]
    assert decide(tmp_path, "index.js", files=files)[0]
    assert not decide(tmp_path, "lib/index.js", files=files)[0]  # `*.js` is a glob at the root
    assert decide(tmp_path, "config/stage.json", files=files)[0]
    assert not decide(tmp_path, "config/dev.json", files=files)[0]
    assert not decide(tmp_path, ".env", files=files)[0]
    assert decide(tmp_path, ".env", files=["./.env*"])[0]


def test_always_packed_and_never_packed(tmp_path: Path) -> None:
    manifest: dict[str, Any] = {"files": ["dist/"], "main": "./server.js", "bin": {"tool": "bin/tool.js"}}
    for rel in ("package.json", "README.md", "license", "server.js", "bin/tool.js"):
        assert decide(tmp_path, rel, **manifest)[0], rel
    for rel in (".npmrc", "dist/.npmrc", "node_modules/x/.env", ".git/config", "package-lock.json"):
        assert not decide(tmp_path, rel, files=["*", "**/*"])[0], rel
        assert not decide(tmp_path, rel)[0], rel


def test_ignore_files_per_directory(tmp_path: Path) -> None:
    write(tmp_path / ".npmignore", "/secrets/\n*.log\n")
    write(tmp_path / ".gitignore", ".env\n")  # replaced by .npmignore at the root
    write(tmp_path / "sub" / ".gitignore", "*.pem\n!public.pem\n")  # sub has no .npmignore: its .gitignore counts
    assert decide(tmp_path, ".env")[0]
    assert not decide(tmp_path, "secrets/x.key")[0]
    assert not decide(tmp_path, "sub/deep/debug.log")[0]
    assert decide(tmp_path, "sub/x.key")[0]
    assert decide(tmp_path, "sub/public.pem")[0]
    assert decide(tmp_path, "sub/server.pem") == (False, "excluded by sub/.gitignore")
    write(tmp_path / "sub" / ".npmignore", "")  # an empty .npmignore un-ignores what sub/.gitignore listed
    assert PackList(tmp_path, {}).decide("sub/server.pem").packed


def test_a_deeper_ignore_file_can_bring_a_file_back(tmp_path: Path) -> None:
    write(tmp_path / ".npmignore", "*.pem\n")
    write(tmp_path / "lib" / "keys" / ".npmignore", "!server.pem\n")
    assert not decide(tmp_path, "lib/keys/other.pem")[0]
    assert decide(tmp_path, "lib/keys/server.pem") == (True, "brought back by a `!` pattern in lib/keys/.npmignore")


def test_workspaces_are_packed_with_the_root_package(tmp_path: Path) -> None:
    assert decide(tmp_path, "packages/api/.env", workspaces=["packages/*"])[0]


def test_expand_braces() -> None:
    assert expand_braces("a/{b,c}/{d,e}.js") == ["a/b/d.js", "a/b/e.js", "a/c/d.js", "a/c/e.js"]
    assert expand_braces("plain/*.js") == ["plain/*.js"]


# --- as a user runs it -----------------------------------------------------------------------------


def test_scan_reports_a_shipped_env_file_that_git_ignores(tmp_path: Path, tokens: TokenFactory) -> None:
    root = package(tmp_path / "lib")
    secret = env_file(root / ".env", tokens)
    write(root / ".gitignore", ".env\n")
    write(root / ".npmignore", "test/\n")
    write(root / "index.js", "module.exports = 1;\n")
    done = run_cli("scan", str(root), "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings if f["rule_id"] == "NW507"] == [("NW507", ".env")]
    assert secret not in done.stdout and secret not in done.stderr

    text = run_cli("secrets", str(root))
    assert "NW507" in text.stdout and secret not in text.stdout


def test_confidence_follows_how_likely_a_publish_is(tmp_path: Path, tokens: TokenFactory,
                                                    engine: SecretEngine) -> None:
    plain = package(tmp_path / "plain")
    released = package(tmp_path / "released", publishConfig={"access": "public"})
    fixture = package(tmp_path / "test" / "fixtures" / "pkg")
    for root in (plain, released, fixture):
        env_file(root / ".env", tokens)
    found = {name: shipped(tmp_path, engine, f"{name}/package.json")
             for name in ("plain", "released", "test/fixtures/pkg")}
    assert {name: [f.confidence.name.lower() for f in findings] for name, findings in found.items()} == {
        "plain": ["medium"], "released": ["high"], "test/fixtures/pkg": ["low"],
    }


# --- the model against npm itself (where npm is installed) -------------------------------------------

LAYOUT_FILES = (
    ".env", ".env.production", ".env.example", "index.js", "README.md", "server.js", "bin/tool.js", "lib/index.js",
    "lib/keys/server.pem", "lib/keys/id_rsa", "lib/.env", "sub/x.key", "sub/public.pem", "sub/deep/server.pem",
    "secrets/a.key", "dist/a.js", "dist/a.js.map", "dist/.env", "config/prod.json", "config/dev.json",
    "test/fixtures/key.pem", ".npmrc", "lib/.npmrc", "debug.log", "packages/api/.env", "x.orig", "certs/cert.p12",
)
LAYOUTS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "plain": ({}, {}),
    "gitignore": ({}, {".gitignore": ".env*\n*.key\n"}),
    "npmignore": ({}, {".gitignore": ".env*\n", ".npmignore": "/secrets/\n*.log\ntest/\n",
                       "sub/.gitignore": "*.pem\n!public.pem\n"}),
    "files": ({"files": ["dist", "lib/**/*.js", "!dist/**/*.map", "config/{prod,stage}.json", "*.js"],
               "main": "server.js", "bin": {"tool": "bin/tool.js"}},
              {".npmignore": "*.js\n", "lib/.npmignore": "keys/\n"}),
    "files-dir": ({"files": ["lib/", ".env*"]}, {}),
    "workspaces": ({"workspaces": ["packages/*"]}, {"packages/api/package.json": '{"name": "api"}'}),
    "bring-back": ({}, {".npmignore": "*.pem\n", "lib/.npmignore": "!keys/server.pem\n"}),
}


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_packing_model_agrees_with_npm_pack(tmp_path: Path, layout: str) -> None:
    manifest, extra = LAYOUTS[layout]
    root = package(tmp_path / "pkg", **manifest)
    for rel in LAYOUT_FILES:
        write(root / rel, "x\n")
    for rel, text in extra.items():
        write(root / rel, text)
    done = subprocess.run(
        ["npm", "pack", "--dry-run", "--json", "--offline", "--ignore-scripts"], cwd=root, capture_output=True,
        text=True, timeout=120, env={**os.environ, "npm_config_cache": str(tmp_path / "cache"),
                                     "npm_config_update_notifier": "false"},
    )
    assert done.returncode == 0, done.stderr
    by_npm = {entry["path"] for entry in json.loads(done.stdout)[0]["files"]}
    model = PackList(root, {"name": "my-lib", "version": "1.0.0", **manifest})
    ours = {rel for rel in walk_package(root, [], "package.json") if model.decide(rel).packed}
    assert ours == by_npm
