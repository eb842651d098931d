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
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from nodeward.deps.advisories.db import DatabaseError, build_database
from nodeward.deps.advisories.osv import OsvError, read_export

DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip"
URL_ENV = "NODEWARD_ADVISORY_URL"
_CHUNK = 64 * 1024

#: Called with (bytes received, total bytes or None).
Progress = Callable[[int, int | None], None]


class UpdateError(Exception):
    """The update failed; the old database is intact."""


def advisory_url() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


def download(url: str, target: Path, progress: Progress | None = None, timeout: float = 60) -> int:
    """Download ``url`` to ``target``; the number of bytes. Raises UpdateError when it is cut short."""
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
        except (OSError, ValueError, http.client.HTTPException) as error:  # IncompleteRead, resets
            raise UpdateError(f"download of {url} interrupted after {received} bytes: {error}") from None
    if total is not None and received != total:
        raise UpdateError(f"download of {url} interrupted: {received} of {total} bytes")
    return received


def update_database(db_path: Path, url: str | None = None, progress: Progress | None = None) -> int:
    """Download the export at ``url`` and rebuild the database at ``db_path``; the record count."""
    url = url or advisory_url()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".download-", suffix=".zip", dir=db_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        download(url, temp, progress)
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
