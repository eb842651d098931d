"""npm ranges (node-semver), OSV event semantics with prereleases, alias merging and the fixed version."""

from __future__ import annotations

import itertools

import pytest

from nodeward.deps.advisories.model import Advisory, Affected, Interval
from nodeward.deps.advisories.osv import advisory_from_osv
from nodeward.deps.match import fixed_version, match_packages, merge_aliases
from nodeward.deps.model import DependencyPath, InstalledPackage
from nodeward.deps.semver import compare, lowest_version, satisfies

# Tricky cases where hand-written range code tends to go wrong; each answer is npm's own.
RANGES = [
    ("1.2.3", "^1.2.3", True),
    ("2.0.0", "^1.2.3", False),
    ("0.2.5", "^0.2.3", True),
    ("0.3.0", "^0.2.3", False),
    ("0.0.4", "^0.0.3", False),
    ("1.2.9", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False),
    ("1.9.9", "1.x", True),
    ("2.3.4", "1.2.3 - 2.3.4", True),
    ("2.3.5", "1.2.3 - 2.3.4", False),
    ("2.3.9", "1.2.3 - 2.3", True),
    ("3.0.0", "<2 || >=3", True),
    ("1.2.4-beta.1", "^1.2.3", False),  # prereleases only match a range naming the same tuple
    ("1.2.3-beta.2", ">=1.2.3-beta.1 <1.3.0", True),
    ("1.2.4-beta.2", ">=1.2.3-beta.1 <1.3.0", False),
    ("1.0.0", "*", True),
    ("1.0.0-rc.1", "*", False),
    ("1.2.3", "=v1.2.3", True),
    ("1.2.3", "not a range", False),
]


@pytest.mark.parametrize(("version", "npm_range", "expected"), RANGES)
def test_npm_range_semantics(version: str, npm_range: str, expected: bool) -> None:
    assert satisfies(version, npm_range) is expected


@pytest.mark.parametrize(
    ("npm_range", "lowest"),
    [("^4.17.4", "4.17.4"), (">1.2.3", "1.2.4"), ("~1.2", "1.2.0"), ("*", "0.0.0"), ("latest", None),
     ("1.x || >=3.0.0 <3.1.0", "1.0.0"), ("github:user/repo", None)],
)
def test_lowest_version_a_range_allows(npm_range: str, lowest: str | None) -> None:
    assert lowest_version(npm_range) == lowest


def test_semver_precedence_of_prereleases() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
               "1.0.0-rc.1", "1.0.0"]
    for low, high in itertools.pairwise(ordered):
        assert compare(low, high) == -1, (low, high)
    assert compare("1.0.0+build.1", "1.0.0") == 0


def _affected(*events: dict[str, str], versions: tuple[str, ...] = ()) -> Affected:
    advisory = advisory_from_osv({
        "id": "X-1",
        "affected": [{"package": {"ecosystem": "npm", "name": "pkg"},
                      "ranges": [{"type": "SEMVER", "events": list(events)}], "versions": list(versions)}],
    })
    assert advisory is not None
    return advisory.affected[0]


def test_osv_events_include_prereleases_of_the_affected_range() -> None:
    affected = _affected({"introduced": "2.0.0-0"}, {"fixed": "2.1.0"})
    assert affected.affects("2.0.0-beta.1")  # an npm range would skip it; OSV does not
    assert affected.affects("2.1.0-rc.1")  # below the fix
    assert not affected.affects("2.1.0")
    assert not affected.affects("1.9.9")


def test_osv_last_affected_is_inclusive_and_versions_are_exact() -> None:
    affected = _affected({"introduced": "0"}, {"last_affected": "0.7.0"}, versions=("9.9.9",))
    assert affected.affects("0.7.0") and affected.affects("0.0.1") and affected.affects("9.9.9")
    assert not affected.affects("0.7.1")


def test_several_intervals_and_open_ranges() -> None:
    affected = _affected({"introduced": "0"}, {"fixed": "1.0.5"}, {"introduced": "2.0.0"})
    assert affected.affects("1.0.4") and not affected.affects("1.5.0") and affected.affects("7.0.0")


def _advisory(advisory_id: str, intervals: tuple[Interval, ...], aliases: tuple[str, ...] = (),
              severity: str = "HIGH") -> Advisory:
    return Advisory(advisory_id, f"summary {advisory_id}", aliases, severity_word=severity,
                    affected=(Affected("pkg", intervals),))


def test_fixed_version_is_the_lowest_that_fixes_every_advisory() -> None:
    advisories = [
        _advisory("A", (Interval("0", fixed="1.2.0"),)),
        _advisory("B", (Interval("1.1.0", fixed="1.3.0"),)),  # 1.2.0 is still affected by B
    ]
    assert fixed_version("1.1.5", advisories, "pkg") == "1.3.0"
    assert fixed_version("1.1.5", [_advisory("C", (Interval("0", last_affected="2.0.0"),))], "pkg") is None


def test_aliases_merge_into_one_advisory_preferring_the_ghsa_id() -> None:
    merged = merge_aliases([
        _advisory("NSWG-ECO-1", (Interval("0", fixed="2.0.0"),), aliases=("CVE-2020-1",)),
        _advisory("GHSA-aaaa-bbbb-cccc", (Interval("0", fixed="2.0.0"),), aliases=("CVE-2020-1",)),
        _advisory("NSWG-ECO-2", (Interval("0", fixed="2.0.0"),)),
    ])
    assert [a.id for a in merged] == ["GHSA-aaaa-bbbb-cccc", "NSWG-ECO-2"]
    assert set(merged[0].aliases) == {"CVE-2020-1", "NSWG-ECO-1"}


def test_match_reports_each_vulnerable_package_once_with_its_fix() -> None:
    db = {"pkg": [_advisory("A", (Interval("0", fixed="1.2.0"),)), _advisory("B", (Interval("5.0.0"),))]}
    packages = [
        InstalledPackage("pkg", "1.0.0", direct=True, dev=False, path=DependencyPath("pkg")),
        InstalledPackage("pkg", "1.2.0", direct=False, dev=False, path=DependencyPath.of("x", "pkg")),
        InstalledPackage("other", "1.0.0", direct=True, dev=False, path=DependencyPath("other")),
    ]
    results = match_packages(packages, lambda names: {n: db[n] for n in names if n in db})
    assert [(r.package.label, [a.id for a in r.advisories], r.fixed_version) for r in results] == [
        ("pkg@1.0.0", ["A"], "1.2.0")
    ]
    assert match_packages(packages, lambda names: db, ignored=lambda a: a.id == "A") == []
