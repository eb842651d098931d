"""Scanners turn discovered files into findings.

Two shapes, so that each scanner runs where it is cheapest:
- a FileScanner looks at one file at a time and runs in the worker processes (code, secrets);
- a ProjectScanner needs several files at once (a lockfile with its package.json, a Dockerfile with its
  .dockerignore) and runs once in the main process after the file scanners (dependencies, config).
Both return FileResult: findings, notices, and counts; reporters never call back into a scanner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nodeward.findings import FileNotice, Finding, SecretSpan
from nodeward.sources.discover import FileKind, SourceFile


@dataclass
class FileResult:
    """What scanning produced; small plain data, cheap to send between processes."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[FileNotice] = field(default_factory=list)
    lines: int = 0
    suppressed: int = 0
    #: The suppressed findings, marked (for `--include-suppressed`); `suppressed` counts them and any others.
    suppressed_findings: list[Finding] = field(default_factory=list)
    scanned: bool = True
    #: Scanner-specific plain data for the cross-file phase (module summaries of the code scanner).
    summaries: dict[str, Any] = field(default_factory=dict)
    #: The secrets detectors saw in the file (values and lines), for the reporters to mask everywhere.
    secrets: list[SecretSpan] = field(default_factory=list)
    #: SHA-256 of the bytes scanned, and whether the result depends on them alone (nodeward.resultcache).
    content_digest: str = ""
    cacheable: bool = True


class FileScanner(Protocol):
    name: str
    kinds: frozenset[FileKind]

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        """Findings for one file; `text` is `data` decoded as UTF-8 with replacement characters."""
        ...


@dataclass(frozen=True)
class ProjectContext:
    """What a project scanner may know beyond its own files."""

    roots: tuple[Path, ...]
    all_files: tuple[SourceFile, ...]
    options: Any  # nodeward.scan.ScanOptions; typed loosely to keep the import graph one-way


class ProjectScanner(Protocol):
    name: str
    kinds: frozenset[FileKind]

    def scan_project(self, files: Sequence[SourceFile], context: ProjectContext) -> FileResult:
        ...
