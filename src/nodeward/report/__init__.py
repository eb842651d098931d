"""Reporters: each renders a finished ScanResult in one format; none of them calls a scanner."""

from __future__ import annotations

import enum
import importlib
import io
from typing import TextIO

from nodeward.findings import ScanResult


class OutputFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"
    JUNIT = "junit"
    GITLAB = "gitlab"
    GITHUB = "github"
    MARKDOWN = "markdown"


# format -> (module under nodeward.report, its render function): imported on use, so a scan pays only for
# the reporter it writes with.
_RENDERERS = {
    OutputFormat.JSON: ("json", "render_json"),
    OutputFormat.SARIF: ("sarif", "render_sarif"),
    OutputFormat.HTML: ("html", "render_html"),
    OutputFormat.JUNIT: ("junit", "render_junit"),
    OutputFormat.GITLAB: ("gitlab", "render_gitlab"),
    OutputFormat.GITHUB: ("github", "render_github"),
    OutputFormat.MARKDOWN: ("markdown", "render_markdown"),
}


def render(result: ScanResult, fmt: OutputFormat, stream: TextIO, *, verbose: bool = False, color: bool = True) -> None:
    """Write ``result`` in ``fmt``. The output boundary: every secret the scan recorded is masked in the
    strings the reporter receives, and once more in the text it wrote (nodeward.secrets.redact)."""
    from nodeward.secrets.redact import output_masker

    masker = output_masker(result)
    if masker is None:
        _render(result, fmt, stream, verbose=verbose, color=color)
        return
    written = io.StringIO()
    _render(masker.mask_result(result), fmt, written, verbose=verbose, color=color)
    stream.write(masker.mask_output(written.getvalue()))


def _render(result: ScanResult, fmt: OutputFormat, stream: TextIO, *, verbose: bool, color: bool) -> None:
    if fmt is OutputFormat.TEXT:
        from nodeward.report.text import render_text

        render_text(result, stream, verbose=verbose, color=color)
        return
    module, function = _RENDERERS[fmt]
    getattr(importlib.import_module(f"nodeward.report.{module}"), function)(result, stream)
