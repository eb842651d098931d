"""``nodeward db update | import FILE | status``: the offline advisory database."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console


@click.group(name="db")
def db_group() -> None:
    """Manage the offline advisory database (in the user cache directory; NODEWARD_CACHE_DIR overrides)."""


@db_group.command(name="update")
@click.option("--url", envvar="NODEWARD_ADVISORY_URL", default=None, metavar="URL",
              help="Where to download the OSV npm export (default: OSV's npm/all.zip).")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def db_update(url: str | None, no_progress: bool) -> None:
    """Download the current OSV npm advisories and replace the database (atomically)."""
    from nodeward.deps.advisories.db import default_db_path
    from nodeward.deps.advisories.update import UpdateError, advisory_url, update_database

    err = Console(stderr=True, highlight=False)
    target = url or advisory_url()
    show = not no_progress and sys.stderr.isatty()
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress("downloading", BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=err,
                  disable=not show, transient=True) as bar:
        task = bar.add_task("download", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            count = update_database(default_db_path(), target, progress)
        except UpdateError as error:
            err.print(f"[bold red]error:[/bold red] {error}; the previous database is unchanged")
            sys.exit(2)
    click.echo(f"{count} advisories from {target} written to {default_db_path()}")


@db_group.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_import(file: Path) -> None:
    """Replace the database with a local OSV export (zip, JSONL or JSONL.gz)."""
    from nodeward.deps.advisories.db import default_db_path
    from nodeward.deps.advisories.update import UpdateError, import_file

    try:
        count = import_file(default_db_path(), file)
    except UpdateError as error:
        Console(stderr=True).print(f"[bold red]error:[/bold red] {error}; the previous database is unchanged")
        sys.exit(2)
    click.echo(f"{count} advisories from {file} written to {default_db_path()}")


@db_group.command(name="status")
def db_status() -> None:
    """Show where the database is, what it holds and how old it is."""
    from nodeward.deps.advisories.db import STALE_AFTER_DAYS, AdvisoryDatabase, DatabaseError

    try:
        with AdvisoryDatabase.open_default() as database:
            status = database.status()
    except (DatabaseError, OSError) as error:
        Console(stderr=True).print(f"[bold red]error:[/bold red] {error}")
        sys.exit(2)
    click.echo(f"database: {status.path}")
    click.echo(f"source:   {status.source}")
    click.echo(f"records:  {status.records} advisories for {status.packages} packages")
    updated = status.updated.strftime("%Y-%m-%d %H:%M UTC") if status.updated else "unknown"
    age = status.age_days()
    click.echo(f"updated:  {updated}" + (f" ({age:.0f} days ago)" if age is not None else ""))
    if status.stale:
        click.echo(f"warning:  older than {STALE_AFTER_DAYS} days; run `nodeward db update`")
