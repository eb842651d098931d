"""The stage between scanning and reporting, as the `scan` command wires it (see nodeward.filters)."""

from __future__ import annotations

from pathlib import Path

import click

from nodeward.baseline import BaselineError, load_baseline
from nodeward.cli.settings import ScanSettings
from nodeward.filters import ReportFilters, apply_filters
from nodeward.findings import FileNotice, ScanResult
from nodeward.gitdiff import DiffError, DiffRefused, changed_lines


def filter_result(result: ScanResult, settings: ScanSettings, targets: list[Path], diff_ref: str | None,
                  include_suppressed: bool) -> ScanResult:
    try:
        baseline = load_baseline(settings.baseline) if settings.baseline is not None else None
    except BaselineError as error:
        raise click.UsageError(str(error)) from None
    try:
        changed = changed_lines(diff_ref, targets) if diff_ref else None
    except DiffRefused as error:
        changed = None
        result.notices.append(FileNotice(".", "error", str(error)))
    except DiffError as error:
        raise click.UsageError(str(error)) from None
    config = settings.config
    result = apply_filters(result, ReportFilters(
        severity_overrides=settings.severity_overrides,
        per_path_ignores=settings.per_path_ignores,
        secrets_allow_paths=config.secrets_allow_paths,
        secrets_allow_fingerprints=config.secrets_allow_fingerprints,
        min_severity=settings.min_severity,
        min_confidence=settings.min_confidence,
        baseline=baseline,
        changed=changed,
    ))
    if not include_suppressed:
        result.suppressed_findings = []
    return result
