"""Which installed packages have known vulnerabilities, and the version that fixes them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from nodeward.deps.advisories.model import Advisory
from nodeward.deps.model import InstalledPackage
from nodeward.deps.semver import version_key
from nodeward.findings import Severity


@dataclass(frozen=True, slots=True)
class Vulnerable:
    """A package with the advisories that affect its installed version."""

    package: InstalledPackage
    advisories: tuple[Advisory, ...]
    #: The lowest version above the installed one that none of the advisories affects, if one is known.
    fixed_version: str | None

    @property
    def severity(self) -> Severity:
        return max(advisory.severity for advisory in self.advisories)


def merge_aliases(advisories: Iterable[Advisory]) -> list[Advisory]:
    """One advisory per vulnerability: records that share an id or alias are the same one.

    The kept record is the GHSA one when there is one (the id most tools show), else the smallest id;
    it carries the ids of the others as aliases.
    """
    groups: list[tuple[set[str], list[Advisory]]] = []
    for advisory in advisories:
        ids = set(advisory.all_ids)
        joined = [group for group in groups if group[0] & ids]
        merged_ids, members = ids, [advisory]
        for group in joined:
            merged_ids |= group[0]
            members.extend(group[1])
            groups.remove(group)
        groups.append((merged_ids, members))
    result = []
    for ids, members in groups:
        keep = min(members, key=lambda a: (not a.id.startswith("GHSA-"), a.id))
        if len(members) > 1:
            from dataclasses import replace

            aliases = tuple(sorted(ids - {keep.id}))
            worst = max(members, key=lambda a: a.severity)
            keep = replace(keep, aliases=aliases, severity_word=keep.severity_word or worst.severity_word)
        result.append(keep)
    return sorted(result, key=lambda a: a.id)


def fixed_version(version: str, advisories: Sequence[Advisory], package: str) -> str | None:
    """The lowest version above ``version`` that no advisory affects, among the advisories' fixes."""
    current = version_key(version)
    candidates: set[str] = set()
    for advisory in advisories:
        for item in advisory.affected:
            if item.package == package:
                candidates.update(item.fixed_versions())
    ordered = sorted(
        (c for c in candidates if (key := version_key(c)) is not None and (current is None or key > current)),
        key=lambda c: version_key(c) or (0, 0, 0, 0, ()),
    )
    for candidate in ordered:
        if not any(item.affects(candidate) for a in advisories for item in a.affected if item.package == package):
            return candidate
    return None


def match_packages(
    packages: Sequence[InstalledPackage],
    lookup: Callable[[Sequence[str]], Mapping[str, list[Advisory]]],
    ignored: Callable[[Advisory], bool] = lambda advisory: False,
) -> list[Vulnerable]:
    """Every package whose installed version an advisory affects.

    ``lookup`` returns the advisories for a list of package names (the database's ``for_packages``);
    ``ignored`` drops advisories the user has accepted.
    """
    by_name = lookup([p.name for p in packages])
    results: list[Vulnerable] = []
    for package in packages:
        candidates = by_name.get(package.name)
        if not candidates:
            continue
        hits = [
            advisory
            for advisory in candidates
            if any(item.package == package.name and item.affects(package.version) for item in advisory.affected)
        ]
        hits = [a for a in merge_aliases(hits) if not ignored(a)]
        if hits:
            results.append(Vulnerable(package, tuple(hits), fixed_version(package.version, hits, package.name)))
    return results
