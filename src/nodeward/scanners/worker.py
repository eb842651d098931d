"""Runs the file scanners over one file: read once, decode once, scan, apply suppressions.

An instance lives in each worker process (set up by `init_worker`), so rules, parsers and queries are
built once per process, and only plain results cross the process boundary.
"""

from __future__ import annotations

from dataclasses import replace

from nodeward.findings import FileNotice, with_context
from nodeward.resultcache import content_digest
from nodeward.rules.registry import all_rules
from nodeward.scanners import FileResult, FileScanner
from nodeward.scanners.code import CodeScanner
from nodeward.scanners.registry import FILE_SCANNERS
from nodeward.sources.discover import (
    MINIFIED_TEXT_ONLY,
    FileKind,
    SourceFile,
    SourceReadError,
    as_utf8,
    content_skip,
    read_source,
)
from nodeward.suppress import parse_directives, split_suppressed


class FileScanRunner:
    def __init__(self, scanner_names: frozenset[str], selected_rules: frozenset[str] | None) -> None:
        self.scanners: list[FileScanner] = [
            factory(selected_rules) for name, factory in FILE_SCANNERS.items() if name in scanner_names
        ]
        rules = [rule for rule in all_rules() if selected_rules is None or rule.id in selected_rules]
        self.active_keys = {rule.id for rule in rules} | {rule.name for rule in rules}

    @property
    def kinds(self) -> frozenset[FileKind]:
        return frozenset().union(*(scanner.kinds for scanner in self.scanners))

    def scan(self, file: SourceFile) -> FileResult:
        try:
            raw = read_source(file)
        except SourceReadError as error:
            return FileResult(notices=[FileNotice(file.display_path, "skipped", f"unreadable: {error.reason}")],
                              scanned=False)
        result = self._scan(file, as_utf8(raw))
        result.content_digest = content_digest(raw)
        return result

    def _scan(self, file: SourceFile, data: bytes) -> FileResult:
        skip = content_skip(file.kind, data)  # here, not in discovery: the file is read once
        skipped_notices: list[FileNotice] = []
        if skip is not None:
            if not (skip.text_still_read and FileKind.TEXT in self.kinds):
                return FileResult(notices=[FileNotice(file.display_path, "skipped", skip.reason)] if skip.reported
                                  else [], scanned=False)
            file = replace(file, kind=FileKind.TEXT)
            skipped_notices.append(FileNotice(file.display_path, "skipped", MINIFIED_TEXT_ONLY))
        text = data.decode("utf-8", "replace")
        result = FileResult(lines=data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1),
                            notices=skipped_notices)
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            result.notices.append(
                FileNotice(file.display_path, "encoding", "not valid UTF-8: scanned with replacement characters")
            )
        for scanner in self.scanners:
            if file.kind not in scanner.kinds:
                continue
            partial = scanner.scan_file(file, data, text)
            result.findings.extend(partial.findings)
            result.notices.extend(partial.notices)
            result.summaries.update(partial.summaries)
            result.secrets.extend(partial.secrets)
            result.cacheable &= partial.cacheable
        lines = text.splitlines()
        kept, suppressed, notices = split_suppressed(file.display_path, lines, result.findings, self.active_keys)
        if suppressed or any(n.kind == "unused-suppression" for n in notices):
            # Phase 2 of taint tracking may report here again; it needs to know what the user silenced.
            directives, _ = parse_directives(lines)
            table: dict[str, list[str]] = {}
            for directive in directives:
                table.setdefault(str(directive.line), []).extend(k.upper() if k[:2].lower() == "nw" else k
                                                                 for k in directive.rules)
            result.summaries["suppressions"] = table
        result.findings, result.suppressed = with_context(kept, lines), len(suppressed)
        result.suppressed_findings = with_context(suppressed, lines)
        result.notices.extend(notices)
        return result


_RUNNER: FileScanRunner | None = None


#: Code a fresh worker analyses before its first file: the first analysis compiles the tree-sitter queries
#: (a few tenths of a second, more on a loaded machine), a set-up that is not the first file's to pay out
#: of its time budget.
_WARM_UP_SOURCE = b"const fs = require('fs');\nmodule.exports = (req, res) => fs.readFile(req.query.p, res.send);\n"


def init_worker(scanner_names: frozenset[str], selected_rules: frozenset[str] | None) -> None:
    global _RUNNER
    _RUNNER = FileScanRunner(scanner_names, selected_rules)
    for scanner in _RUNNER.scanners:
        if isinstance(scanner, CodeScanner):
            scanner.scan_source("warm-up.js", _WARM_UP_SOURCE, "javascript")


def scan_in_worker(file: SourceFile) -> FileResult:
    assert _RUNNER is not None
    try:
        return _RUNNER.scan(file)
    except Exception as error:  # the last line of defence: report, never crash the pool
        return FileResult(
            notices=[FileNotice(file.display_path, "error", f"internal error: {type(error).__name__}: {error}")],
            scanned=False,
        )
