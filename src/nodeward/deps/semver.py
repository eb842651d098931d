"""npm versions and ranges.

Ranges written by people (``package.json``: ``^``, ``~``, x-ranges, hyphen ranges, ``||``) follow npm's
own rules, which the PyPI package ``node-semver`` implements faithfully; this module wraps it.

OSV advisories are not npm ranges: their ``introduced`` / ``fixed`` / ``last_affected`` events are compared
by plain SemVer precedence, prereleases included, through :func:`version_key`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import nodesemver

#: A sortable SemVer precedence key: (major, minor, patch, release flag, prerelease identifiers).
#: A release sorts after all of its prereleases; numeric identifiers sort before alphanumeric ones.
VersionKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]

_STRICT = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)


def _prerelease_key(parts: Sequence[object]) -> tuple[tuple[int, int | str], ...]:
    key: list[tuple[int, int | str]] = []
    for part in parts:
        text = str(part)
        key.append((0, int(text)) if text.isdigit() else (1, text))
    return tuple(key)


@lru_cache(maxsize=65536)
def version_key(text: str) -> VersionKey | None:
    """The precedence key of a version, or None when ``text`` is not a version.

    ``"0"`` (OSV's "since the beginning") is the lowest version there is.
    """
    text = text.strip()
    if text == "0":
        return (0, 0, 0, 0, ())
    match = _STRICT.match(text)
    try:
        if match:
            major, minor, patch, pre = match.groups()
            parts = pre.split(".") if pre else []
            return (int(major), int(minor), int(patch), 0 if pre else 1, _prerelease_key(parts))
        parsed = nodesemver.make_semver(text, loose=True)
        pre_parts = list(parsed.prerelease)
        return (parsed.major, parsed.minor, parsed.patch, 0 if pre_parts else 1, _prerelease_key(pre_parts))
    except (ValueError, TypeError):  # also a number past Python's 4,300-digit conversion limit
        return None


def is_version(text: str) -> bool:
    return version_key(text) is not None


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 by SemVer precedence; raises ValueError for something that is not a version."""
    key_a, key_b = version_key(a), version_key(b)
    if key_a is None or key_b is None:
        raise ValueError(f"not a version: {a if key_a is None else b!r}")
    return (key_a > key_b) - (key_a < key_b)


def satisfies(version: str, npm_range: str, *, include_prerelease: bool = False) -> bool:
    """Whether npm would consider ``version`` to satisfy ``npm_range`` (False for invalid input)."""
    try:
        return bool(nodesemver.satisfies(version, npm_range, loose=True, include_prerelease=include_prerelease))
    except (ValueError, TypeError):
        return False


def is_valid_range(npm_range: str) -> bool:
    try:
        nodesemver.make_range(npm_range, loose=True)
    except (ValueError, TypeError):
        return False
    return True


def lowest_version(npm_range: str) -> str | None:
    """The lowest release version an npm range allows (npm's ``minVersion``), or None.

    ``^4.17.4`` gives ``4.17.4``, ``>1.2.3`` gives ``1.2.4``, ``*`` gives ``0.0.0``.
    """
    try:
        parsed = nodesemver.make_range(npm_range, loose=True)
    except (ValueError, TypeError):
        return None
    best: VersionKey | None = None
    best_text: str | None = None
    for comparators in parsed.set:
        low: tuple[VersionKey, str] = ((0, 0, 0, 1, ()), "0.0.0")
        for comparator in comparators:
            operator = comparator.operator
            semver = comparator.semver
            if not hasattr(semver, "major"):  # ANY: no bound
                continue
            text = f"{semver.major}.{semver.minor}.{semver.patch}"
            if semver.prerelease:
                text += "-" + ".".join(str(p) for p in semver.prerelease)
            if operator == ">":
                text = (
                    f"{semver.major}.{semver.minor}.{semver.patch}"
                    if semver.prerelease
                    else f"{semver.major}.{semver.minor}.{semver.patch + 1}"
                )
            elif operator not in (">=", "", "="):
                continue
            key = version_key(text)
            if key is not None and key > low[0]:
                low = (key, text)
        if all(_comparator_ok(c, low[1]) for c in comparators) and (best is None or low[0] < best):
            best, best_text = low
    return best_text


def _comparator_ok(comparator: nodesemver.Comparator, version: str) -> bool:
    try:
        return bool(comparator.test(nodesemver.make_semver(version, loose=True)))
    except (ValueError, TypeError):
        return False
