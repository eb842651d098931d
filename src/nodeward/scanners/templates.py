"""The templates scanner: pages (EJS, Handlebars, Mustache, Pug, Nunjucks, HTML, Vue), one at a time, in the workers.

Two things are looked at in a page:
- raw output of a server template (NW118): what counts as raw lives in the rule
  (`nodeward.rules.web.unescaped_template_output`); this module turns it into findings with lines and columns;
- the JavaScript of its inline scripts (`page_scripts`), analysed by the code rules like any file: the
  browser's sources (`location.hash`, `document.URL`) and the data the template prints there reaching
  `innerHTML`, `document.write` or `eval`. Its findings point at the page's own lines and columns.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from nodeward.findings import Finding, Location, TraceStep
from nodeward.rules.base import make_finding
from nodeward.rules.web.unescaped_template_output import RawOutput, UnescapedTemplateOutput, raw_outputs
from nodeward.scanners import FileResult
from nodeward.scanners.code import CodeScanner
from nodeward.scanners.page_scripts import PageScript, page_script
from nodeward.sources.discover import FileKind, SourceFile

TEMPLATE_KINDS = frozenset({FileKind.TEMPLATE})


class TemplatesScanner:
    """Unescaped output in server-side templates (NW118) and the code rules on the scripts of pages."""

    name = "templates"
    kinds = TEMPLATE_KINDS

    def __init__(self, selected: frozenset[str] | None = None) -> None:
        self.enabled = selected is None or UnescapedTemplateOutput.id in selected
        self.selected = selected
        self._code: CodeScanner | None = None

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        return self.scan_text(file.display_path, text)

    def scan_text(self, display_path: str, text: str) -> FileResult:
        result = FileResult()
        lines = text.splitlines()
        if self.enabled:
            starts = _line_starts(text)
            for output in raw_outputs(text, PurePosixPath(display_path).suffix, display_path):
                result.findings.append(self._finding(display_path, output, lines, starts))
        script = page_script(text, PurePosixPath(display_path).suffix)
        if script is not None:
            self._scan_script(display_path, script, lines, result)
        return result

    def _scan_script(self, display_path: str, script: PageScript, lines: list[str], result: FileResult) -> None:
        if self._code is None:
            self._code = CodeScanner(self.selected)
        if not self._code.rules:
            return
        code = self._code.scan_source(display_path, script.source.encode("utf-8"), script.dialect, script.source)
        # A page's script is not a module of the project: its summaries stay out of the cross-file phase, and
        # a syntax error in it (template code the replacement could not make JavaScript) is no news to the user.
        result.notices.extend(notice for notice in code.notices if notice.kind != "partial-parse")
        for finding in code.findings:
            location = _page_location(script, finding.location)
            result.findings.append(replace(
                finding, location=location, message=script.describe(finding.message),
                snippet=lines[location.start_line - 1] if location.start_line - 1 < len(lines) else "",
                trace=tuple(TraceStep(_page_location(script, step.location), script.describe(step.description))
                            for step in finding.trace)))

    @staticmethod
    def _finding(display_path: str, output: RawOutput, lines: list[str], starts: list[int]) -> Finding:
        start_line, start_column = _position(starts, output.start)
        end_line, end_column = _position(starts, output.end)
        expression = " ".join(output.expression.split())
        if len(expression) > 50:
            expression = expression[:49] + "…"
        if output.context:
            message = (f"{output.engine} prints `{expression}` ({output.syntax}) into {output.context}: HTML "
                       "escaping does not protect a value that holds user input there")
        else:
            message = (f"{output.engine} prints `{expression}` without HTML escaping ({output.syntax}); "
                       "a value that holds user input becomes markup and script in the page")
        return make_finding(
            UnescapedTemplateOutput, message,
            Location(display_path, start_line, start_column, end_line, end_column),
            lines[start_line - 1] if start_line - 1 < len(lines) else "",
        )


def _page_location(script: PageScript, location: Location) -> Location:
    return replace(location,
                   start_column=script.column(location.start_line - 1, location.start_column - 1) + 1,
                   end_column=script.column(location.end_line - 1, location.end_column - 1) + 1)


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
