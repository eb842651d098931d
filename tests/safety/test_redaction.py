"""No secret reaches any output: a tree full of secrets of every kind, every report format, every byte.

The tree holds provider tokens, generic passwords, private keys in every shape code writes them
(escaped, concatenated, joined, template, base64, in a service-account JSON), `.env` and `.npmrc`
credentials, secrets that code rules see (JWT and session secrets), secrets on and beside lines where
code rules fire (so they sit in other findings' snippets and code frames), a suppressed one, and
secrets that only git history still holds. Every format is rendered with everything switched on; the
output must not contain any secret, nor any 12-character slice of one, raw or in the decoded strings of
JSON, SARIF, HTML and JUnit documents. All values are generated at run time (tests/secrets/tokens.py).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import pytest

from tests.conftest import run_cli
from tests.secrets.tokens import PEM_SHAPES, TokenFactory, pem_in_shape, pem_key

SLICE = 12  # no run of this many characters of a secret may be shown


@dataclass
class SecretTree:
    root: Path
    secrets: dict[str, str] = field(default_factory=dict)  # what it is -> the value

    def add(self, name: str, value: str) -> str:
        self.secrets[name] = value
        return value


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@users.invalid",
                    "-c", "commit.gpgsign=false", *args], capture_output=True, check=True)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_tree(root: Path) -> SecretTree:
    f = TokenFactory(seed=1313)
    tree = SecretTree(root)
    add = tree.add
    root.mkdir()
    git(root, "init", "-q", "-b", "main")

    # Secrets that only history holds: a token in a deleted file, a deleted .env file.
    sendgrid = add("sendgrid", f.make("sendgrid-api-key"))
    write(root / "old" / "config.js", f'module.exports = {{ sendgrid: "{sendgrid}" }};\n')
    stripe_old, password_old = add("stripe-old", f.make("stripe-secret-key")), add("env-old", f.make("generic-secret"))
    write(root / ".env.production", f"STRIPE_SECRET={stripe_old}\nDATABASE_PASSWORD={password_old}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    git(root, "rm", "-q", "old/config.js", ".env.production")
    git(root, "commit", "-q", "-m", "remove secrets")

    write(root / "package.json", json.dumps({"name": "secret-app", "version": "1.0.0", "dependencies": {
        "express": "^4.18.0", "jsonwebtoken": "^9.0.0", "express-session": "^1.17.0"}}, indent=2) + "\n")
    # Tokens on and beside the lines of code findings (command and code injection).
    github, stripe, slack = (add(name, f.make(kind)) for name, kind in [
        ("github", "github-pat-classic"), ("stripe", "stripe-secret-key"), ("slack", "slack-bot-token")])
    npm, aws_secret, aws_id, openai = (add(name, f.make(kind)) for name, kind in [
        ("npm", "npm-access-token"), ("aws-secret", "aws-secret-access-key"), ("aws-id", "aws-access-key-id"),
        ("openai", "openai-api-key")])
    write(root / "src" / "tokens.js", f"""const express = require("express");
const cp = require("child_process");
const app = express();
const GITHUB_TOKEN = "{github}";
const clients = {{ stripe: "{stripe}", slack: "{slack}" }};
app.get("/deploy", (req, res) => {{
  cp.exec("deploy --token {npm} --to " + req.query.target);
  const awsSecretAccessKey = "{aws_secret}";
  const awsKeyId = "{aws_id}";
  res.send(eval(req.query.code + "{openai}"));
}});
app.listen(3000);
module.exports = {{ GITHUB_TOKEN, clients }};
""")
    # Secrets only code rules see (a JWT key and a session secret no detector would take for one).
    generic, session_secret = add("generic", f.make("generic-secret")), add("session", "purple monkey dishwasher 7")
    jwt_secret = add("jwt-secret", f.chars("abcdefghkmnpqrstuvwxyz23456789", 20))
    db_password, jwt = add("db-url", f.make("database-url-password")), add("jwt", f.make("jwt"))
    write(root / "src" / "auth.js", f"""const express = require("express");
