"""The `nodeward` command line.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or internal error.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from nodeward import __version__
from nodeward.config.model import DEFAULT_FILE_TIMEOUT
from nodeward.findings import Confidence, Severity
from nodeward.report import OutputFormat, render

# What a command needs beyond this is imported in the command: `nodeward --version` and a scan start without
# the rule documentation's Markdown renderer, the tables or the other commands' modules.
if TYPE_CHECKING:
    from nodeward.scan import ScanOutcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITY_CHOICES = click.Choice([s.label for s in Severity], case_sensitive=False)
CONFIDENCE_CHOICES = click.Choice([c.label for c in Confidence], case_sensitive=False)


#: Commands written in modules of their own ("module:object"), imported when they are used.
COMMANDS_ELSEWHERE = {
    "baseline": "nodeward.cli.baseline:baseline_group",
    "cache": "nodeward.cli.cache:cache_group",
    "db": "nodeward.cli.db:db_group",
    "docs": "nodeward.cli.docs:docs_command",
    "init": "nodeward.cli.init:init_command",
    "secrets": "nodeward.cli.secrets:secrets_command",
}


class _Commands(click.Group):
    """The command group, with the commands of `COMMANDS_ELSEWHERE`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS_ELSEWHERE})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS_ELSEWHERE.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, name = where.split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="nodeward")
def cli() -> None:
    """nodeward: a security auditor for Node.js applications and npm libraries."""


def wants_color(flag: bool | None) -> bool:
    """--color/--no-color, else NO_COLOR (no-color.org: set and not empty), else whether stdout is a terminal."""
    if flag is not None:
        return flag
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def nothing_scanned(targets: list[Path], outcome: ScanOutcome, scanners: frozenset[str]) -> str:
    """Why a scan read nothing, for a user who may have pointed it at the wrong directory."""
    from rich.markup import escape

    from nodeward.report.common import escape_controls, plural
    from nodeward.sources.discover import is_version_control

    where = ", ".join(str(t) for t in targets)
    stopped = [n for n in outcome.result.notices if n.kind == "limit"]
    if outcome.discovery.files and stopped:
        why = f"{plural(len(outcome.discovery.files), 'file')} found under {where}; the analysis of "
        why += f"{plural(len(stopped), 'file')} stopped at a limit (see the notices)"
    elif outcome.discovery.files:
        why = f"{plural(len(outcome.discovery.files), 'file')} found under {where}, none with text to read (empty, "
        why += "binary or unreadable)"
    else:
        kinds = "JavaScript/TypeScript sources, templates, package.json, lockfiles, Dockerfiles, YAML manifests"
        if "secrets" in scanners:
            kinds += ", or any text file for secrets"
        why = f"no file under {where} is of a kind the selected scanners read ({kinds})"
    skipped = [n for n in outcome.result.notices if n.kind == "skipped" and not is_version_control(n.message)]
    if skipped:
        why += f"; {plural(len(skipped), 'path')} skipped (--verbose lists them)"
    return f"[bold]nothing was scanned:[/bold] {escape(escape_controls(why))}"


@cli.command()
# exists: a mistyped path is a usage error (exit 2) before anything is scanned, as in ESLint
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice([f.value for f in OutputFormat]), default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option("--fail-on", type=SEVERITY_CHOICES, default="low", show_default=True,
              help="Exit 1 when a finding has at least this severity.")
@click.option("--min-severity", type=SEVERITY_CHOICES, default="info", show_default=True,
              help="Report only findings of at least this severity.")
@click.option("--min-confidence", type=CONFIDENCE_CHOICES, default="medium", show_default=True,
              help="Report only findings of at least this confidence; `low` adds audit findings (non-constant "
                   "values of unknown origin in file paths and regular expressions, polynomial regexes...).")
