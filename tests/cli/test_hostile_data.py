"""Data files written to break a scanner (nested 10,000 deep, self-referencing, malformed, bad globs): each
is a notice for its own file, and the scan goes on to report what the rest of the tree holds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

DEEP = 10_000
DEEP_OBJECT = '{"a":' * DEEP + "1" + "}" * DEEP
DEEP_ARRAY = "[" * DEEP + "]" * DEEP

#: path -> content; every one must be named in a notice.
HOSTILE = {
    "package.json": DEEP_OBJECT,
    "lock/package-lock.json": DEEP_OBJECT,
    "shrinkwrap/npm-shrinkwrap.json": DEEP_ARRAY,
    "bun/bun.lock": '{"lockfileVersion": 1, "packages": ' + DEEP_OBJECT + "}",
    "pnpm/pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages: " + DEEP_ARRAY + "\n",
    "yarn/yarn.lock": "__metadata:\n  version: 8\nx: &x [*x]\n",
    "deploy/docker-compose.yml": "services:\n  api:\n    image: node\n    x: &x [*x]\n",
    "deploy/pod.yaml": "apiVersion: v1\nkind: Pod\nspec: " + "[" * 300 + "]" * 300 + "\n",
}
#: Files that must not stop anything, though no notice is promised (their readers leave bad parts out).
TOLERATED = {
    "lock/package.json": '{"dependencies": {"a": "1.0.0"}}',
    "Dockerfile": "FROM node:20\nUSER node\nCMD " + DEEP_ARRAY + "\n",
    "tsconfig.json": '{"compilerOptions": ' + DEEP_OBJECT + "}",
    "dist/out.js": "module.exports = 1;\n",
    ".gitignore": "[z-a]\n*.log\n",
    ".dockerignore": "[z-a]\n[[]\n",
    ".gitleaks.toml": "[allowlist]\npaths = " + "[" * 3000 + "]" * 3000 + "\n",
}


def test_hostile_data_files_are_notices_and_the_scan_goes_on(tmp_path: Path) -> None:
    for name, text in {**HOSTILE, **TOLERATED}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "app.js").write_text("eval(process.argv[2]);\n")
    done = run_cli("scan", str(tmp_path), "--format", "json")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert ("app.js", "NW102") in {(f["path"], f["rule_id"]) for f in report["findings"]}
    noticed = {notice["path"] for notice in report["notices"]}
    assert set(HOSTILE) <= noticed
    messages = " ".join(notice["message"] for notice in report["notices"])
    assert "nested more than 200 levels deep" in messages and "contains itself" in messages
    assert "internal error" not in messages
