"""The settings a project can write down, as plain frozen data (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nodeward.findings import Confidence, Severity


@dataclass(frozen=True)
class PathIgnore:
    """`per-path-ignores`: these rules are not reported in files matching this gitignore-style glob."""

    pattern: str
    rules: frozenset[str]  # rule ids; "*" for every rule


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
