"""`nodeward init`: a commented starter `.nodeward.toml`."""

from __future__ import annotations

from pathlib import Path

import click

from nodeward.config.load import CONFIG_FILE_NAME

STARTER = '''\
# nodeward settings for this project. Command-line flags and NODEWARD_SCAN_* environment variables
# override them. Every key is optional; an unknown key is an error, so a typo never goes unnoticed.
# Full reference: docs/configuration.md

# Every setting below is an example, commented out: this file changes nothing until you uncomment a line.

# Exit with status 1 when a finding has at least this severity (info, low, medium, high, critical).
# fail-on = "low"

# Report only findings at or above these.
# min-severity = "info"
# min-confidence = "low"

# Which scanners run (default: all of them: code, secrets, templates, config, deps).
# scanners = ["code", "secrets", "deps"]

# Run only these rules (ids or names), or leave some out.
# select = ["NW101", "NW106"]
# ignore = ["NW104"]

# Gitignore-style globs of paths not to scan, added to .gitignore's.
# exclude = ["test/fixtures/", "**/*.spec.js"]

# A baseline of accepted findings (`nodeward baseline create`), relative to this file.
# baseline = ".nodeward-baseline.json"

# Tables come last: in TOML every key after a [table] line belongs to that table.

# Per-path ignores: glob = [rules]; "*" means every rule.
# [per-path-ignores]
# "scripts/**" = ["NW103"]
# "examples/" = ["*"]

# Severity overrides: rule = severity.
# [severity]
# NW104 = "high"

# Secrets: paths whose secrets are test data, fingerprints of accepted findings (the `fingerprint`
# field of the JSON report), and patterns of values that are not secrets.
# [secrets]
# allow-paths = ["test/keys/"]
# allow-fingerprints = []
# allow-patterns = ["^sk_test_"]  # regexes on the secret's value
'''


@click.command(name="init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_command(directory: Path, force: bool) -> None:
    """Write a commented starter .nodeward.toml into DIRECTORY (default: here)."""
    target = directory / CONFIG_FILE_NAME
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use --force to overwrite it")
    target.write_text(STARTER, encoding="utf-8")
    click.echo(f"wrote {target}")
