"""Reporters: each renders a finished ScanResult in one format; none of them calls a scanner."""

from __future__ import annotations

import enum
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


def render(result: ScanResult, fmt: OutputFormat, stream: TextIO, *, verbose: bool = False, color: bool = True) -> None:
    if fmt is OutputFormat.TEXT:
        from nodeward.report.text import render_text

        render_text(result, stream, verbose=verbose, color=color)
    elif fmt is OutputFormat.JSON:
        from nodeward.report.json import render_json

        render_json(result, stream)
    elif fmt is OutputFormat.SARIF:
        from nodeward.report.sarif import render_sarif

        render_sarif(result, stream)
    elif fmt is OutputFormat.HTML:
        from nodeward.report.html import render_html

        render_html(result, stream)
    elif fmt is OutputFormat.JUNIT:
        from nodeward.report.junit import render_junit

        render_junit(result, stream)
    elif fmt is OutputFormat.GITLAB:
        from nodeward.report.gitlab import render_gitlab

        render_gitlab(result, stream)
    elif fmt is OutputFormat.GITHUB:
        from nodeward.report.github import render_github

        render_github(result, stream)
    elif fmt is OutputFormat.MARKDOWN:
        from nodeward.report.markdown import render_markdown

        render_markdown(result, stream)
