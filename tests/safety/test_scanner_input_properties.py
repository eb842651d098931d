"""The readers of data files as the scanners call them, on files on disk: whatever a package.json, lockfile,
.npmrc, .gitignore, .npmignore, .gitleaks.toml, tsconfig or baseline holds, the scanner returns notices
and carries on, and the helpers beside them fail only in the way they document.

test_parser_properties.py checks each parser on its own; this file checks the scanner boundary (where a
parser's error must become a notice) and the readers it leaves out: ignore files and the npm pack list,
the deps scanner's manifest and .npmrc reading, tsconfig outDir, gitleaks allow-lists, baselines and the
service-account check. The same mutants of the fixtures are used (see ``mutant`` there).
"""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from nodeward.baseline import BaselineError, load_baseline
from nodeward.deploy.emit import Emitter
from nodeward.deploy.manifests import check_yaml
from nodeward.scan import ScanOptions
from nodeward.scanners import ProjectContext
from nodeward.scanners.config import ConfigScanner
from nodeward.scanners.deps import DepsScanner
from nodeward.secrets.gitleaks import load_allowlist
from nodeward.secrets.hygiene import credential_file_kind
from nodeward.secrets.npm_package import PackList
from nodeward.sources.discover import FileKind, SourceFile, _tsconfig_out_dir, discover
from tests.safety.test_parser_properties import PROPERTY, fixture_texts, inputs, only_raises

LOCKFILE_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")
LOCKFILE_SEEDS = {name: fixture_texts(f"deps/*/{name}") for name in LOCKFILE_NAMES}
MANIFEST_SEEDS = fixture_texts("deps/*/package.json")
NPMRC_SEEDS = fixture_texts("config/scanned-as-npmrc", "secrets/*.npmrc")
IGNORE_SEEDS = ["node_modules/\n*.log\n.env\n/dist\n!keep.js\n**/tmp/**\n[Bb]uild/\n# comment\n\\#x\nsrc/[a-c]*.js\n"]


def write(directory: Path, name: str, text: str) -> SourceFile:
    path = directory / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    kind = {"package.json": FileKind.PACKAGE_JSON, ".npmrc": FileKind.NPMRC}.get(name, FileKind.LOCKFILE)
    return SourceFile(path, name, kind, path.stat().st_size)


@PROPERTY
@given(lockfile=st.sampled_from(LOCKFILE_NAMES).flatmap(lambda name: st.tuples(st.just(name),
                                                                               inputs(LOCKFILE_SEEDS[name]))),
       manifest=inputs(MANIFEST_SEEDS), npmrc=inputs(NPMRC_SEEDS))
@example(lockfile=("package-lock.json", '{"a":' * 10_000 + "}" * 10_000), manifest="[" * 10_000, npmrc="registry=[")
def test_deps_scanner_turns_any_project_into_findings_and_notices(
    lockfile: tuple[str, str], manifest: str, npmrc: str
) -> None:
    name, text = lockfile
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        files = [write(root, name, text), write(root, "package.json", manifest), write(root, ".npmrc", npmrc)]
        context = ProjectContext((root,), tuple(files), ScanOptions(scanners=frozenset({"deps"})))
        result = DepsScanner(frozenset({"NW602", "NW603", "NW604", "NW605", "NW606", "NW607"})).scan_project(
            files, context)
    assert all(notice.message and "internal error" not in notice.message for notice in result.notices)


@PROPERTY
@given(text=inputs(fixture_texts("config/*Dockerfile")))
def test_dockerfile_checks(text: str) -> None:
    file = SourceFile(Path("/nonexistent/Dockerfile"), "Dockerfile", FileKind.DOCKERFILE, len(text))
    ConfigScanner(None, today=datetime.date(2026, 1, 1)).scan_file(file, text.encode("utf-8", "replace"), text)


@PROPERTY
@given(text=inputs(fixture_texts("config/*.yml", "config/*.yaml", "secrets/compose.yml")))
def test_compose_and_kubernetes_checks(text: str) -> None:
    problem, line, _ = check_yaml(text, Emitter("deploy.yaml", text.splitlines()))
    assert line is None or problem


@PROPERTY
@given(gitignore=inputs(IGNORE_SEEDS), exclude=st.lists(inputs(IGNORE_SEEDS), max_size=3))
@example(gitignore="[z-a]\n", exclude=["[z-a]"])
def test_discovery_with_any_gitignore_and_exclude_patterns(gitignore: str, exclude: list[str]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / ".git").mkdir()
        (root / ".gitignore").write_text(gitignore, encoding="utf-8", errors="surrogatepass")
        (root / "src").mkdir()
        (root / "src" / "app.js").write_text("module.exports = 1;\n")
        found = discover([root], exclude=exclude)
    # An invalid pattern is an error message for the user, never a crash; the walk still happens.
    assert all(error.startswith(("invalid --exclude pattern", "cannot")) for error in found.errors)


@PROPERTY
@given(npmignore=inputs(IGNORE_SEEDS), files=st.lists(inputs(IGNORE_SEEDS), max_size=3),
       path=st.text(max_size=30))
@example(npmignore="[z-a]\n", files=["[z-a]", "lib/{a,b}"], path="[z-a]")
def test_npm_pack_list(npmignore: str, files: list[str], path: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / ".npmignore").write_text(npmignore, encoding="utf-8", errors="surrogatepass")
        pack = PackList(root, {"name": "x", "files": files, "main": path})
        pack.decide(path or "index.js")
        pack.decide("lib/.env")


@PROPERTY
@given(text=inputs(['[allowlist]\npaths = ["^test/", "fixtures/.*\\\\.json$"]\nregexes = ["EXAMPLE"]\n'
                    'stopwords = ["dummy"]\n[[allowlists]]\ncommits = ["abc"]\nregexTarget = "line"\n']))
def test_gitleaks_allowlist(text: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / ".gitleaks.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        load_allowlist(root)  # problems are listed in the result


@PROPERTY
@given(text=inputs(['{"compilerOptions": {"outDir": "./dist", /* c */ "strict": true,},\n// x\n"include": ["src"]}']))
def test_tsconfig_out_dir(text: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / "tsconfig.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        assert _tsconfig_out_dir(str(path)) is None or isinstance(_tsconfig_out_dir(str(path)), str)


BASELINE_SEED = json.dumps({"format": "nodeward-baseline", "version": 2, "findings": [
    {"fingerprint": "abc", "rule_id": "NW101", "path": "a.js", "message": "m"}]}, indent=2)


@PROPERTY
@given(text=inputs([BASELINE_SEED]))
def test_baseline_loader(text: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / "baseline.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        only_raises(lambda: load_baseline(path), BaselineError)


@PROPERTY
@given(text=inputs(['{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n' + "A" * 240
                    + '\\n-----END PRIVATE KEY-----\\n", "client_email": "x@y.iam.gserviceaccount.com"}']))
def test_service_account_check(text: str) -> None:
    credential_file_kind("key.json", text)
