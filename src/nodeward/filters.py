"""After the scan, before the reporters: what the project's settings and the CI context say to leave out.

In order: severity overrides, per-path ignores and the secrets allow-list (from the configuration), the
severity and confidence thresholds, the baseline (known findings become suppressed ones), and `--diff`
(only findings on changed lines). Data flows one way: this stage never calls a scanner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from pathspec import GitIgnoreSpec

from nodeward.baseline import Baseline
from nodeward.config.model import PathIgnore
from nodeward.findings import Confidence, Finding, ScanResult, Severity
from nodeward.gitdiff import ChangedLines
from nodeward.rules.registry import find_rule


@dataclass(frozen=True)
class ReportFilters:
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    per_path_ignores: tuple[PathIgnore, ...] = ()
    secrets_allow_paths: tuple[str, ...] = ()
    secrets_allow_fingerprints: frozenset[str] = frozenset()
    min_severity: Severity = Severity.INFO
    min_confidence: Confidence = Confidence.LOW
    baseline: Baseline | None = None
    changed: ChangedLines | None = None


def _is_secret(finding: Finding) -> bool:
    rule = find_rule(finding.rule_id)
    return rule is not None and rule.category == "secrets"


def apply_filters(result: ScanResult, filters: ReportFilters) -> ScanResult:
    ignore_specs = [(GitIgnoreSpec.from_lines([p.pattern]), p.rules) for p in filters.per_path_ignores]
    allow_spec = GitIgnoreSpec.from_lines(filters.secrets_allow_paths) if filters.secrets_allow_paths else None
    root = Path(result.root)

    def keep(finding: Finding) -> bool:
        for spec, rules in ignore_specs:
            if ("*" in rules or finding.rule_id in rules) and spec.match_file(finding.path):
                return False
        if _is_secret(finding) and (
            finding.fingerprint in filters.secrets_allow_fingerprints
            or (allow_spec is not None and allow_spec.match_file(finding.path))
        ):
            return False
        return filters.changed is None or filters.changed.contains(root / finding.path, finding.line)

    def override(finding: Finding) -> Finding:
        level = filters.severity_overrides.get(finding.rule_id)
        return finding if level is None else replace(finding, severity=level)

    findings = [override(f) for f in result.findings if keep(f)]
    findings = [f for f in findings if f.severity >= filters.min_severity]
    result.hidden_in_test_code += sum(1 for f in findings if f.confidence < filters.min_confidence and f.in_test_code)
    findings = [f for f in findings if f.confidence >= filters.min_confidence]
    suppressed = [override(f) for f in result.suppressed_findings if keep(f)]
    if filters.baseline is not None:
        findings, known = filters.baseline.split(findings)
        suppressed.extend(known)
        result.baselined = len(known)
    result.findings = findings
    result.suppressed_findings = suppressed
    return result
