"""`nodeward secrets PATH`: the secrets scanner alone, on the working tree and optionally git history."""

from __future__ import annotations

from pathlib import Path

import click

from nodeward.report import OutputFormat


@click.command(name="secrets")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--history", is_flag=True, help="Also scan every commit reachable from any ref.")
@click.option("--show-secrets", is_flag=True, help="Print secrets in clear (local triage only).")
@click.option("--format", "-f", "fmt", type=click.Choice([f.value for f in OutputFormat]), default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(["info", "low", "medium", "high", "critical"]), default="low",
              show_default=True, help="Exit 1 when a finding has at least this severity.")
@click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes.")
@click.option("--verbose", "-v", is_flag=True, help="List skipped files and unused suppressions.")
@click.option("--color/--no-color", default=None, help="Colour the terminal report (default: when a terminal).")
@click.pass_context
def secrets_command(ctx: click.Context, paths: tuple[Path, ...], history: bool, show_secrets: bool, fmt: str,
                    output: Path | None, fail_on: str, no_gitignore: bool, verbose: bool, color: bool | None) -> None:
    """Find credentials under PATHS (default: .), and with --history in the whole git history."""
    from nodeward.cli.main import scan

    ctx.invoke(scan, paths=paths, scanner_list="secrets", history=history, show_secrets=show_secrets, fmt=fmt,
               output=output, fail_on=fail_on, no_gitignore=no_gitignore, verbose=verbose, color=color)
