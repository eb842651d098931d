"""``nodeward cache info | clear``: the per-file result cache (nodeward.resultcache)."""

from __future__ import annotations

import click


@click.group(name="cache")
def cache_group() -> None:
    """Manage the result cache that makes re-scans fast (in the user cache directory; NODEWARD_CACHE_DIR
    overrides; `scan --no-cache` neither reads nor writes it)."""


@cache_group.command(name="info")
def cache_info() -> None:
    """Where the result cache is, how many files' results it holds and its size."""
    from nodeward.resultcache import ResultCache

    with ResultCache() as cache:
        info = cache.info()
        click.echo(f"result cache: {info.path}")
        if cache.problem:
            click.echo(cache.problem)
        click.echo(f"{info.entries} file results, {info.bytes / 1048576:.1f} MiB of at most "
                   f"{info.max_bytes / 1048576:.0f} MiB (the least recently used are dropped beyond that)")


@cache_group.command(name="clear")
def cache_clear() -> None:
    """Delete every stored result (the advisory database is kept)."""
    from nodeward.resultcache import ResultCache

    with ResultCache() as cache:
        removed = cache.clear()
    click.echo(f"result cache cleared ({removed} file results removed)")