const jwt = require("jsonwebtoken");
const session = require("express-session");
const app = express();
const dbPassword = "{generic}";
app.use(session({{ name: "sid", secret: "{session_secret}" }}));
const issue = (user) => jwt.sign({{ sub: user.id }}, "{jwt_secret}", {{ expiresIn: "1h" }});
const db = "postgres://app:{db_password}@db.internal:5432/app";
const token = "{jwt}";
module.exports = {{ app, issue, db, dbPassword, token }};
""")
    # Private keys in every shape, each between two command-injection findings whose frames show it.
    keys = ['const cp = require("child_process");']
    for number, shape in enumerate(PEM_SHAPES, start=1):
        body = add(f"pem-{shape}", f.pem_body(12))
        written = pem_in_shape(body, shape)
        if shape.startswith("base64"):
            add(f"pem-{shape}-blob", base64.b64encode(pem_key(body).rstrip("\n").encode()).decode())
        quoted = written if written[0] in "`[" else f"'{written}'"
        keys += [f"cp.exec(process.argv[{number}]);", f"const key{number} = {quoted};",
                 f"cp.execSync(process.argv[{number}] + key{number});"]
    write(root / "src" / "keys.js", "\n".join(keys) + "\n")
    account_key = add("pem-service-account", f.pem_body(12))
    write(root / "service-account.json", json.dumps({
        "type": "service_account", "project_id": "demo", "private_key_id": f.chars("0123456789abcdef", 40),
        "private_key": pem_in_shape(account_key, "template", "PRIVATE KEY").strip("`") + "\n",
        "client_email": "app@demo.iam.gserviceaccount.com"}, indent=2) + "\n")
    # A key base64-encoded in lines of 76 characters, as `base64` writes a file.
    wrapped_key = add("pem-b64-file", f.pem_body(12))
    wrapped_blob = add("pem-b64-file-blob", base64.b64encode(pem_key(wrapped_key).encode()).decode())
    write(root / "deploy" / "signing-key.b64", "\n".join(wrapped_blob[i : i + 76]
                                                         for i in range(0, len(wrapped_blob), 76)) + "\n")
    # Configuration files: .env, .npmrc, a Dockerfile and a compose file with literal secrets.
    gitlab, env_secret = add("env-gitlab", f.make("gitlab-pat")), add("env-generic", f.make("generic-secret"))
    write(root / ".env", f"API_TOKEN={gitlab}\nSESSION_SECRET={env_secret}\nPORT=3000\n")
    write(root / ".npmrc", f"//registry.npmjs.org/:_authToken={add('npmrc', f.make('npmrc-auth'))}\n")
    docker_secret = add("docker-env", f.chars("0123456789abcdef", 32))
    write(root / "Dockerfile", f"FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nENV JWT_SECRET={docker_secret}\n"
                               "RUN npm ci\nCMD [\"node\", \"src/tokens.js\"]\n")
    compose_secret = add("compose", f.make("generic-secret"))
    write(root / "docker-compose.yml", f"services:\n  app:\n    build: .\n    environment:\n"
                                       f"      DB_PASSWORD: {compose_secret}\n")
    # A token in a minified bundle: not analysed as code, still a secret.
    bundled = add("bundled", f.make("google-api-key"))
    write(root / "public" / "bundle.min.js", f'!function(){{var k="{bundled}";window.k=k}}();\n')
    # A suppressed finding: reported with --include-suppressed, redacted all the same.
    legacy = add("suppressed", f.make("github-oauth-token"))
    write(root / "src" / "suppressed.js", f'const legacy = "{legacy}"; // nodeward-ignore NW501 -- rotated\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "app")
    return tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> SecretTree:
    return build_tree(tmp_path_factory.mktemp("secrets") / "repo")


def secret_forms(value: str) -> Iterator[str]:
    """The value, and for a key body also its lines run together (12-character slices across lines)."""
    yield value
    if "\n" in value:
        yield value.replace("\n", "")


def leaks(output: str, secrets: dict[str, str]) -> list[str]:
    automaton = ahocorasick.Automaton()
    for name, value in secrets.items():
        for form in secret_forms(value):
            if len(form) < SLICE:
                automaton.add_word(form, name)
            for start in range(len(form) - SLICE + 1):
                automaton.add_word(form[start : start + SLICE], name)
    automaton.make_automaton()
    found: dict[str, str] = {}
    for end, name in automaton.iter(output):
        found.setdefault(name, output[max(0, end - 60) : end + 20])
    return [f"{name}: ...{excerpt}..." for name, excerpt in sorted(found.items())]


def decoded_strings(fmt: str, output: str) -> str:
    """The strings of a structured report as a reader's parser sees them (escapes undone)."""
    if fmt in ("json", "sarif", "gitlab", "baseline"):
        return "\n".join(_strings(json.loads(output)))
    if fmt == "html":
        data = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', output, re.DOTALL)
        assert data is not None, "the HTML report carries its data as JSON"
        return "\n".join(_strings(json.loads(data.group(1))))
    if fmt == "junit":
        root = ET.fromstring(output)
        return "\n".join(t for element in root.iter() for t in (element.text or "", *element.attrib.values()))
    return output


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


