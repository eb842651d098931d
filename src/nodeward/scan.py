"""Wires the stages: discovery, then scanners (file scanners in worker processes, then project
scanners), then findings filtered and fingerprinted.

Data flows one way: reporters receive the finished ScanResult and never call back into scanners.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from nodeward.analysis.taint.project import FlowJoiner, read_packages
from nodeward.analysis.views import constant_only_outputs
from nodeward.config.model import DEFAULT_FILE_TIMEOUT, AdvisoryIgnore
from nodeward.findings import (
    LIMIT_NOTICE,
    Confidence,
    FileNotice,
    Finding,
    ScanResult,
    Severity,
    Suppression,
    assign_fingerprints,
)
from nodeward.practices.model import AppModel
from nodeward.practices.run import join_apps
from nodeward.practices.scorecard import build_scorecards
from nodeward.rules.dependencies.vulnerable_dependency_reached import VulnerableDependencyReached, advisory_ids
from nodeward.rules.dependencies.vulnerable_dependency_reached import finish as finish_reached
from nodeward.scanners import FileResult, ProjectContext
from nodeward.scanners.pool import BudgetedPool
from nodeward.scanners.registry import FILE_SCANNERS, PROJECT_SCANNERS, scanner_names
from nodeward.scanners.worker import FileScanRunner
from nodeward.sources.discover import Discovery, FileKind, SourceFile, discover
from nodeward.sources.package_identity import framework_owning, package_frameworks
from nodeward.sources.test_code import is_test_code, relative_to_scan_root


class ScanProgress(Protocol):
    """Told how far a scan is: each phase as it starts (files, cross-file flows, dependencies, ...), and in
    the files phase, the files and bytes done of all."""

    def phase(self, name: str) -> None: ...

    def files(self, done: int, total: int, bytes_done: int, bytes_total: int) -> None: ...


def _phase(progress: ScanProgress | None, name: str) -> None:
    if progress is not None:
        progress.phase(name)


#: The progress phase of each project scanner.
PROJECT_PHASES = {"deps": "dependencies", "config": "configuration", "secrets": "published files"}


@dataclass(frozen=True)
class ScanOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int = 0  # 0: one per core
    selected_rules: frozenset[str] | None = None
    scanners: frozenset[str] = field(default_factory=lambda: frozenset(scanner_names()))
    min_severity: Severity = Severity.INFO
    min_confidence: Confidence = Confidence.LOW
    max_file_size: int = 4 * 1024 * 1024
    respect_gitignore: bool = True
    mode: str = "auto"  # taint sources: "app" (requests, argv...), "library" (exported API too), "auto"
    include_dev: bool = False  # deps: vulnerable dev-only packages keep their severity
    history: bool = False  # secrets: also every blob reachable from any ref of the git repository
    advisory_ignores: tuple[AdvisoryIgnore, ...] = ()  # deps: accepted advisories (`dependencies.ignore`)
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # seconds of analysis per file (0: no budget)
    cache: bool = False  # per-file results kept in the user cache directory (nodeward.resultcache)


@dataclass
class ScanOutcome:
    result: ScanResult
    discovery: Discovery
    errors: list[str] = field(default_factory=list)


def effective_jobs(jobs: int) -> int:
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def _scan_files(
    files: Sequence[SourceFile], options: ScanOptions, progress: ScanProgress | None
) -> list[FileResult]:
    jobs = min(effective_jobs(options.jobs), max(1, len(files) // 4))
    _phase(progress, "files")
    total_bytes = sum(f.size for f in files)

    def finished(done: int, done_bytes: int) -> None:
        if progress is not None:
            progress.files(done, len(files), done_bytes, total_bytes)

    if jobs <= 1 and not options.file_timeout:  # no budget to enforce: no process to watch over
        runner = FileScanRunner(options.scanners, options.selected_rules)
        results: list[FileResult] = []
        done_bytes = 0
        for file in files:
            results.append(runner.scan(file))
            done_bytes += file.size
            finished(len(results), done_bytes)
        return results
    pool = BudgetedPool(jobs, options.file_timeout, options.scanners, options.selected_rules)
    return pool.run(files, finished)


def wanted_kinds(options: ScanOptions) -> frozenset[FileKind]:
    kinds: set[FileKind] = {FileKind.PACKAGE_JSON} if "code" in options.scanners else set()  # library mode
    for name, file_factory in FILE_SCANNERS.items():
        if name in options.scanners:
            kinds |= file_factory(options.selected_rules).kinds
    for name, project_factory in PROJECT_SCANNERS.items():
        if name in options.scanners:
            kinds |= project_factory(options.selected_rules).kinds
    return frozenset(kinds)


def scan_root(paths: Sequence[Path]) -> str:
    """The directory paths in reports are relative to."""
    if len(paths) != 1:
        return "."
    return str(paths[0]) if paths[0].is_dir() else "."


def join_code_flows(
    results: list[FileResult], files: Sequence[SourceFile], discovery: Discovery, options: ScanOptions
) -> list[FileResult]:
    """Phase 2 of taint tracking over all modules' summaries; its findings replace phase 1's at the same place."""
    summaries = {file.display_path: r.summaries["taint"] for file, r in zip(files, results, strict=True)
                 if "taint" in r.summaries}
    if not summaries:
        return results
    package_files = [(f.display_path, f.path) for f in discovery.files if f.kind is FileKind.PACKAGE_JSON]
    joiner = FlowJoiner(summaries, read_packages(package_files, summaries), options.mode)
    joined = [f for f in map(joiner.restate_returns, joiner.run())
              if f is not None and (options.selected_rules is None or f.rule_id in options.selected_rules)]
    for result in results:
        result.findings = [f for f in map(joiner.restate_returns, result.findings) if f is not None]
    extra = FileResult(scanned=False)
    if joiner.cut:
        extra.notices.append(FileNotice(
            "", LIMIT_NOTICE, f"analysis limited: cross-file taint tracking stopped after {joiner.budget:,} "
                              "evaluations of call sites; flows through more modules may be missing"))
    if not joined:
        return [*results, extra] if extra.notices else results
    suppressions = {file.display_path: r.summaries.get("suppressions", {}) for file, r in zip(files, results,
                                                                                           strict=True)}
    by_place = {(f.rule_id, f.path, f.location.start_line, f.location.start_column): f for f in joined}

    def joined_or(phase1: Finding) -> Finding:
        better = by_place.pop((phase1.rule_id, phase1.path, phase1.location.start_line,
                               phase1.location.start_column), None)
        if better is None:
            return phase1
        return replace(better, context=phase1.context, suppression=phase1.suppression)

    for result in results:
        result.findings = [joined_or(f) for f in result.findings]
        result.suppressed_findings = [joined_or(f) for f in result.suppressed_findings]
    for finding in by_place.values():
        directives = suppressions.get(finding.path, {})
        if any(key in (finding.rule_id, finding.rule_name) for key in directives.get(str(finding.line), [])):
            extra.suppressed += 1
            extra.suppressed_findings.append(replace(finding, suppression=Suppression("inSource")))
        else:
            extra.findings.append(finding)
    return [*results, extra]


#: Rule categories about the code itself: in tests and examples their findings say little about the product.
#: Secrets, dependencies and configuration keep their level there (a real key in a test is still leaked).
TEST_CODE_CATEGORIES = frozenset({"code", "templates", "practices"})
IN_TEST_CODE = " (in test code)"


def in_test_code(finding: Finding, arguments: Sequence[Path]) -> Finding:
    """``finding`` at low confidence and marked when a code rule reports it in test or example code."""
    from nodeward.rules.registry import find_rule

    rule = find_rule(finding.rule_id)
    if (finding.in_test_code or rule is None or rule.category not in TEST_CODE_CATEGORIES
            or not is_test_code(relative_to_scan_root(finding.path, arguments))):
        return finding
    return replace(finding, confidence=Confidence.LOW, message=finding.message + IN_TEST_CODE, in_test_code=True)


def accepted_advisory(finding: Finding, options: ScanOptions) -> Finding:
    """An NW608 finding all of whose advisories are accepted in the configuration, as suppressed (the
    lockfile's own finding for them is, by the dependency scanner)."""
    if finding.rule_id != VulnerableDependencyReached.id or not options.advisory_ignores:
        return finding
    from nodeward.deps.ignores import AdvisoryIgnores, today

    ignores = AdvisoryIgnores(tuple(options.advisory_ignores), today())
    groups = advisory_ids(finding)
    entries = [next((e for e in map(ignores.in_force_for_id, ids) if e is not None), None) for ids in groups]
    if not groups or any(entry is None for entry in entries):
        return finding
    reason = "; ".join(f"{e.id} ignored until {e.expires.isoformat()}: {e.reason}" for e in entries if e is not None)
    return replace(finding, suppression=Suppression("external", reason))


def fold_reached_advisories(findings: list[Finding]) -> list[Finding]:
    """One finding per vulnerable package: where code hands it outside data (NW608, which names the lockfile
    entry among its related places), the lockfile's own finding for that entry (NW601) says nothing more."""
    reached = {(step.location.path, step.location.start_line) for f in findings
               if f.rule_id == VulnerableDependencyReached.id for step in f.related}
    if not reached:
        return findings
    return [f for f in findings if f.rule_id != "NW601" or (f.path, f.line) not in reached]


def _is_app_policy(finding: Finding) -> bool:
    from nodeward.rules.registry import find_rule

    rule = find_rule(finding.rule_id)
    return rule is not None and (rule.app_policy or rule.category == "practices")


def run_scan(paths: Sequence[Path], options: ScanOptions, progress: ScanProgress | None = None) -> ScanOutcome:
    file_kinds = frozenset().union(
        *(FILE_SCANNERS[name](options.selected_rules).kinds for name in options.scanners if name in FILE_SCANNERS)
    )
    project_kinds = frozenset().union(*(PROJECT_SCANNERS[name](options.selected_rules).kinds
                                        for name in options.scanners if name in PROJECT_SCANNERS))
    discovery = discover(
        paths,
        include=options.include,
        exclude=options.exclude,
        max_file_size=options.max_file_size,
        respect_gitignore=options.respect_gitignore,
        kinds=wanted_kinds(options),
        # what only the workers read is checked there, as they read it: a tree of many small files is
        # then opened once per file, and in parallel
        content_checked_later=file_kinds - project_kinds - {FileKind.PACKAGE_JSON},
    )
    result = ScanResult(root=scan_root(paths))
    result.notices.extend(FileNotice(s.display_path, "skipped", s.reason) for s in discovery.skipped)
    per_file = [f for f in discovery.files if f.kind in file_kinds]
    if options.cache:
        from nodeward.resultcache import scan_with_cache

        results, cache_notices = scan_with_cache(per_file, paths, options.scanners, options.selected_rules,
                                                 lambda files, report: _scan_files(files, options, report), progress)
        result.notices.extend(cache_notices)
    else:
        results = _scan_files(per_file, options, progress)
    if "code" in options.scanners:
        _phase(progress, "cross-file flows")
        results = join_code_flows(results, per_file, discovery, options)
    apps: list[AppModel] = []
    if "code" in options.scanners:
        results, apps = join_apps(results, per_file, discovery.files, options.selected_rules)
    context = ProjectContext(tuple(paths), tuple(discovery.files), options)
    for name, factory in PROJECT_SCANNERS.items():
        if name in options.scanners:
            _phase(progress, PROJECT_PHASES.get(name, name))
            scanner = factory(options.selected_rules)
            results.append(scanner.scan_project([f for f in discovery.files if f.kind in scanner.kinds], context))
    if options.history and "secrets" in options.scanners:
        from nodeward.secrets.history import history_file_result

        _phase(progress, "history")

        results.append(history_file_result(paths, options.selected_rules))
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    frameworks = package_frameworks((f.display_path, f.path) for f in discovery.files
                                    if f.kind is FileKind.PACKAGE_JSON)
    for file_result in results:
        result.notices.extend(file_result.notices)
        if file_result.scanned:
            result.files_scanned += 1 if file_result.lines or file_result.findings else 0
            result.lines_scanned += file_result.lines
        result.suppressed += file_result.suppressed
        result.secrets.extend(file_result.secrets)
        for finding in (in_test_code(finish_reached(f), paths) for f in file_result.findings):
            finding = accepted_advisory(finding, options)
            if finding.suppression is not None:
                suppressed.append(finding)
                result.suppressed += 1
                continue
            framework = framework_owning(finding.path, frameworks) if frameworks else None
            if framework is not None and _is_app_policy(finding):
                # The framework's own defaults and error pipeline, not an application's behaviour.
                finding = replace(finding, confidence=Confidence.LOW,
                                  message=f"{finding.message} (in the source of the web framework `{framework}`)")
            if finding.severity < options.min_severity:
                continue
            if finding.confidence >= options.min_confidence:
                findings.append(finding)
            elif finding.in_test_code:
                result.hidden_in_test_code += 1
        suppressed.extend(in_test_code(finish_reached(f), paths) for f in file_result.suppressed_findings)
    findings = fold_reached_advisories(findings)
    renders = {file.display_path: r.summaries["views"] for file, r in zip(per_file, results, strict=False)
               if "views" in r.summaries}
    findings = [f for f in constant_only_outputs(findings, renders) if f.confidence >= options.min_confidence]
    # Fingerprinted together: a suppressed finding keeps the identity it has when reported.
    fingerprinted = assign_fingerprints([*findings, *suppressed])
    result.findings = [f for f in fingerprinted if f.suppression is None]
    result.suppressed_findings = [f for f in fingerprinted if f.suppression is not None]
    result.notices.sort(key=lambda n: (n.path, n.line or 0, n.kind))
    if "secrets" not in options.scanners:  # reports still must not show a secret beside what they report
        from nodeward.secrets.findings import secrets_beside

        result.secrets.extend(secrets_beside([*result.findings, *result.suppressed_findings], discovery.files))
    if apps:
        records = [record for r in results for record in r.summaries.get("practices", [])]
        result.scorecard = build_scorecards(apps, result.findings, records, options.scanners)
    return ScanOutcome(result, discovery, list(discovery.errors))
