"""The settings of one `scan`: the configuration file, overridden by flags and NODEWARD_* variables.

A value given on the command line or through the environment wins; otherwise the file's value; otherwise
the option's default. Lists merge where that is what a user expects: `--ignore` and `--exclude` add to
the file's, `--select` replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from nodeward.config.load import ConfigError, find_config, load_config
from nodeward.config.model import DEFAULT_FILE_TIMEOUT, Config, PathIgnore, export_secret_patterns
from nodeward.findings import Confidence, Severity
from nodeward.rules.registry import all_rules, find_rule


@dataclass(frozen=True)
class ScanSettings:
    config: Config
    fail_on: Severity
    min_severity: Severity
    min_confidence: Confidence
    selected: frozenset[str] | None
    scanners: frozenset[str]
    exclude: tuple[str, ...]
    include: tuple[str, ...]
    mode: str
    include_dev: bool
    baseline: Path | None
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    per_path_ignores: tuple[PathIgnore, ...] = ()
    file_timeout: float = DEFAULT_FILE_TIMEOUT


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def rule_keys(values: tuple[str, ...] | list[str]) -> set[str]:
    keys: set[str] = set()
    for value in values:
        for key in value.replace(",", " ").split():
            rule = find_rule(key)
            if rule is None:
                raise click.BadParameter(f"unknown rule {key!r} (see `nodeward rules`)")
            keys.add(rule.id)
    return keys


def load_project_config(ctx: click.Context, targets: list[Path]) -> Config:
    params = ctx.params
    if params.get("no_config"):
        return Config()
    explicit: Path | None = params.get("config_file")
    path = explicit if explicit is not None else find_config(targets[0])
    if path is None:
        return Config()
    try:
        return load_config(path)
    except ConfigError as error:
        raise click.UsageError(f"configuration: {error}") from None


def scan_settings(ctx: click.Context, targets: list[Path], known_scanners: list[str]) -> ScanSettings:
    """Merge the CLI parameters of `scan` (in ``ctx.params``) with the project's configuration."""
    params: dict[str, Any] = ctx.params
    config = load_project_config(ctx, targets)

    def pick(name: str, from_config: Any) -> Any:
        return params[name] if _given(ctx, name) or from_config is None else from_config

    def severity(name: str, from_config: Severity | None) -> Severity:
        value = pick(name, from_config)
        return value if isinstance(value, Severity) else Severity.parse(value)

    min_confidence = pick("min_confidence", config.min_confidence)
    selected: set[str] | None = set(config.select) if config.select is not None else None
    if params.get("select"):
        selected = rule_keys(params["select"])
    ignored = set(config.ignore) | rule_keys(params.get("ignore_rules") or ())
    if ignored:
        selected = (selected if selected is not None else {r.id for r in all_rules()}) - ignored

    scanners = frozenset(known_scanners) if config.scanners is None else config.scanners
    if params.get("scanner_list") is not None:
        scanners = frozenset(name.strip() for name in params["scanner_list"].split(",") if name.strip())
        unknown = sorted(scanners - set(known_scanners))
        if unknown:
            raise click.BadParameter(f"unknown scanner {', '.join(unknown)} (known: {', '.join(known_scanners)})",
                                     param_hint="--scanners")
    export_secret_patterns(config)
    baseline = params.get("baseline_file")
    if baseline is None and config.baseline:
        baseline = Path(config.source).parent / config.baseline
    return ScanSettings(
        config=config,
        fail_on=severity("fail_on", config.fail_on),
        min_severity=severity("min_severity", config.min_severity),
        min_confidence=min_confidence if isinstance(min_confidence, Confidence)
        else Confidence.parse(min_confidence),
        selected=frozenset(selected) if selected is not None else None,
        scanners=scanners,
        exclude=(*config.exclude, *params.get("exclude", ())),
        include=tuple(params["include"]) if params.get("include") else config.include,
        mode=pick("mode", config.mode),
        include_dev=bool(pick("include_dev", config.include_dev)),
        baseline=baseline,
        severity_overrides=config.severity_overrides,
        per_path_ignores=config.per_path_ignores,
        file_timeout=float(pick("file_timeout", config.file_timeout)),
    )