FORMATS = ["text", "json", "sarif", "html", "junit", "gitlab", "github", "markdown"]
EVERYTHING = ("--history", "--include-suppressed", "--min-confidence", "low", "--no-progress", "-j", "1")


def assert_no_leak(tree: SecretTree, fmt: str, output: str) -> None:
    assert not (found := leaks(output, tree.secrets)), f"{fmt} output shows secrets:\n" + "\n".join(found)
    decoded = decoded_strings(fmt, output)
    assert not (found := leaks(decoded, tree.secrets)), f"{fmt} strings show secrets:\n" + "\n".join(found)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_report_format_shows_a_secret(tree: SecretTree, fmt: str) -> None:
    done = run_cli("scan", str(tree.root), "--format", fmt, "--no-color", *EVERYTHING)
    assert done.returncode == 1, done.stderr
    assert_no_leak(tree, fmt, done.stdout + done.stderr)


def test_verbose_text_and_report_files_show_no_secret(tree: SecretTree, tmp_path: Path) -> None:
    done = run_cli("scan", str(tree.root), "--verbose", "--color", *EVERYTHING)
    assert done.returncode == 1, done.stderr
    assert_no_leak(tree, "text", done.stdout + done.stderr)
    report = tmp_path / "report.sarif"
    done = run_cli("secrets", str(tree.root), "--history", "--format", "sarif", "--output", str(report))
    assert done.returncode == 1, done.stderr
    assert_no_leak(tree, "sarif", report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", ["sarif", "html"])
def test_secrets_stay_masked_when_the_secrets_scanner_is_off(tree: SecretTree, fmt: str) -> None:
    """Code and configuration findings still show the lines around them: the secrets there are masked too."""
    done = run_cli("scan", str(tree.root), "--scanners", "code,config,deps", "--format", fmt, *EVERYTHING)
    assert done.returncode == 1, done.stderr
    assert "NW101" in done.stdout
    assert_no_leak(tree, fmt, done.stdout + done.stderr)


def test_baseline_files_and_baselined_reports_show_no_secret(tree: SecretTree, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    done = run_cli("baseline", "create", str(tree.root), "--file", str(baseline))
    assert done.returncode == 0, done.stderr
    assert_no_leak(tree, "baseline", baseline.read_text(encoding="utf-8"))
    done = run_cli("scan", str(tree.root), "--baseline", str(baseline), "--format", "sarif", *EVERYTHING)
    assert_no_leak(tree, "sarif", done.stdout + done.stderr)


def test_the_tree_gives_the_findings_the_test_relies_on(tree: SecretTree) -> None:
    """The leak checks above mean something only if the secrets are found and code rules fire beside them."""
    done = run_cli("scan", str(tree.root), "--format", "json", *EVERYTHING)
    report = json.loads(done.stdout)
    found = {(f["path"], f["rule_id"]) for f in report["findings"] + report["suppressed_findings"]}
    for expected in [("src/tokens.js", "NW501"), ("src/tokens.js", "NW101"), ("src/tokens.js", "NW102"),
                     ("src/auth.js", "NW208"), ("src/auth.js", "NW312"), ("src/auth.js", "NW502"),
                     ("src/keys.js", "NW101"), ("src/keys.js", "NW503"), ("service-account.json", "NW503"),
                     ("deploy/signing-key.b64", "NW503"),
                     (".env", "NW505"), (".npmrc", "NW506"), ("Dockerfile", "NW702"), ("old/config.js", "NW504"),
                     ("src/suppressed.js", "NW501"), ("public/bundle.min.js", "NW501")]:
        assert expected in found, expected
    keys = [f for f in report["findings"] if f["path"] == "src/keys.js" and f["rule_id"] == "NW503"]
    assert len(keys) == len(PEM_SHAPES), [f["start_line"] for f in keys]
