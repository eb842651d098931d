"""The base of app-level rules: metadata like every rule, and a `check_app` run on each application model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from nodeward.findings import Confidence, Finding, Location, Severity
from nodeward.practices.model import AppModel
from nodeward.rules.base import Rule, make_finding


class AppRule(Rule):
    """A rule about a whole application (a missing control), checked in the main process on the app model."""

    category: ClassVar[str] = "practices"
    practice: ClassVar[str] = ""  # the scorecard line its findings count against

    def check_app(self, app: AppModel) -> Iterator[Finding]:
        return iter(())

    def finding(self, message: str, loc: list[Any], snippet: str, *, severity: Severity | None = None,
                confidence: Confidence | None = None) -> Finding:
        """A finding at `loc` ([path, line, column, end line, end column] from the app facts)."""
        return make_finding(type(self), message, Location(*loc), snippet.rstrip("\r\n"), severity=severity,
                            confidence=confidence)


def app_rules(selected: frozenset[str] | None = None) -> list[AppRule]:
    from nodeward.rules.registry import all_rules

    return [rule() for rule in all_rules()
            if issubclass(rule, AppRule) and (selected is None or rule.id in selected)]


def listing(labels: list[str], limit: int = 6) -> str:
    shown = ", ".join(f"`{label}`" for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
