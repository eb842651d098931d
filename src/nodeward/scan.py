"""Wires the stages: discovery, then scanners (in parallel worker processes), then findings.

Data flows one way: reporters receive the finished ScanResult and never call back into scanners.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nodeward.findings import Confidence, FileNotice, Finding, ScanResult, Severity, assign_fingerprints
from nodeward.scanners.code import CodeScanner, FileResult, init_worker, scan_in_worker
from nodeward.sources.discover import Discovery, SourceFile, discover

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int = 0  # 0: one per core
    selected_rules: frozenset[str] | None = None
    min_severity: Severity = Severity.INFO
    min_confidence: Confidence = Confidence.LOW
    max_file_size: int = 4 * 1024 * 1024
    respect_gitignore: bool = True


@dataclass
class ScanOutcome:
    result: ScanResult
    discovery: Discovery
    errors: list[str] = field(default_factory=list)


def effective_jobs(jobs: int) -> int:
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def _scan_files(
    files: Sequence[SourceFile], options: ScanOptions, progress: ProgressCallback | None
) -> list[FileResult]:
    jobs = min(effective_jobs(options.jobs), max(1, len(files) // 4))
    results: list[FileResult] = []
    if jobs <= 1:
        scanner = CodeScanner(options.selected_rules)
        for done, file in enumerate(files, start=1):
            results.append(scanner.scan(file))
            if progress:
                progress(done, len(files))
        return results
    # Larger files first so that one big file does not finish last on an otherwise idle pool.
    ordered = sorted(files, key=lambda f: -f.size)
    with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(options.selected_rules,)) as pool:
        for done, file_result in enumerate(pool.map(scan_in_worker, ordered, chunksize=8), start=1):
            results.append(file_result)
            if progress:
                progress(done, len(files))
    return results


def run_scan(paths: Sequence[Path], options: ScanOptions, progress: ProgressCallback | None = None) -> ScanOutcome:
    discovery = discover(
        paths,
        include=options.include,
        exclude=options.exclude,
        max_file_size=options.max_file_size,
        respect_gitignore=options.respect_gitignore,
    )
    result = ScanResult(root=str(paths[0]) if len(paths) == 1 else ".")
    result.notices.extend(FileNotice(s.display_path, "skipped", s.reason) for s in discovery.skipped)
    findings: list[Finding] = []
    for file_result in _scan_files(discovery.files, options, progress):
        result.notices.extend(file_result.notices)
        if file_result.scanned:
            result.files_scanned += 1
            result.lines_scanned += file_result.lines
        result.suppressed += file_result.suppressed
        findings.extend(
            f
            for f in file_result.findings
            if f.severity >= options.min_severity and f.confidence >= options.min_confidence
        )
    result.findings = assign_fingerprints(findings)
    result.notices.sort(key=lambda n: (n.path, n.line or 0, n.kind))
    return ScanOutcome(result, discovery, list(discovery.errors))
