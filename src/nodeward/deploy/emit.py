"""Findings of the configuration checks, built from the rules' metadata, and the practices evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from nodeward.findings import Confidence, Finding, Location, SecretSpan, Severity
from nodeward.rules.base import Rule, make_finding
from nodeward.secrets.redact import redact, worth_masking

PracticeStatus = Literal["in-place", "missing", "partly", "not-applicable"]


@dataclass
class Emitter:
    """Collects the findings of one file; rules the user did not select are dropped here, in one place."""

    display_path: str
    lines: list[str]
    selected: frozenset[str] | None = None
    findings: list[Finding] = field(default_factory=list)
    practices: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[SecretSpan] = field(default_factory=list)  # values shown nowhere (nodeward.secrets.redact)

    def wants(self, rule: type[Rule]) -> bool:
        return self.selected is None or rule.id in self.selected

    def add(
        self,
        rule: type[Rule],
        line: int,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        hide: str = "",
    ) -> None:
        """A finding of ``rule`` at ``line``; ``hide`` is a secret value: redacted here, masked in every report."""
        if hide and worth_masking(hide):
            self.secrets.append(SecretSpan(self.display_path, line, line, hide))
        if not self.wants(rule):
            return
        line = max(1, min(line, len(self.lines))) if self.lines else 1
        text = self.lines[line - 1] if self.lines else ""
        if hide and hide in text:
            text = text.replace(hide, redact(hide, reveal=False))
        indent = len(text) - len(text.lstrip())
        location = Location(self.display_path, line, indent + 1, line, len(text) + 1)
        self.findings.append(make_finding(rule, message, location, text.rstrip(), severity=severity,
                                          confidence=confidence))

    def practice(self, practice: str, status: PracticeStatus, evidence: str, line: int | None = None) -> None:
        """Evidence for the practices scorecard: plain data in FileResult.summaries["practices"]."""
        self.practices.append(practice_entry(practice, status, evidence, self.display_path, line))


def practice_entry(
    practice: str, status: PracticeStatus, evidence: str, path: str, line: int | None = None
) -> dict[str, Any]:
    """One record; `line` is 0 when the evidence is about a file or directory as a whole."""
    return {"practice": practice, "status": status, "evidence": evidence, "path": path, "line": line or 0}
