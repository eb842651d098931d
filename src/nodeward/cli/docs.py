"""`nodeward docs --write | --check`: the rule pages under docs/rules (see nodeward.docs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nodeward.docs import DOCS_DIR, main


@click.command(name="docs")
@click.option("--write", "mode", flag_value="--write", help="Write the pages.")
@click.option("--check", "mode", flag_value="--check", default=True, help="Exit 1 when the pages are stale.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=DOCS_DIR,
              show_default=True, help="Output directory.")
def docs_command(mode: str, directory: Path) -> None:
    """Generate (or check) the per-rule documentation pages from the rule metadata."""
    sys.exit(main([mode, "--dir", str(directory)]))
