"""Reading OSV records (https://ossf.github.io/osv-schema/) for the npm ecosystem.

An export is a zip of one JSON record per file (OSV's ``npm/all.zip``), JSON Lines, or gzipped JSON
Lines. Records for other ecosystems are skipped; a record that is not OSV is an error naming it.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nodeward.deps.advisories.model import Advisory, Affected, Interval


class OsvError(Exception):
    """An export or record that is not OSV; the message says which and why."""


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _intervals(ranges: object) -> tuple[Interval, ...]:
    intervals: list[Interval] = []
    for raw in ranges if isinstance(ranges, list) else []:
        if not isinstance(raw, dict) or raw.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue  # GIT ranges name commits, not npm versions
        introduced: str | None = None
        for event in raw.get("events") or []:
            if not isinstance(event, dict):
                continue
            if "introduced" in event:
                if introduced is not None:  # two introduced in a row: the first stays open
                    intervals.append(Interval(introduced))
                introduced = str(event["introduced"])
            elif "fixed" in event and introduced is not None:
                intervals.append(Interval(introduced, fixed=str(event["fixed"])))
                introduced = None
            elif "last_affected" in event and introduced is not None:
                intervals.append(Interval(introduced, last_affected=str(event["last_affected"])))
                introduced = None
            elif "limit" in event:
                continue
        if introduced is not None:
            intervals.append(Interval(introduced))
    return tuple(intervals)


def advisory_from_osv(record: dict[str, Any], source: str = "") -> Advisory | None:
    """The npm part of an OSV record, or None when it affects no npm package."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise OsvError(f"{source}: not an OSV record (no `id`)")
    affected: list[Affected] = []
    for item in record.get("affected") or []:
        if not isinstance(item, dict):
            continue
        package = item.get("package") or {}
        if not isinstance(package, dict) or str(package.get("ecosystem", "")).split(":")[0] != "npm":
            continue
        name = package.get("name")
        if not isinstance(name, str) or not name:
            continue
        affected.append(Affected(name, _intervals(item.get("ranges")), frozenset(_strings(item.get("versions")))))
    if not affected:
        return None
    specific = record.get("database_specific") if isinstance(record.get("database_specific"), dict) else {}
    assert isinstance(specific, dict)
    severity = record.get("severity") if isinstance(record.get("severity"), list) else []
    assert isinstance(severity, list)
    references = record.get("references") if isinstance(record.get("references"), list) else []
    assert isinstance(references, list)
    return Advisory(
        id=record["id"],
        summary=str(record.get("summary") or record.get("details", "")[:120] or record["id"]),
        aliases=_strings(record.get("aliases")),
        details=str(record.get("details", "")),
        severity_word=str(specific.get("severity") or ""),
        cvss=tuple(str(s.get("score")) for s in severity if isinstance(s, dict) and s.get("score")),
        cwe_ids=_strings(specific.get("cwe_ids")),
        references=tuple(str(r.get("url")) for r in references if isinstance(r, dict) and r.get("url")),
        published=str(record.get("published", "")),
        modified=str(record.get("modified", "")),
        affected=tuple(affected),
    )


def _records_from_lines(stream: io.TextIOBase | Iterator[str], source: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise OsvError(f"{source}:{number}: not JSON ({error})") from None
        yield record


def read_export(path: Path) -> Iterator[Advisory]:
    """Every npm advisory in an OSV export file (zip, .jsonl or .jsonl.gz)."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise OsvError(f"{source}: cannot read ({error.strerror or error})") from None
    if magic.startswith(b"PK"):
        yield from _read_zip(path)
        return
    try:
        if magic.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rt", encoding="utf-8") as text:
                yield from _advisories(_records_from_lines(text, source), source)
        else:
            with path.open("r", encoding="utf-8") as text:
                yield from _advisories(_records_from_lines(text, source), source)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise OsvError(f"{source}: cannot read ({error})") from None


def _advisories(records: Iterator[dict[str, Any]], source: str) -> Iterator[Advisory]:
    for record in records:
        advisory = advisory_from_osv(record, source)
        if advisory is not None:
            yield advisory


def _read_zip(path: Path) -> Iterator[Advisory]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise OsvError(f"{path}: not a readable zip ({error})") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            try:
                record = json.loads(archive.read(info))
            except (ValueError, zipfile.BadZipFile, OSError, EOFError) as error:
                raise OsvError(f"{path}: member {info.filename} is broken ({error})") from None
            advisory = advisory_from_osv(record, f"{path}:{info.filename}")
            if advisory is not None:
                yield advisory
