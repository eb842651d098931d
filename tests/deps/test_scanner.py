"""The deps scanner as a user meets it: `nodeward scan` on projects with and without lockfiles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nodeward.findings import Confidence, Severity
from nodeward.scan import ScanOptions, run_scan
from tests.conftest import ROOT, run_cli
from tests.deps.conftest import FIXTURES


def _scan(path: Path, **options: object) -> tuple[list, list]:  # type: ignore[type-arg]
    outcome = run_scan([path], ScanOptions(scanners=frozenset({"deps"}), **options))  # type: ignore[arg-type]
    return outcome.result.findings, outcome.result.notices


def test_example_app_reports_lodash_with_its_advisories_and_fix() -> None:
    result = run_cli("scan", "examples/vulnerable-express", "--format", "json", "--no-progress")
    report = json.loads(result.stdout)
    lodash = [f for f in report["findings"] if f["rule_id"] == "NW601" and "lodash@4.17.4" in f["message"]]
    assert len(lodash) == 1
    message = lodash[0]["message"]
    for part in ("NSWG-ECO-493", "CVE-2018-16487", "NSWG-ECO-368", "CVE-2018-3721", "upgrade to 4.17.11",
                 "direct, production"):
        assert part in message
    assert lodash[0]["path"].endswith("package-lock.json") and lodash[0]["severity"] == "high"
    assert any(n["kind"] == "advisory-database" and "older than 7 days" in n["message"] for n in report["notices"])
    assert result.returncode == 1


def test_transitive_path_and_dev_only_findings_do_not_decide_the_exit_code_by_default() -> None:
    findings, _ = _scan(FIXTURES / "npm3")
    vulnerable = {f.message.split(" ")[0] if not f.message.startswith("dev") else "dev": f
                  for f in findings if f.rule_id == "NW601"}
    assert "via debug > ms" in vulnerable["ms@0.6.2"].message
    dev = vulnerable["dev"]
    assert "ms@0.7.0" in dev.message and dev.severity is Severity.INFO
    assert "1 package has known vulnerabilities: ms@0.7.0 [medium]" in dev.message  # one summary per lockfile
    included, _ = _scan(FIXTURES / "npm3", include_dev=True)
    assert any("ms@0.7.0 (direct, dev)" in f.message and f.severity is Severity.MEDIUM for f in included)


def test_sarif_points_at_the_lockfile_line_of_the_package() -> None:
    findings, _ = _scan(FIXTURES / "yarn1")
    lodash = next(f for f in findings if "lodash@4.17.4" in f.message)
    assert lodash.path == "yarn.lock" and lodash.snippet == "lodash@4.17.4:"


def test_package_json_without_lockfile_is_reported_and_checked_approximately(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"lodash": "^4.17.4", "express": "^4.0.0"}}))
    findings, _ = _scan(tmp_path)
    assert [f.rule_id for f in findings if f.rule_id == "NW607"] == ["NW607"]
    lodash = next(f for f in findings if f.rule_id == "NW601" and "lodash" in f.message)
    assert "approximate" in lodash.message and lodash.confidence is Confidence.LOW
    # a workspace member is covered by the lockfile at the root
    findings, _ = _scan(FIXTURES / "npm-workspace")
    assert not [f for f in findings if f.rule_id == "NW607"]


def _lockfile_findings(folder: Path, manifest: dict[str, object]) -> list[str]:
    (folder / "package.json").write_text(json.dumps(manifest))
    findings, _ = _scan(folder, selected_rules=frozenset({"NW607"}))
    return [f.message for f in findings]


def test_no_lockfile_is_reported_for_apps_counting_runtime_dependencies(tmp_path: Path) -> None:
    deps = {"dependencies": {"express": "^4.0.0"}, "devDependencies": {"jest": "^29.0.0", "eslint": "^9.0.0"}}
    app = tmp_path / "app"
    (app / ".git").mkdir(parents=True)  # a git checkout: the source of an app or a library
    assert _lockfile_findings(app, {"name": "app", "version": "1.0.0", **deps}) == [
        "1 runtime dependency declared but no lockfile found; versions are not pinned and vulnerability results "
        "for them are approximate"]
    assert _lockfile_findings(app, {"name": "app", "devDependencies": {"jest": "^29.0.0"}}) == []  # dev tools only
    private = tmp_path / "private-app"
    private.mkdir()
    assert len(_lockfile_findings(private, {"name": "p", "version": "1.0.0", "private": True, **deps})) == 1


def test_no_lockfile_is_not_reported_for_published_packages_or_when_npmrc_turns_lockfiles_off(tmp_path: Path) -> None:
    deps = {"dependencies": {"express": "^4.0.0", "debug": "^4.0.0"}}
    tarball = tmp_path / "unpacked"  # an unpacked tarball: no .gitignore nor .git, a name and a version
    tarball.mkdir()
    assert _lockfile_findings(tarball, {"name": "lib", "version": "2.1.0", "main": "index.js", **deps}) == []
    library = tmp_path / "library"
    (library / ".git").mkdir(parents=True)
    assert _lockfile_findings(library, {"name": "lib", "version": "2.1.0", "files": ["lib/"], **deps}) == []
    assert _lockfile_findings(library, {"name": "lib", "version": "2.1.0", "publishConfig": {}, **deps}) == []
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".gitignore").write_text("node_modules/\n")  # a source checkout (or a GitHub archive of one)
    assert len(_lockfile_findings(checkout, {"name": "lib", "version": "2.1.0", **deps})) == 1
    (checkout / ".npmrc").write_text("save-exact=true\npackage-lock = false\n")
    assert _lockfile_findings(checkout, {"name": "lib", "version": "2.1.0", **deps}) == []


def test_hygiene_checks(tmp_path: Path) -> None:
    lock = {
        "name": "app", "lockfileVersion": 3, "requires": True,
        "packages": {
            "": {"dependencies": {"a": "1.0.0", "b": "1.0.0", "c": "1.0.0", "d": "1.0.0", "e": "1.0.0"}},
            "node_modules/a": {"version": "1.0.0", "resolved": "http://registry.npmjs.org/a/-/a-1.0.0.tgz",
                               "integrity": "sha512-x"},
            "node_modules/b": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/u/b.git#abc"},
            "node_modules/c": {"version": "1.0.0", "resolved": "https://npm.evil.example/c/-/c-1.0.0.tgz",
                               "integrity": "sha512-x"},
            "node_modules/d": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/d/-/d-1.0.0.tgz"},
            "node_modules/e": {"version": "1.0.0", "resolved": "https://corp.example/e/-/e-1.0.0.tgz",
                               "integrity": "sha512-x"},
        },
    }
    (tmp_path / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (tmp_path / ".npmrc").write_text("@corp:registry=https://corp.example/\n")
    findings, _ = _scan(tmp_path)
    found = {(f.rule_id, f.message.split(" ")[0]) for f in findings}
    assert found == {("NW602", "a@1.0.0"), ("NW604", "b@1.0.0"), ("NW603", "c@1.0.0"), ("NW605", "1")}
    missing = next(f for f in findings if f.rule_id == "NW605")
    assert missing.message == "1 of 4 registry entries have no integrity hash in the lockfile: d@1.0.0"


def test_missing_integrity_is_one_finding_per_lockfile_counting_only_entries_that_can_carry_a_hash() -> None:
    findings, _ = _scan(FIXTURES / "integrity-mixed", selected_rules=frozenset({"NW605"}))
    # b and c lack a hash; the bundled, linked, workspace and git entries cannot have one and are not counted
    assert [(f.path, f.message) for f in findings] == [(
        "package-lock.json", "2 of 4 registry entries have no integrity hash in the lockfile: b@1.0.0, c@1.0.0",
    )]
    assert findings[0].snippet.strip() == '"node_modules/b": {'
    for complete in ("integrity-complete", "integrity-v1-bundled"):
        findings, _ = _scan(FIXTURES / complete, selected_rules=frozenset({"NW605"}))
        assert findings == [], complete


def test_missing_integrity_lists_a_few_packages_of_a_long_list(tmp_path: Path) -> None:
    names = [f"p{i:02}" for i in range(12)]
    lock = {"lockfileVersion": 3, "packages": {
        "": {"dependencies": {n: "1.0.0" for n in names}},
        **{f"node_modules/{n}": {"version": "1.0.0"} for n in names},
    }}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (tmp_path / "yarn-app").mkdir()
    (tmp_path / "yarn-app" / "yarn.lock").write_text(
        '# yarn lockfile v1\n\n"lib@file:../lib":\n  version "1.0.0"\n\n'
        'ms@2.0.0:\n  version "2.0.0"\n  resolved "https://registry.yarnpkg.com/ms/-/ms-2.0.0.tgz"\n'
        '  integrity sha1-VgiurfwAvmwpAd9fmGF4jeDVl8g=\n'
    )
    findings, _ = _scan(tmp_path, selected_rules=frozenset({"NW605"}))
    assert [f.message for f in findings] == [
        "12 of 12 registry entries have no integrity hash in the lockfile: p00@1.0.0, p01@1.0.0, p02@1.0.0, "
        "p03@1.0.0, p04@1.0.0 and 7 more"
    ]


def test_a_broken_lockfile_is_an_error_naming_the_file_never_zero_packages(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "npm3" / "package.json", tmp_path)
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 9, "packages": {}}')
    findings, notices = _scan(tmp_path)
    errors = [n for n in notices if n.kind == "error"]
    assert errors and errors[0].path == "package-lock.json" and "unknown lockfileVersion 9" in errors[0].message
    assert not [f for f in findings if f.rule_id == "NW607"]  # the lockfile exists, it just cannot be read


def test_a_tree_without_manifests_does_not_touch_the_database(cache_dir: Path) -> None:
    findings, notices = _scan(ROOT / "tests" / "fixtures" / "rules")
    assert findings == []
    assert all(n.kind == "skipped" for n in notices)
    assert not cache_dir.exists()


def test_a_long_dependency_chain_is_shown_capped_in_messages(tmp_path: Path) -> None:
    """3,000 packages, each depending on the next; the last is vulnerable (lodash 4.17.4)."""
    count = 3000
    names = [f"pkg-{i}" for i in range(count - 1)] + ["lodash"]
    blocks = ["# yarn lockfile v1\n"]
    for index, name in enumerate(names):
        version = "4.17.4" if name == "lodash" else "1.0.0"
        deps = f'  dependencies:\n    {names[index + 1]} "{"4.17.4" if index + 2 == count else "1.0.0"}"\n' \
            if index + 1 < count else ""
        blocks.append(f'{name}@{version}:\n  version "{version}"\n  integrity sha512-x\n{deps}')
    text = "\n".join(blocks)
    (tmp_path / "yarn.lock").write_text(text)
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"pkg-0": "1.0.0"}}))
    findings, _ = _scan(tmp_path)
    [lodash] = [f for f in findings if f.rule_id == "NW601"]
    assert "via pkg-0 > pkg-1 > pkg-2 > pkg-3 > … (2,993 more) > pkg-2997 > pkg-2998 > lodash" in lodash.message
    assert lodash.location.start_line == text.splitlines().index("lodash@4.17.4:") + 1


def test_an_advisory_in_the_lockfile_points_at_the_package_json_line_of_the_direct_dependency(tmp_path: Path) -> None:
    manifest = (FIXTURES / "npm3" / "package.json").read_text().splitlines()
    debug_line = next(n for n, line in enumerate(manifest, start=1) if '"debug":' in line)
    findings, _ = _scan(FIXTURES / "npm3")
    ms = next(f for f in findings if f.rule_id == "NW601" and f.message.startswith("ms@0.6.2"))
    assert ms.path == "package-lock.json"
    assert [(s.location.path, s.location.start_line, s.description) for s in ms.related] == [
        ("package.json", debug_line, "declares debug, which brings in ms@0.6.2")]
    shutil.copytree(FIXTURES / "npm3", tmp_path / "app")
    sarif = json.loads(run_cli("scan", str(tmp_path / "app"), "--scanners", "deps", "--format", "sarif").stdout)
    results = [r for r in sarif["runs"][0]["results"] if "ms@0.6.2 (transitive" in r["message"]["text"]]
    related = results[0]["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "package.json"
    assert related["physicalLocation"]["region"]["startLine"] == debug_line


def test_install_scripts_are_one_finding_per_lockfile_with_the_count_and_the_first_packages(tmp_path: Path) -> None:
    names = ["esbuild", "bcrypt", "sharp", "core-js", "fsevents", "node-sass", "puppeteer"]
    packages: dict[str, object] = {"": {"name": "app", "dependencies": {n: "1.0.0" for n in names[:6]},
                                        "devDependencies": {"puppeteer": "1.0.0"}}}
    for name in names:
        packages[f"node_modules/{name}"] = {
            "version": "1.0.0", "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
            "integrity": "sha512-x", "hasInstallScript": True, **({"dev": True} if name == "puppeteer" else {})}
    (tmp_path / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2))
    (tmp_path / "package.json").write_text(json.dumps(packages[""]))
    findings, _ = _scan(tmp_path)
    [scripts] = [f for f in findings if f.rule_id == "NW606"]
    assert scripts.message.startswith("7 packages run an install script (6 production, 1 dev); review them: "
                                      "esbuild@1.0.0 (esbuild), bcrypt@1.0.0 (bcrypt)")
    assert scripts.message.endswith("and 2 more")


def test_malformed_resolved_and_registry_urls_are_judged_without_an_internal_error(tmp_path: Path) -> None:
    lock = {"lockfileVersion": 3, "packages": {"": {"dependencies": {"a": "1"}}, "node_modules/a": {
        "version": "1.0.0", "resolved": "http://[::1/a/-/a-1.0.0.tgz", "integrity": "sha512-x"}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"a": "1"}}))
    (tmp_path / ".npmrc").write_text("registry=http://[zz/\n")
    findings, notices = _scan(tmp_path)
    assert {f.rule_id for f in findings} >= {"NW602"}  # plain HTTP is still seen in a URL Python cannot parse
    assert not [n for n in notices if n.kind == "error"]
