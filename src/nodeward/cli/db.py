"""``nodeward db update | import FILE | status``: the offline advisory database."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape


def import_hint(url: str) -> str:
    """How to update without network here; the URL alone on its line, never wrapped, to copy it whole."""
    return ("Without network here: download\n"
            f"  {url}\n"
            "on a machine that has it, copy the file here and run `nodeward db import all.zip` "
            "(a zip, JSONL or JSONL.gz OSV export).")


def refresh_before_scan(err: Console) -> None:
    """`scan`'s automatic update of an advisory database older than a day, in one line on stderr."""
    from nodeward.deps.advisories.db import default_db_path
    from nodeward.deps.advisories.update import advisory_url, refresh_if_old

    url = advisory_url()
    with err.status("updating the advisory database", spinner="dots") if err.is_terminal else _nothing():
        update = refresh_if_old(default_db_path(), url)
    days = round(update.age_days) if update.age_days is not None else None
    age = f"{days:,} day{'' if days == 1 else 's'} old" if days is not None else "of unknown age"
    skip = "--offline or NODEWARD_OFFLINE=1 skips this"
    if update.outcome == "updated":
        err.print(f"advisory database updated ({update.detail} advisories; it was {age}); {skip}",
                  soft_wrap=True, markup=False, highlight=False)
    elif update.outcome == "failed":
        err.print(f"[bold yellow]warning:[/bold yellow] the advisory database ({escape(age)}) could not be updated: "
                  f"{escape(update.detail)}; scanning with it. `nodeward db update` retries; {skip}",
                  soft_wrap=True, highlight=False)
    elif update.outcome == "waiting":
        err.print(f"[bold yellow]warning:[/bold yellow] the advisory database is {escape(age)}; the last update "
                  f"failed at {update.detail}, the next try is in an hour (`nodeward db update` tries now)",
                  soft_wrap=True, highlight=False)


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


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
            err.print(f"[bold red]error:[/bold red] {escape(str(error))}; the previous database is unchanged",
                      soft_wrap=True)
            err.print(import_hint(target), soft_wrap=True, markup=False)
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
