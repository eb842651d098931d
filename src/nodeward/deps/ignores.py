"""Accepted advisories (`dependencies.ignore` in the configuration): which apply today, which have expired,
which matched nothing.

An entry names an advisory by its id or any alias (GHSA, CVE, NSWG ids), case-insensitively. It hides the
advisory up to the day before `expires`; from that day on the advisory is reported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from nodeward.config.model import AdvisoryIgnore
from nodeward.deps.advisories.model import Advisory


def today() -> date:
    """The day expiry dates are compared with (tests replace it)."""
    return date.today()


@dataclass
class AdvisoryIgnores:
    """The configured entries, split by ``on`` into the ones in force and the expired ones."""

    entries: Sequence[AdvisoryIgnore]
    on: date
    #: Entries that matched an advisory of an installed package, in force or expired.
    used: set[AdvisoryIgnore] = field(default_factory=set)
    #: Expired entries whose advisory affects an installed package again, with the packages ("x@1 in lockfile").
    reported_again: dict[AdvisoryIgnore, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._active: dict[str, AdvisoryIgnore] = {}
        self._expired: dict[str, AdvisoryIgnore] = {}
        for entry in self.entries:
            table = self._active if self.on < entry.expires else self._expired
            table.setdefault(entry.id.casefold(), entry)

    def _find(self, table: dict[str, AdvisoryIgnore], advisory: Advisory) -> AdvisoryIgnore | None:
        for advisory_id in advisory.all_ids:
            entry = table.get(advisory_id.casefold())
            if entry is not None:
                self.used.add(entry)
                return entry
        return None

    def in_force_for_id(self, advisory_id: str) -> AdvisoryIgnore | None:
        """The entry in force for an advisory known by one of its ids only (as a finding's message names it)."""
        entry = self._active.get(advisory_id.casefold())
        if entry is not None:
            self.used.add(entry)
        return entry

    def in_force(self, advisory: Advisory) -> AdvisoryIgnore | None:
        """The entry that hides ``advisory`` today, if any."""
        return self._find(self._active, advisory)

    def expired(self, advisory: Advisory) -> AdvisoryIgnore | None:
        """The expired entry for ``advisory`` (reported again, with a notice), if any."""
        return self._find(self._expired, advisory)

    def unused(self) -> list[AdvisoryIgnore]:
        return [entry for entry in self.entries if entry not in self.used]