@click.option("--select", multiple=True, help="Run only these rules (ids or names, comma-separated).")
@click.option("--ignore", "ignore_rules", multiple=True, help="Do not run these rules.")
@click.option("--exclude", multiple=True, help="Skip paths matching this gitignore-style glob (repeatable).")
@click.option("--include", multiple=True, help="Scan only files matching this glob (repeatable).")
@click.option("--scanners", "scanner_list", default=None, metavar="NAMES",
              help="Run only these scanners, comma-separated: code, secrets, templates, config, deps (default: all).")
@click.option("--mode", type=click.Choice(["auto", "app", "library"]), default="auto", show_default=True,
              help="Taint sources: app (requests, CLI arguments, messages), library (also the parameters of the "
                   "functions a package exports), auto (library for npm packages without a server).")
@click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=4096, show_default=True,
              help="Skip files larger than this many KiB.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per core).")
@click.option("--file-timeout", type=click.FloatRange(min=0), default=DEFAULT_FILE_TIMEOUT, show_default=True,
              metavar="SECONDS",
              help="Analysis time per file; a file that takes longer is reported as stopped and the scan goes on "
                   "(0: no limit).")
@click.option("--no-cache", is_flag=True,
              help="Analyse every file again; neither read nor write the result cache (`nodeward cache info`).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped files and unused suppressions.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@click.option("--include-dev", is_flag=True,
              help="Count vulnerable dev-only dependencies at their own severity (default: reported as info).")
@click.option("--history", is_flag=True,
              help="Secrets: also scan every commit reachable from any ref of the git repository.")
@click.option("--show-secrets", is_flag=True,
              help="Print secrets in clear instead of redacted (local triage only; never in CI logs).")
@click.option("--scorecard/--no-scorecard", default=None,
              help="Show the practices scorecard of each application found (default: when one is found).")
@click.option("--color/--no-color", default=None,
              help="Colour and styles in the terminal report (default: when a terminal and NO_COLOR is not set).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read settings from FILE (default: .nodeward.toml or package.json's `nodeward` key, found "
                   "from the scanned directory up to the repository top).")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Report only findings that are not in this baseline (`nodeward baseline create`).")
@click.option("--diff", "diff_ref", metavar="REF",
              help="Report only findings on lines changed since this git ref (e.g. origin/main).")
@click.option("--include-suppressed", is_flag=True,
              help="Also report suppressed and baselined findings, marked (SARIF `suppressions`, HTML, JSON).")
@click.option("--offline", is_flag=True, envvar="NODEWARD_OFFLINE",
              help="Never fetch advisories (default: an advisory database older than a day is updated first).")
