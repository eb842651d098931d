"""``nodeward db update``: download the OSV npm export, verify it, and replace the database atomically.

The download goes to a temporary file; the database is rebuilt beside the old one and renamed over it
only when the download is complete (its length matches ``Content-Length``), the zip's checksums hold and
every record reads as OSV. Anything else raises UpdateError and leaves the old database as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nodeward.deps.advisories.db import DatabaseError, build_database
from nodeward.deps.advisories.osv import OsvError, read_export

DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"
URL_ENV = "NODEWARD_ADVISORY_URL"
OFFLINE_ENV = "NODEWARD_OFFLINE"  # set (not "0"): `scan` never fetches advisories by itself
TIMEOUT_ENV = "NODEWARD_UPDATE_TIMEOUT"  # seconds the automatic update of `scan` may take (default below)
AUTO_UPDATE_AFTER_DAYS = 1
AUTO_UPDATE_TIMEOUT = 60.0
#: After a failed automatic update, scans do not try again for this long (an unreachable network would
#: otherwise cost every scan its timeout).
RETRY_AFTER = dt.timedelta(hours=1)
_FAILED_MARK = "last-failed-update"
_CHUNK = 64 * 1024

#: Called with (bytes received, total bytes or None).
Progress = Callable[[int, int | None], None]


class UpdateError(Exception):
    """The update failed; the old database is intact."""


def advisory_url() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


def download(url: str, target: Path, progress: Progress | None = None, timeout: float = 60,
             limit: float | None = None) -> int:
    """Download ``url`` to ``target``; the number of bytes. Raises UpdateError when it is cut short, when
    the server is silent for ``timeout`` seconds, or when the whole download takes over ``limit`` seconds."""
    deadline = time.monotonic() + limit if limit is not None else None
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        raise UpdateError(f"cannot download {url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise UpdateError(f"cannot download {url}: {getattr(error, 'reason', error)}") from None
    received = 0
    with response, target.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        try:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                received += len(chunk)
                if progress:
                    progress(received, total)
                if deadline is not None and time.monotonic() > deadline:
                    raise UpdateError(f"download of {url} stopped after {limit:g} s ({received} bytes received)")
        except (OSError, ValueError, http.client.HTTPException) as error:  # IncompleteRead, resets, timeouts
            raise UpdateError(f"download of {url} interrupted after {received} bytes: {error}") from None
    if total is not None and received != total:
        raise UpdateError(f"download of {url} interrupted: {received} of {total} bytes")
    return received


def update_database(db_path: Path, url: str | None = None, progress: Progress | None = None, *,
                    timeout: float = 60, limit: float | None = None) -> int:
    """Download the export at ``url`` and rebuild the database at ``db_path``; the record count."""
    url = url or advisory_url()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".download-", suffix=".zip", dir=db_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        download(url, temp, progress, timeout, limit)
        try:
            return build_database(read_export(temp), db_path, source=url, updated=dt.datetime.now(dt.UTC))
        except (OsvError, DatabaseError) as error:
            raise UpdateError(f"the download is not a usable OSV export: {error}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def import_file(db_path: Path, path: Path) -> int:
    """Rebuild the database from a local OSV export (zip, JSONL or JSONL.gz)."""
    updated = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    try:
        return build_database(read_export(path), db_path, source=str(path.resolve()), updated=updated)
    except (OsvError, DatabaseError) as error:
        raise UpdateError(str(error)) from None


def offline() -> bool:
    """NODEWARD_OFFLINE set to anything but empty, 0, false or no."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def auto_update_timeout() -> float:
    try:
        return max(float(os.environ.get(TIMEOUT_ENV, "")), 0.1)
    except ValueError:
        return AUTO_UPDATE_TIMEOUT


@dataclass(frozen=True)
class AutoUpdate:
    """What the automatic update before a scan did: ``outcome`` is current, updated, failed or waiting."""

    outcome: str
    age_days: float | None  # of the database before the update
    detail: str = ""  # updated: the record count; failed: the reason; waiting: when the last attempt failed


def refresh_if_old(db_path: Path, url: str | None = None, *, now: dt.datetime | None = None) -> AutoUpdate:
    """Update the database at ``db_path`` when it is older than a day (the bundled seed always is).

    A failure leaves the database as it was; for an hour after one, no new attempt is made."""
    from nodeward.deps.advisories.db import AdvisoryDatabase, DatabaseError

    now = now or dt.datetime.now(dt.UTC)
    try:
        with AdvisoryDatabase.open_default(db_path) as database:
            age = database.status().age_days(now)
    except (DatabaseError, OSError):
        age = None
    if age is not None and age <= AUTO_UPDATE_AFTER_DAYS:
        return AutoUpdate("current", age)
    mark = db_path.parent / _FAILED_MARK
    with contextlib.suppress(OSError, ValueError):
        failed = dt.datetime.fromisoformat(mark.read_text(encoding="utf-8").strip())
        if dt.timedelta(0) <= now - failed < RETRY_AFTER:
            return AutoUpdate("waiting", age, failed.strftime("%H:%M UTC"))
    timeout = auto_update_timeout()
    try:
        count = update_database(db_path, url, timeout=min(timeout, 15.0), limit=timeout)
    except (UpdateError, OSError) as error:
        with contextlib.suppress(OSError):
            mark.write_text(now.isoformat(timespec="seconds"), encoding="utf-8")
        return AutoUpdate("failed", age, str(error))
    with contextlib.suppress(OSError):
        mark.unlink()
    return AutoUpdate("updated", age, f"{count:,}")
