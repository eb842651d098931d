"""The scanners nodeward has, by name; `--scanners` chooses among them."""

from __future__ import annotations

from collections.abc import Callable

from nodeward.scanners import FileScanner, ProjectScanner
from nodeward.scanners.code import CodeScanner
from nodeward.scanners.config import ConfigProjectScanner, ConfigScanner
from nodeward.scanners.deps import DepsScanner
from nodeward.scanners.secrets import SecretsProjectScanner, SecretsScanner
from nodeward.scanners.templates import TemplatesScanner

# Each factory takes the selected rule ids (None: all) and returns a ready scanner.
FILE_SCANNERS: dict[str, Callable[[frozenset[str] | None], FileScanner]] = {
    "code": CodeScanner,
    "secrets": SecretsScanner,
    "templates": TemplatesScanner,
    "config": ConfigScanner,  # with its project part below, under the same name
}
PROJECT_SCANNERS: dict[str, Callable[[frozenset[str] | None], ProjectScanner]] = {
    "deps": DepsScanner,
    "config": ConfigProjectScanner,
    "secrets": SecretsProjectScanner,  # NW507, with its per-file part above
}


def scanner_names() -> list[str]:
    return list(dict.fromkeys([*FILE_SCANNERS, *PROJECT_SCANNERS]))