def scan(paths: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str, min_severity: str,
         min_confidence: str, select: tuple[str, ...], ignore_rules: tuple[str, ...], exclude: tuple[str, ...],
         include: tuple[str, ...], no_gitignore: bool, max_file_size: int, jobs: int, verbose: bool,
         no_progress: bool, color: bool | None, include_dev: bool, scanner_list: str | None, mode: str,
         history: bool = False, show_secrets: bool = False, scorecard: bool | None = None,
         config_file: Path | None = None,
         no_config: bool = False, baseline_file: Path | None = None, diff_ref: str | None = None,
         include_suppressed: bool = False, file_timeout: float = DEFAULT_FILE_TIMEOUT, offline: bool = False,
         no_cache: bool = False) -> None:
    """Audit the Node.js code under PATHS (default: the current directory)."""
    if show_secrets:  # through the environment, so that the worker processes see it too
        from nodeward.secrets.redact import SHOW_SECRETS_ENV

        os.environ[SHOW_SECRETS_ENV] = "1"
    from rich.console import Console
    from rich.markup import escape

    from nodeward.cli.progress import ScanProgressLine
    from nodeward.cli.settings import scan_settings
    from nodeward.cli.stages import filter_result
    from nodeward.report.common import escape_controls
    from nodeward.scan import ScanOptions, run_scan
    from nodeward.scanners.registry import scanner_names

    if output is not None:
        from nodeward.cli.output import OutputError, check_writable

        try:
            check_writable(output)  # before the scan, not after minutes of work
        except OutputError as unwritable:
            raise click.BadParameter(str(unwritable), param_hint="'--output'") from unwritable
    targets = list(paths) or [Path(".")]
    settings = scan_settings(click.get_current_context(), targets, scanner_names())
    options = ScanOptions(
        include=settings.include,
        exclude=settings.exclude,
        jobs=jobs,
        selected_rules=settings.selected,
        # thresholds apply after the configuration's severity overrides (nodeward.filters)
        max_file_size=max_file_size * 1024,
        respect_gitignore=not no_gitignore,
        scanners=settings.scanners,
        mode=settings.mode,
        include_dev=settings.include_dev,
        history=history,
        advisory_ignores=settings.config.advisory_ignores,
        file_timeout=settings.file_timeout,
        cache=not no_cache,
    )
    if "deps" in settings.scanners and not offline:
        from nodeward.cli.db import refresh_before_scan
        from nodeward.deps.advisories.update import offline as offline_by_environment

        if not offline_by_environment():
            refresh_before_scan(Console(stderr=True, highlight=False))
    progress = ScanProgressLine(enabled=not no_progress and sys.stderr.isatty())
    try:
        outcome = run_scan(targets, options, progress)
    finally:
        progress.close()
    err = Console(stderr=True, highlight=False)
    for error in outcome.errors:  # escaped: a pattern such as [z-a] is no tag, a file name no terminal command
        err.print(f"[bold red]error:[/bold red] {escape(escape_controls(error))}", markup=True)
    result = filter_result(outcome.result, settings, targets, diff_ref, include_suppressed)
    if scorecard is False:
        result.scorecard = []
    elif scorecard and not result.scorecard:
        err.print("no application (Express, Koa, Fastify, Hapi, NestJS) found: no scorecard")
    stream: TextIO
    if output is not None:
        from nodeward.cli.output import atomic_report

        with atomic_report(output) as stream:
            render(result, OutputFormat(fmt), stream, verbose=verbose, color=False)
        err.print(f"report written to {output}")
    else:
        render(result, OutputFormat(fmt), sys.stdout, verbose=verbose, color=wants_color(color))
    if not outcome.result.files_scanned:
        err.print(nothing_scanned(targets, outcome, settings.scanners))
    if outcome.errors and not outcome.discovery.files:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if any(f.severity >= settings.fail_on for f in result.findings) else EXIT_CLEAN)


@cli.command(name="rules")
def list_rules() -> None:
    """List every rule with its id, severity and title."""
    from rich.console import Console
    from rich.table import Table

    from nodeward.rules.registry import all_rules

    table = Table(show_lines=False)
    for column in ("id", "name", "severity", "confidence", "CWE", "title"):
        table.add_column(column)
    for rule in all_rules():
        table.add_row(rule.id, rule.name, rule.severity.label, rule.confidence.label,
                      ", ".join(f"CWE-{n}" for n in rule.cwe), rule.title)
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@cli.command(name="rule")
@click.argument("key")
def show_rule(key: str) -> None:
    """Show the full documentation of one rule (by id or name)."""
    from rich.console import Console
    from rich.markdown import Markdown

    from nodeward.rules.registry import find_rule

    rule = find_rule(key)
    if rule is None:
        raise click.UsageError(f"unknown rule {key!r}; `nodeward rules` lists them")
    console = Console()
    cwe = ", ".join(f"CWE-{n}" for n in rule.cwe)
    header = (
        f"# {rule.id} {rule.name}\n\n**{rule.title}**\n\n"
        f"- severity: {rule.severity.label}, confidence: {rule.confidence.label}\n"
        f"- {cwe} · OWASP {rule.owasp_label()}\n- fix: {rule.fix}\n\n"
    )
    console.print(Markdown(header + rule.docs().markdown()))


def main() -> None:
    try:
        cli.main(standalone_mode=True, auto_envvar_prefix="NODEWARD")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_ERROR)
    except SystemExit:
        raise
    except Exception as error:  # the user gets a message and exit code 2, never a traceback
        click.echo(f"nodeward: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_ERROR)
