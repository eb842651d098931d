"""The settings a project can write down, as plain frozen data (no I/O here)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date

from nodeward.findings import Confidence, Severity

#: `secrets.allow-patterns` reach the secrets scanner in the worker processes through the environment.
SECRET_PATTERNS_ENV = "NODEWARD_ALLOWED_SECRET_PATTERNS"
#: Seconds of analysis a file may take before the scan reports it as stopped and goes on (`--file-timeout`).
DEFAULT_FILE_TIMEOUT = 30.0


@dataclass(frozen=True)
class PathIgnore:
    """`per-path-ignores`: these rules are not reported in files matching this gitignore-style glob."""

    pattern: str
    rules: frozenset[str]  # rule ids; "*" for every rule


@dataclass(frozen=True)
class AdvisoryIgnore:
    """`dependencies.ignore`: an accepted advisory, by id or alias, with the reason and the day it stops applying."""

    id: str
    reason: str
    expires: date  # reported again from this day on
    source: str = ""  # the configuration file, for notices
    line: int | None = None


@dataclass(frozen=True)
class Config:
    """Everything `.nodeward.toml` may set; `None` (or empty) means "not set": the CLI default applies."""

    source: str = ""  # the file it came from, for messages ("" when there is none)
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    per_path_ignores: tuple[PathIgnore, ...] = ()
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = None
    min_severity: Severity | None = None
    min_confidence: Confidence | None = None
    scanners: frozenset[str] | None = None
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    mode: str | None = None
    include_dev: bool | None = None
    baseline: str | None = None
    secrets_allow_paths: tuple[str, ...] = ()
    secrets_allow_fingerprints: frozenset[str] = frozenset()
    secrets_allow_patterns: tuple[str, ...] = ()  # regexes on the secret's value
    advisory_ignores: tuple[AdvisoryIgnore, ...] = ()
    file_timeout: float | None = None  # seconds of analysis per file; 0 for no limit


def export_secret_patterns(config: Config) -> None:
    """Hand `secrets.allow-patterns` to the secrets scanner (worker processes inherit the environment)."""
    if config.secrets_allow_patterns:
        os.environ[SECRET_PATTERNS_ENV] = json.dumps(list(config.secrets_allow_patterns))
    else:
        os.environ.pop(SECRET_PATTERNS_ENV, None)


def allowed_secret_patterns() -> tuple[str, ...]:
    """The patterns `export_secret_patterns` handed over (empty when none or unreadable)."""
    try:
        value = json.loads(os.environ.get(SECRET_PATTERNS_ENV, "[]"))
    except ValueError:
        return ()
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
