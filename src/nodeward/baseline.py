"""Baselines: the findings a project has accepted for now, so that a scan reports only new ones.

The file is versioned JSON. An entry is identified by the finding's fingerprint (rule, file and
normalised text, or a hashed secret: never the line number), so code moving up or down keeps matching.
No snippet and no secret is stored. A file written by an older nodeward is upgraded on reading, one
version step at a time (`UPGRADES`); a newer one is refused with a message saying so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nodeward import __version__
from nodeward.datafiles import load_json
from nodeward.findings import Finding, Suppression

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".nodeward-baseline.json"
FORMAT_NAME = "nodeward-baseline"

#: version N -> function turning a version-N document into a version-N+1 one.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    title: str


@dataclass
class Baseline:
    entries: dict[str, BaselineEntry] = field(default_factory=dict)  # by fingerprint
    created_with: str = __version__
    settings: dict[str, Any] = field(default_factory=dict)  # what produced it (scanners, rules)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding], settings: dict[str, Any] | None = None) -> Baseline:
        entries = {f.fingerprint: BaselineEntry(f.fingerprint, f.rule_id, f.path, f.title) for f in findings}
        return cls(dict(sorted(entries.items(), key=lambda item: (item[1].path, item[1].rule_id, item[0]))),
                   settings=settings or {})

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": BASELINE_VERSION,
            "created_with": self.created_with,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "settings": self.settings,
            "findings": [
                {"fingerprint": e.fingerprint, "rule_id": e.rule_id, "path": e.path, "title": e.title}
                for e in self.entries.values()
            ],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """The new findings, and the ones the baseline knows (marked as suppressed by it)."""
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in findings:
            if finding.fingerprint in self.entries:
                known.append(replace(finding, suppression=Suppression("external", "in the baseline")))
            else:
                new.append(finding)
        return new, known


def upgrade(document: dict[str, Any], source: str) -> dict[str, Any]:
    """Bring a baseline document to the current version."""
    version = document.get("version")
    if not isinstance(version, int) or version < 1:
        raise BaselineError(f"{source}: not a nodeward baseline (no valid `version`)")
    if version > BASELINE_VERSION:
        raise BaselineError(f"{source}: baseline version {version} was written by a newer nodeward "
                            f"(this one reads up to version {BASELINE_VERSION}); upgrade nodeward")
    while version < BASELINE_VERSION:
        step = UPGRADES.get(version)
        if step is None:
            raise BaselineError(f"{source}: no upgrade from baseline version {version}")
        document = step(document)
        version = document["version"]
    return document


def load_baseline(path: Path) -> Baseline:
    try:
        document = load_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with `nodeward baseline create`)") from None
    except (OSError, ValueError) as error:
        raise BaselineError(f"{path}: cannot be read as JSON ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise BaselineError(f"{path}: not a nodeward baseline (expected \"format\": \"{FORMAT_NAME}\")")
    document = upgrade(document, str(path))
    entries: dict[str, BaselineEntry] = {}
    for item in document.get("findings", []):
        try:
            entry = BaselineEntry(str(item["fingerprint"]), str(item["rule_id"]), str(item["path"]),
                                  str(item.get("title", "")))
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: malformed entry {item!r}") from None
        entries[entry.fingerprint] = entry
    return Baseline(entries, str(document.get("created_with", "")), dict(document.get("settings") or {}))
