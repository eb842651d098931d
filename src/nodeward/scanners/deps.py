"""The dependency scanner: every lockfile under the scanned paths, against the offline advisory database,
plus lockfile hygiene (where packages come from, integrity hashes, install scripts, missing lockfiles).

It runs once per scan in the main process, because a lockfile is read together with the package.json
and .npmrc beside it. Heavy imports (YAML, SQLite, node-semver) happen only when there is something to
read, so a tree without package manifests costs nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from nodeward.datafiles import DataFileError, load_json
from nodeward.findings import Confidence, FileNotice, Finding, Location, Severity, Suppression, TraceStep
from nodeward.scanners import FileResult, ProjectContext
from nodeward.sources.discover import FileKind, SourceFile, read_regular_file
from nodeward.sources.package_identity import is_published_package

if TYPE_CHECKING:
    from nodeward.deps.advisories.model import Advisory
    from nodeward.deps.ignores import AdvisoryIgnores
    from nodeward.deps.match import Vulnerable
    from nodeward.deps.model import InstalledPackage
    from nodeward.rules.base import Rule

#: Registry hosts trusted without configuration: the public npm registry and yarn's mirror of it.
DEFAULT_REGISTRY_HOSTS = frozenset({"registry.npmjs.org", "registry.yarnpkg.com", "registry.npmjs.com"})
_GIT_PREFIXES = ("git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "ssh:")
_LOCAL_PREFIXES = ("file:", "link:", "workspace:", "portal:", "patch:", "exec:")
#: How many packages a missing-integrity finding names before "and N more".
_LISTED_PACKAGES = 5


def _dirname(display_path: str) -> str:
    return posixpath.dirname(display_path)


def _is_within(directory: str, ancestor: str) -> bool:
    return ancestor == "" or directory == ancestor or directory.startswith(ancestor.rstrip("/") + "/")


@dataclass
class _Project:
    """What one lockfile or manifest contributes: its packages and the text to point findings at."""

    path: str
    lines: list[str]
    packages: list[InstalledPackage] = field(default_factory=list)
    #: The package.json beside a lockfile (path, lines): where the direct dependencies are declared.
    manifest: tuple[str, list[str]] | None = None


class DepsScanner:
    name = "deps"
    kinds = frozenset({FileKind.LOCKFILE, FileKind.PACKAGE_JSON, FileKind.NPMRC})

    def __init__(self, selected_rules: frozenset[str] | None = None) -> None:
        self.selected = selected_rules

    def _wants(self, rule_id: str) -> bool:
        return self.selected is None or rule_id in self.selected

    def scan_project(self, files: Sequence[SourceFile], context: ProjectContext) -> FileResult:
        result = FileResult(scanned=False)
        lockfiles = [f for f in files if f.kind is FileKind.LOCKFILE]
        manifests = [f for f in files if f.kind is FileKind.PACKAGE_JSON]
        if not lockfiles and not manifests:
            return result
        from nodeward.deps.lockfiles import parse_lockfile
        from nodeward.deps.lockfiles.common import manifest_roots
        from nodeward.deps.model import LockfileError

        texts: dict[str, str] = {}
        for file in files:
            try:
                texts[file.display_path] = read_regular_file(file.path).decode("utf-8", "replace")
            except OSError as error:
                result.notices.append(FileNotice(file.display_path, "error", f"cannot read: {error.strerror}"))
        manifest_data: dict[str, dict[str, Any]] = {}
        for file in manifests:
            if file.display_path not in texts:
                continue
            try:
                data = load_json(texts[file.display_path])
            except DataFileError as error:
                result.notices.append(FileNotice(file.display_path, "error", str(error), error.line))
                continue
            if isinstance(data, dict):
                manifest_data[_dirname(file.display_path)] = data
        registries = set(DEFAULT_REGISTRY_HOSTS) | self._configured_registries(files, texts)
        projects: list[_Project] = []
        lock_dirs: set[str] = set()
        for file in lockfiles:
            text = texts.get(file.display_path)
            if text is None:
                continue
            directory = _dirname(file.display_path)
            lock_dirs.add(directory)
            try:
                lockfile = parse_lockfile(file.display_path, text, manifest_data.get(directory))
            except LockfileError as error:
                result.notices.append(FileNotice(file.display_path, "error", f"lockfile not read: {error}"))
                continue
            manifest_path = posixpath.join(directory, "package.json") if directory else "package.json"
            manifest = (manifest_path, texts[manifest_path].splitlines()) if manifest_path in texts else None
            projects.append(_Project(file.display_path, text.splitlines(), lockfile.packages, manifest))
            result.lines += text.count("\n") + 1
            result.scanned = True
        for file in manifests:
            directory = _dirname(file.display_path)
            data = manifest_data.get(directory)
            if data is None or any(_is_within(directory, d) for d in lock_dirs):
                continue
            roots = manifest_roots(data)
            if not roots:
                continue
            text = texts[file.display_path]
            project = _Project(file.display_path, text.splitlines(), self._approximate(roots, text))
            projects.append(project)
            result.scanned = True
            runtime = sum(1 for _name, _spec, dev in roots if not dev)
            if (runtime and self._wants("NW607") and not lockfile_disabled(directory, files, texts)
                    and not is_published_package(data, file.path.parent)):
                from nodeward.rules.dependencies.package_json_without_lockfile import PackageJsonWithoutLockfile

                line = _find_line(project.lines, '"dependencies"') or _find_line(project.lines, "Dependencies") or 1
                result.findings.append(
                    self._finding(
                        PackageJsonWithoutLockfile, project, line,
                        f"{runtime} runtime {'dependency' if runtime == 1 else 'dependencies'} declared but no "
                        "lockfile found; versions are not pinned and vulnerability results for them are approximate",
                    )
                )
        for project in projects:
            result.findings.extend(self._hygiene(project, registries))
        if self._wants("NW601") and any(p.packages for p in projects):
            result.findings.extend(self._vulnerabilities(projects, context, result))
        return result

    # -- inputs ---------------------------------------------------------------------------------

    @staticmethod
    def _configured_registries(files: Sequence[SourceFile], texts: dict[str, str]) -> set[str]:
        hosts: set[str] = set()
        for file in files:
            if file.kind is not FileKind.NPMRC:
                continue
            for line in texts.get(file.display_path, "").splitlines():
                key, _, value = line.partition("=")
                if key.strip().endswith("registry") and "://" in value:
                    host = _host(value.strip().strip("\"'"))
                    if host:
                        hosts.add(host.lower())
        return hosts

    @staticmethod
    def _approximate(roots: list[tuple[str, str, bool]], text: str) -> list[InstalledPackage]:
        from nodeward.deps.model import DependencyPath, InstalledPackage
        from nodeward.deps.semver import lowest_version

        key_lines = _json_key_lines(text)
        packages = []
        for name, spec, dev in roots:
            version = lowest_version(spec)
            if version is None:
                continue
            packages.append(
                InstalledPackage(
                    name, version, direct=True, dev=dev, path=DependencyPath(name), line=key_lines.get(name),
                    approximate=True, spec=spec, integrity="-",
                )
            )
        return packages

    # -- findings -------------------------------------------------------------------------------

    @staticmethod
    def _finding(
        rule: type[Rule], project: _Project, line: int | None, message: str, *,
        severity: Severity | None = None, confidence: Confidence | None = None, fix: str | None = None,
    ) -> Finding:
        from nodeward.rules.base import make_finding

        number = line or 1
        snippet = project.lines[number - 1].rstrip() if 0 < number <= len(project.lines) else ""
        end_column = len(snippet) + 1 if snippet else 1
        location = Location(project.path, number, 1, number, end_column)
        return make_finding(rule, message, location, snippet, severity=severity, confidence=confidence, fix=fix)

    def _hygiene(self, project: _Project, registries: set[str]) -> list[Finding]:
        from nodeward.rules.dependencies.git_or_tarball_dependency import GitOrTarballDependency
        from nodeward.rules.dependencies.insecure_registry_url import InsecureRegistryUrl
        from nodeward.rules.dependencies.untrusted_registry_host import UntrustedRegistryHost

        findings: list[Finding] = []
        hashable: list[InstalledPackage] = []
        for package in project.packages:
            if package.approximate:
                continue
            resolved = package.resolved.strip()
            lower = resolved.lower()
            is_git = lower.startswith(_GIT_PREFIXES) or ".git#" in lower or lower.endswith(".git")
            is_local = lower.startswith(_LOCAL_PREFIXES)
            where = f"{package.label} ({package.path.shown()})"
            if is_git and self._wants("NW604"):
                findings.append(self._finding(
                    GitOrTarballDependency, project, package.line,
                    f"{where} is installed from git ({resolved}), outside the registry",
                ))
            elif lower.startswith(("http://", "https://")):
                host = _host(resolved)
                scheme, _, rest = lower.partition("://")
                url_path = rest[rest.find("/"):] if "/" in rest else ""
                if scheme == "http" and self._wants("NW602"):
                    findings.append(self._finding(
                        InsecureRegistryUrl, project, package.line,
                        f"{where} is downloaded over plain HTTP: {resolved}",
                    ))
                if host not in registries:
                    if "/-/" in url_path and self._wants("NW603"):
                        findings.append(self._finding(
                            UntrustedRegistryHost, project, package.line,
                            f"{where} is resolved from {host}, which is not a configured registry",
                        ))
                    elif "/-/" not in url_path and self._wants("NW604"):
                        findings.append(self._finding(
                            GitOrTarballDependency, project, package.line,
                            f"{where} is installed from a tarball URL ({resolved}), outside the registry",
                        ))
            # Git and local packages are not tarballs of a registry, and a bundled one comes inside its
            # parent's tarball: none of them can carry a hash of its own.
            if not (is_git or is_local or package.bundled):
                hashable.append(package)
        scripted = [p for p in project.packages if p.install_script and not p.approximate]
        if scripted and self._wants("NW606"):
            findings.append(self._install_scripts(project, scripted))
        unhashed = [p for p in hashable if not p.integrity]
        if unhashed and self._wants("NW605"):
            findings.append(self._missing_integrity(project, unhashed, len(hashable)))
        return findings

    def _install_scripts(self, project: _Project, scripted: list[InstalledPackage]) -> Finding:
        """One finding per lockfile: the list to review is one piece of work, not one problem per package."""
        from nodeward.rules.dependencies.dependency_install_script import DependencyInstallScript

        scripted = sorted(scripted, key=lambda p: (p.dev, p.line or 0))
        production = sum(1 for p in scripted if not p.dev)
        shown = ", ".join(f"{p.label} ({p.path.shown()})" for p in scripted[:_LISTED_PACKAGES])
        more = f" and {len(scripted) - _LISTED_PACKAGES} more" if len(scripted) > _LISTED_PACKAGES else ""
        packages = "package runs" if len(scripted) == 1 else "packages run"
        return self._finding(
            DependencyInstallScript, project, scripted[0].line,
            f"{len(scripted)} {packages} an install script ({production} production, {len(scripted) - production} "
            f"dev); review them: {shown}{more}",
        )

    def _missing_integrity(self, project: _Project, unhashed: list[InstalledPackage], hashable: int) -> Finding:
        """One finding per lockfile: the cause (how it was written) is the same for every entry."""
        from nodeward.rules.dependencies.missing_integrity_hash import MissingIntegrityHash

        unhashed = sorted(unhashed, key=lambda p: p.line or 0)
        shown = ", ".join(p.label for p in unhashed[:_LISTED_PACKAGES])
        more = f" and {len(unhashed) - _LISTED_PACKAGES} more" if len(unhashed) > _LISTED_PACKAGES else ""
        entries = "entry has" if hashable == 1 else "entries have"
        return self._finding(
            MissingIntegrityHash, project, unhashed[0].line,
            f"{len(unhashed)} of {hashable} registry {entries} no integrity hash in the lockfile: {shown}{more}",
        )

    def _vulnerabilities(self, projects: list[_Project], context: ProjectContext, result: FileResult) -> list[Finding]:
        from nodeward.deps.advisories.db import AdvisoryDatabase, DatabaseError
        from nodeward.deps.ignores import AdvisoryIgnores, today
        from nodeward.deps.match import match_packages

        try:
            database = AdvisoryDatabase.open_default()
        except (DatabaseError, OSError) as error:
            result.notices.append(FileNotice("advisory database", "error", f"cannot open: {error}"))
            return []
        include_dev = bool(getattr(context.options, "include_dev", False))
        ignores = AdvisoryIgnores(tuple(getattr(context.options, "advisory_ignores", ())), today())
        findings: list[Finding] = []
        with database:
            status = database.status()
            message = status.describe()
            if status.stale:
                message += "; older than 7 days, so newer advisories are missed: run `nodeward db update`"
            result.notices.append(FileNotice(str(status.path), "advisory-database", message))
            for project in projects:
                dev_only: list[Vulnerable] = []
                for vulnerable in match_packages(project.packages, database.for_packages):
                    finding = self._accepted_or_reported(project, vulnerable, include_dev, ignores, result)
                    if finding is None:
                        continue
                    if vulnerable.package.dev and not include_dev:
                        dev_only.append(vulnerable)
                    else:
                        findings.append(finding)
                if dev_only:
                    findings.append(self._dev_only_summary(project, dev_only))
        self._ignore_notices(ignores, result)
        return findings

    def _accepted_or_reported(
        self, project: _Project, vulnerable: Vulnerable, include_dev: bool, ignores: AdvisoryIgnores,
        result: FileResult,
    ) -> Finding | None:
        """The finding for ``vulnerable`` without the advisories ignored today; a suppressed one when all are."""
        from nodeward.deps.match import Vulnerable, fixed_version

        package = vulnerable.package
        reported: list[Advisory] = []
        reasons: list[str] = []
        for advisory in vulnerable.advisories:
            entry = ignores.in_force(advisory)
            if entry is None:
                reported.append(advisory)
                expired = ignores.expired(advisory)
                if expired is not None:
                    ignores.reported_again.setdefault(expired, []).append(f"{package.label} in {project.path}")
                continue
            reason = f"{advisory.id} ignored until {entry.expires.isoformat()}: {entry.reason}"
            reasons.append(reason)
            result.notices.append(FileNotice(project.path, "ignored-advisory", f"{package.label}: {reason}",
                                             package.line))
        if not reasons:
            return self._vulnerability_finding(project, vulnerable, include_dev)
        if reported:
            remaining = Vulnerable(package, tuple(reported), fixed_version(package.version, reported, package.name))
            return self._vulnerability_finding(project, remaining, include_dev)
        result.suppressed += 1
        finding = self._vulnerability_finding(project, vulnerable, include_dev)
        result.suppressed_findings.append(replace(finding, suppression=Suppression("external", "; ".join(reasons))))
        return None

    def _dev_only_summary(self, project: _Project, dev_only: list[Vulnerable]) -> Finding:
        """Vulnerable packages only tools and tests use: one info finding per lockfile (--include-dev lists each)."""
        from nodeward.rules.dependencies.vulnerable_dependency import VulnerableDependency

        dev_only = sorted(dev_only, key=lambda v: (-v.severity, v.package.line or 0))
        shown = ", ".join(f"{v.package.label} [{v.severity.label}]" for v in dev_only[:_LISTED_PACKAGES])
        more = f" and {len(dev_only) - _LISTED_PACKAGES} more" if len(dev_only) > _LISTED_PACKAGES else ""
        packages = "package has" if len(dev_only) == 1 else "packages have"
        return self._finding(
            VulnerableDependency, project, dev_only[0].package.line,
            f"dev only (reported as info; --include-dev reports each at its severity): {len(dev_only)} {packages} "
            f"known vulnerabilities: {shown}{more}", severity=Severity.INFO,
            fix="Upgrade the dev dependencies that bring these packages in; run with --include-dev for the details.")

    def _ignore_notices(self, ignores: AdvisoryIgnores, result: FileResult) -> None:
        """An expired entry whose advisory is back, and entries that matched no installed package."""
        for entry, where in ignores.reported_again.items():
            result.notices.append(FileNotice(
                _shown_path(entry.source), "expired-ignore",
                f"the ignore of {entry.id} expired on {entry.expires.isoformat()} ({entry.reason}); reported again: "
                f"{', '.join(where)}", entry.line,
            ))
        for entry in ignores.unused():
            expired = "" if ignores.on < entry.expires else f" (expired on {entry.expires.isoformat()})"
            result.notices.append(FileNotice(
                _shown_path(entry.source), "unused-ignore",
                f"the ignore of {entry.id}{expired} matched no installed package: remove it", entry.line,
            ))

    def _vulnerability_finding(self, project: _Project, vulnerable: Vulnerable, include_dev: bool) -> Finding:
        from nodeward.rules.dependencies.vulnerable_dependency import VulnerableDependency

        package = vulnerable.package
        advisories = "; ".join(
            f"{a.id}{' (' + ', '.join(a.aliases) + ')' if a.aliases else ''} [{a.severity.label}] {a.summary}"
            for a in sorted(vulnerable.advisories, key=lambda a: (-a.severity, a.id))
        )
        fix = f"upgrade to {vulnerable.fixed_version}" if vulnerable.fixed_version else "no fixed version known"
        kind = ("direct" if package.direct else "transitive") + (", dev" if package.dev else ", production")
        via = "" if len(package.path) <= 1 else f" via {package.path.shown()}"
        prefix = ""
        severity = vulnerable.severity
        confidence: Confidence | None = None
        if package.approximate:
            prefix = f"package.json range {package.spec!r} allows {package.label} (approximate: no lockfile); "
            confidence = Confidence.LOW
        if package.dev and not include_dev:
            prefix = f"dev only, {severity.label} (reported as info; --include-dev counts it): " + prefix
            severity = Severity.INFO
        count = len(vulnerable.advisories)
        message = (
            f"{prefix}{package.label} ({kind}{via}) has {count} known "
            f"{'vulnerability' if count == 1 else 'vulnerabilities'}: {advisories}; {fix}"
        )
        upgrade = (f"Upgrade {package.name} to {vulnerable.fixed_version} or later." if vulnerable.fixed_version
                   else None)
        finding = self._finding(VulnerableDependency, project, package.line, message, severity=severity,
                                confidence=confidence, fix=upgrade)
        declared = _declaration(project, package)
        return replace(finding, related=(declared,)) if declared is not None else finding


def lockfile_disabled(directory: str, files: Sequence[SourceFile], texts: dict[str, str]) -> bool:
    """Whether an `.npmrc` in ``directory`` or above says not to write a lockfile (`package-lock=false`)."""
    for file in files:
        if file.kind is not FileKind.NPMRC or not _is_within(directory, _dirname(file.display_path)):
            continue
        for line in texts.get(file.display_path, "").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("package-lock", "lockfile") and value.strip().strip("\"'").lower() == "false":
                return True
    return False


def _shown_path(path: str) -> str:
    """A configuration file's path as the user would type it: relative to the working directory when inside it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path


_JSON_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*:')


def _json_key_lines(text: str) -> dict[str, int]:
    """The line where each key of a JSON document is first written (one pass, whatever the number of keys)."""
    lines: dict[str, int] = {}
    line, counted = 1, 0
    for match in _JSON_KEY.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        lines.setdefault(match.group(1), line)
    return lines


def _declaration(project: _Project, package: InstalledPackage) -> TraceStep | None:
    """The package.json line declaring the direct dependency through which a lockfile's package is installed."""
    if project.manifest is None or project.path == project.manifest[0] or not package.path:
        return None
    direct = package.path.head[0] if package.path.head else package.name
    path, lines = project.manifest
    key = re.compile(rf'^\s*"{re.escape(direct)}"\s*:')
    for number, line in enumerate(lines, start=1):
        if key.match(line):
            why = "declares this package" if package.direct else f"declares {direct}, which brings in {package.label}"
            return TraceStep(Location(path, number, 1, number, len(line.rstrip()) + 1), why)
    return None


def _find_line(lines: list[str], needle: str) -> int | None:
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return None


def _host(url: str) -> str:
    """The host of a URL, lower-cased; "" when there is none or the URL is malformed (`http://[::1`)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
