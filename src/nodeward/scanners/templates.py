"""The templates scanner: EJS, Handlebars, Mustache, Pug and Nunjucks files, one at a time, in the workers.

What counts as raw output lives in the rule (`nodeward.rules.web.unescaped_template_output`); this
module turns what it finds into findings with lines, columns and snippets.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from nodeward.findings import Finding, Location
from nodeward.rules.base import make_finding
from nodeward.rules.web.unescaped_template_output import RawOutput, UnescapedTemplateOutput, raw_outputs
from nodeward.scanners import FileResult
from nodeward.sources.discover import FileKind, SourceFile

TEMPLATE_KINDS = frozenset({FileKind.TEMPLATE})


class TemplatesScanner:
    """Unescaped output in server-side templates (NW118)."""

    name = "templates"
    kinds = TEMPLATE_KINDS

    def __init__(self, selected: frozenset[str] | None = None) -> None:
        self.enabled = selected is None or UnescapedTemplateOutput.id in selected

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        return self.scan_text(file.display_path, text)

    def scan_text(self, display_path: str, text: str) -> FileResult:
        result = FileResult()
        if not self.enabled:
            return result
        lines = text.splitlines()
        starts = _line_starts(text)
        for output in raw_outputs(text, PurePosixPath(display_path).suffix, display_path):
            result.findings.append(self._finding(display_path, output, lines, starts))
        return result

    @staticmethod
    def _finding(display_path: str, output: RawOutput, lines: list[str], starts: list[int]) -> Finding:
        start_line, start_column = _position(starts, output.start)
        end_line, end_column = _position(starts, output.end)
        expression = " ".join(output.expression.split())
        if len(expression) > 50:
            expression = expression[:49] + "…"
        message = (f"{output.engine} prints `{expression}` without HTML escaping ({output.syntax}); "
                   "a value that holds user input becomes markup and script in the page")
        return make_finding(
            UnescapedTemplateOutput, message,
            Location(display_path, start_line, start_column, end_line, end_column),
            lines[start_line - 1] if start_line - 1 < len(lines) else "",
        )


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1, offset - starts[low] + 1
