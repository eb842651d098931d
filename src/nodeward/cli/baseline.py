"""`nodeward baseline create|update`: record today's findings so that scans report only new ones."""

from __future__ import annotations

from pathlib import Path

import click

from nodeward.baseline import DEFAULT_BASELINE, Baseline, BaselineError, load_baseline
from nodeward.config.load import ConfigError, find_config, load_config
from nodeward.config.model import Config, export_secret_patterns
from nodeward.filters import ReportFilters, apply_filters
from nodeward.findings import Finding
from nodeward.rules.registry import all_rules
from nodeward.secrets.redact import output_masker


def _config(targets: list[Path], config_file: Path | None) -> Config:
    path = config_file or find_config(targets[0])
    try:
        return load_config(path) if path is not None else Config()
    except ConfigError as error:
        raise click.UsageError(f"configuration: {error}") from None


def _findings(targets: list[Path], config: Config) -> list[Finding]:
    """Every scanner, every selected rule, no thresholds: the baseline must not depend on today's --fail-on."""
    from nodeward.scan import ScanOptions, run_scan
    from nodeward.scanners.registry import scanner_names

    selected: set[str] | None = set(config.select) if config.select is not None else None
    if config.ignore:
        selected = (selected if selected is not None else {r.id for r in all_rules()}) - set(config.ignore)
    options = ScanOptions(include=config.include, exclude=config.exclude,
                          selected_rules=frozenset(selected) if selected is not None else None,
                          scanners=frozenset(scanner_names()), mode=config.mode or "auto",
                          advisory_ignores=config.advisory_ignores)  # so an ignore's expiry is not baselined
    export_secret_patterns(config)
    outcome = run_scan(targets, options)
    if outcome.errors and not outcome.discovery.files:
        raise click.UsageError("; ".join(outcome.errors))
    result = apply_filters(outcome.result, ReportFilters(
        per_path_ignores=config.per_path_ignores, secrets_allow_paths=config.secrets_allow_paths,
        secrets_allow_fingerprints=config.secrets_allow_fingerprints))
    masker = output_masker(result)  # a baseline is written output too: no secret in a path or title
    return masker.mask_result(result).findings if masker is not None else result.findings


def _default_file(targets: list[Path]) -> Path:
    first = targets[0]
    return (first if first.is_dir() else first.parent) / DEFAULT_BASELINE


def _settings(config: Config) -> dict[str, object]:
    from nodeward.scanners.registry import scanner_names

    return {"scanners": scanner_names(), "config": Path(config.source).name if config.source else None,
            "rules": len(all_rules())}


@click.group(name="baseline")
def baseline_group() -> None:
    """Record the current findings so that `scan --baseline FILE` reports only new ones."""


_paths = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
_file = click.option("--file", "-f", "file", type=click.Path(dir_okay=False, path_type=Path),
                     help=f"The baseline file (default: {DEFAULT_BASELINE} in the scanned directory).")
_config_option = click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True,
                                                                          path_type=Path),
                              help="Read settings from FILE.")


@baseline_group.command(name="create")
@_paths
@_file
@_config_option
@click.option("--force", is_flag=True, help="Overwrite an existing baseline.")
def create(paths: tuple[Path, ...], file: Path | None, config_file: Path | None, force: bool) -> None:
    """Write a new baseline with every finding of every scanner under PATHS."""
    targets = list(paths) or [Path(".")]
    target = file or _default_file(targets)
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use `nodeward baseline update` or --force")
    config = _config(targets, config_file)
    findings = _findings(targets, config)
    Baseline.from_findings(findings, _settings(config)).write(target)
    click.echo(f"baseline written to {target}: {len(findings)} findings")


@baseline_group.command(name="update")
@_paths
@_file
@_config_option
def update(paths: tuple[Path, ...], file: Path | None, config_file: Path | None) -> None:
    """Rewrite the baseline with today's findings: fixed ones leave it, new ones join it."""
    targets = list(paths) or [Path(".")]
    target = file or _default_file(targets)
    try:
        old = load_baseline(target)
    except BaselineError as error:
        raise click.UsageError(str(error)) from None
    config = _config(targets, config_file)
    findings = _findings(targets, config)
    new = Baseline.from_findings(findings, _settings(config))
    added = len(set(new.entries) - set(old.entries))
    removed = len(set(old.entries) - set(new.entries))
    new.write(target)
    click.echo(f"baseline {target} updated: {len(new.entries)} findings ({added} added, {removed} gone)")
