"""Every dependency test gets its own empty cache directory (the advisory database lives there), and a local
HTTP server serving OSV exports: whole, cut short, corrupt, not OSV, slow and failing."""

from __future__ import annotations

import http.server
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deps"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NODEWARD_CACHE_DIR", str(directory))
    return directory


RECORD = {
    "id": "GHSA-test-0001-0001", "aliases": ["CVE-2099-0001"], "summary": "Test advisory",
    "modified": "2099-01-01T00:00:00Z", "published": "2099-01-01T00:00:00Z",
    "database_specific": {"severity": "CRITICAL", "cwe_ids": ["CWE-1321"]},
    "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}],
}
OTHER_ECOSYSTEM = {"id": "PYSEC-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}}]}


def osv_zip(*records: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record.get('id', 'x')}.json", json.dumps(record))
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[bytes, int | None]]] = {}
    requested: ClassVar[list[str]] = []  # every path asked for, in order

    def do_GET(self) -> None:
        self.requested.append(self.path)
        if self.path == "/slow.zip":  # answers, then sends nothing for longer than any test waits
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            return
        if self.path == "/broken":
            self.send_error(500, "storage unavailable")
            return
        body, claimed = self.routes.get(self.path, (b"", None))
        if not body:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(claimed if claimed is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)  # when `claimed` is larger, the connection closes early: an interrupted download

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    valid = osv_zip(RECORD, OTHER_ECOSYSTEM)
    corrupt = bytearray(valid)
    corrupt[40:60] = b"\0" * 20  # inside the first member's compressed data: its CRC no longer matches
    _Handler.routes = {
        "/all.zip": (valid, None),
        "/cut.zip": (valid[: len(valid) // 2], len(valid)),
        "/corrupt.zip": (bytes(corrupt), None),
        "/not-osv.zip": (osv_zip({"name": "nothing"}), None),
    }
    _Handler.requested = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def requests_served() -> list[str]:
    """The paths the local server was asked for since the `server` fixture started it."""
    return list(_Handler.requested)
