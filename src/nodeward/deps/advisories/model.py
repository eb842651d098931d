"""An advisory as nodeward uses it: the OSV fields for one npm package."""

from __future__ import annotations

from dataclasses import dataclass, field

from nodeward.deps.semver import VersionKey, version_key
from nodeward.findings import Severity

#: GHSA / OSV severity words to nodeward severities.
SEVERITY_WORDS = {
    "LOW": Severity.LOW,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}


@dataclass(frozen=True, slots=True)
class Interval:
    """Affected from ``introduced`` (inclusive) up to ``fixed`` (exclusive) or ``last_affected`` (inclusive)."""

    introduced: str = "0"
    fixed: str | None = None
    last_affected: str | None = None

    def contains(self, key: VersionKey) -> bool:
        low = version_key(self.introduced)
        if low is None or key < low:
            return False
        if self.fixed is not None:
            high = version_key(self.fixed)
            return high is None or key < high
        if self.last_affected is not None:
            last = version_key(self.last_affected)
            return last is None or key <= last
        return True


@dataclass(frozen=True, slots=True)
class Affected:
    """The versions of one package an advisory affects."""

    package: str
    intervals: tuple[Interval, ...] = ()
    versions: frozenset[str] = frozenset()

    def affects(self, version: str) -> bool:
        if version in self.versions:
            return True
        key = version_key(version)
        return key is not None and any(interval.contains(key) for interval in self.intervals)

    def fixed_versions(self) -> list[str]:
        return [interval.fixed for interval in self.intervals if interval.fixed]


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    summary: str
    aliases: tuple[str, ...] = ()
    details: str = ""
    severity_word: str = ""  # LOW / MODERATE / HIGH / CRITICAL, when the record says
    cvss: tuple[str, ...] = ()  # CVSS vectors
    cwe_ids: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    published: str = ""
    modified: str = ""
    affected: tuple[Affected, ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return SEVERITY_WORDS.get(self.severity_word.upper(), Severity.MEDIUM)

    @property
    def all_ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def url(self) -> str:
        if self.id.startswith("GHSA-"):
            return f"https://github.com/advisories/{self.id}"
        return self.references[0] if self.references else f"https://osv.dev/vulnerability/{self.id}"
