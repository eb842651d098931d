"""From a text and its kind to findings: detectors, hygiene checks and personal data, redacted.

Used by the working-tree scanner (one file in a worker) and by the history scan (one blob), so a
secret is described the same way wherever it was found.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from nodeward.findings import Confidence, Finding, Location, SecretSpan, Severity
from nodeward.rules.base import Rule, make_finding
from nodeward.rules.registry import all_rules
from nodeward.secrets import hygiene, pii
from nodeward.secrets.detectors import (
    CREDENTIAL_FILE_RULE,
    ENV_FILE_RULE,
    GENERIC_RULE,
    PERSONAL_DATA_RULE,
    PRIVATE_KEY_RULE,
)
from nodeward.secrets.engine import SecretEngine, SecretMatch, is_secret_name, secret_values
from nodeward.secrets.filters import is_message_catalog, is_seed_path, is_test_path
from nodeward.secrets.gitleaks import GitleaksAllowlist
from nodeward.secrets.redact import redact, redact_spans, secret_digest, secret_fingerprint, worth_masking
from nodeward.sources.discover import SourceFile, SourceReadError, read_source

CODE_KIND_NAMES = frozenset({"javascript", "typescript", "tsx", "template"})
#: Lines longer than this (minified bundles, source maps) get the provider detectors only.
LONG_LINE = 4000
#: Documentation: credentials there are examples more often than not (reported with low confidence).
DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".txt", ".html")


@cache
def rules_by_id() -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in all_rules()}


@dataclass
class TextContext:
    """Where a text comes from, and what the caller wants."""

    display_path: str
    kind: str  # FileKind value
    selected: frozenset[str] | None = None
    reveal: bool = False
    allowlist: GitleaksAllowlist | None = None
    rel_path: str = ""  # path relative to the gitleaks config's directory
    commit: str = ""
    git_status: str = ""  # for .env files: "tracked", "untracked", "ignored" or ""
    digests: dict[str, str] = field(default_factory=dict)  # fingerprint -> value digest (history)
    file_checks: bool = True  # .env, credential-file and personal-data checks (history runs its own)
    allow_values: tuple[re.Pattern[str], ...] = ()  # `secrets.allow-patterns` of .nodeward.toml
    #: Every secret seen in the text (also those of rules not selected), for the reporters to mask.
    secrets: list[SecretSpan] = field(default_factory=list)

    def wants(self, rule_id: str) -> bool:
        return self.selected is None or rule_id in self.selected


def findings_for_text(text: str, context: TextContext, engine: SecretEngine) -> list[Finding]:
    """Every secrets finding of one text, redacted unless ``context.reveal``."""
    kind = context.kind
    name = context.display_path.rsplit("/", 1)[-1]
    if kind == "dotenv":
        context.secrets.extend(SecretSpan(context.display_path, entry.line, entry.line, entry.value)
                               for entry in hygiene.real_env_values(hygiene.parse_env(text))
                               if is_secret_name(entry.key) and worth_masking(entry.value))
        if context.git_status == "ignored":
            return []  # a local, ignored .env file is where secrets belong
    lines = text.splitlines()
    is_map = name.endswith(".map")
    matches = engine.scan(
        text,
        code=kind in CODE_KIND_NAMES,
        lockfile=kind == "lockfile",
        kind=kind,
    )
    matches = [m for m in matches if not (m.rule == GENERIC_RULE and (is_map or _line_len(lines, m.line) > LONG_LINE))]
    if context.allowlist is not None:
        matches = [
            m for m in matches
            if not context.allowlist.allows(
                context.rel_path or context.display_path, m.value, _line(lines, m.line), m.line, context.commit
            )
        ]
    if context.allow_values:
        matches = [m for m in matches if not any(p.search(m.value) for p in context.allow_values)]
    generic = [m for m in matches if m.rule == GENERIC_RULE]
    if generic and is_message_catalog(context.display_path, text):
        matches = [m for m in matches if m.rule != GENERIC_RULE]  # translations of "password", not passwords
        generic = []
    context.secrets.extend(SecretSpan(context.display_path, m.line, m.end_line or m.line, value)
                           for m in matches for value in secret_values(m))
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    sample_data: list[Finding] = []
    for match in matches:
        if not match.end_line or match.end_line == match.line:
            spans[match.line].append((match.start, match.end))
    document = name.lower().endswith(DOCUMENT_SUFFIXES)
    test_file = is_test_path(context.display_path) or document
    if generic and (test_file or is_seed_path(context.display_path)):
        matches = [m for m in matches if m.rule != GENERIC_RULE]
        if context.wants(GENERIC_RULE):
            sample_data.append(_sample_data_finding(generic, context, lines, test_file))
    findings = sample_data + [
        _finding(match, context, _line(lines, match.line), spans[match.line], test_file, document)
        for match in matches
        if context.wants(match.rule)
    ]
    if context.file_checks:
        findings.extend(_file_findings(text, lines, context, test_file))
    return findings


def secrets_beside(findings: Iterable[Finding], files: Iterable[SourceFile]) -> list[SecretSpan]:
    """The secrets in the files ``findings`` are in, found without reporting them: what the reports must mask
    in snippets and code frames when the secrets scanner did not run (`--scanners code`)."""
    by_path = {file.display_path: file for file in files}
    return secrets_in(by_path[path] for path in sorted({finding.path for finding in findings}) if path in by_path)


def secrets_in(files: Iterable[SourceFile]) -> list[SecretSpan]:
    """The secrets written in ``files``, found without reporting them."""
    engine: SecretEngine | None = None
    spans: list[SecretSpan] = []
    for file in files:
        try:
            text = read_source(file).decode("utf-8", "replace")
        except SourceReadError:
            continue
        engine = engine or SecretEngine()
        context = TextContext(display_path=file.display_path, kind=file.kind.value, selected=frozenset(),
                              file_checks=False)
        findings_for_text(text, context, engine)  # no rule selected: it only records what it sees
        spans.extend(context.secrets)
    return spans


def _finding(
    match: SecretMatch, context: TextContext, line_text: str, spans: list[tuple[int, int]], test_file: bool,
    document: bool,
) -> Finding:
    rule = rules_by_id()[match.rule]
    shown = redact(match.value, reveal=context.reveal)
    where = f" assigned to `{match.name}`" if match.name else ""
    if match.rule == PRIVATE_KEY_RULE:
        message = f"{match.label} with its key body ({len(match.value)} characters) in the file"
    elif match.rule == GENERIC_RULE:
        message = f"Secret-like name `{match.name}` holds a hardcoded high-entropy value `{shown}`"
    elif match.rule == CREDENTIAL_FILE_RULE:
        message = f"{match.label}: `{shown}`{where}"
    else:
        message = f"{match.label} `{shown}`{where}"
    confidence = match.confidence
    if document:  # documentation shows what a key looks like; its examples are rarely live
        confidence = Confidence.LOW
        message += " (in a documentation file: lower confidence)"
    elif test_file:  # a real credential committed with a test is leaked all the same: its level stays
        message += " (in a test file)"
    location = Location(context.display_path, match.line, match.start + 1, match.line, match.end + 1)
    fingerprint = secret_fingerprint(rule.id, context.display_path, match.value)
    context.digests[fingerprint] = secret_digest(match.value)
    return make_finding(
        rule, message, location, redact_spans(line_text, spans, reveal=context.reveal),
        severity=match.severity, confidence=confidence, fingerprint=fingerprint,
    )


def _sample_data_finding(
    matches: list[SecretMatch], context: TextContext, lines: list[str], test_file: bool
) -> Finding:
    """One finding for the test passwords of a fixture or the sample users of seed data: a file, one cause."""
    rule = rules_by_id()[GENERIC_RULE]
    first = matches[0]
    names = sorted({m.name for m in matches if m.name})
    shown = ", ".join(f"`{n}`" for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    where = "test or documentation file" if test_file else "seed data file"
    count = len(matches)
    message = (f"{count} hardcoded secret-like {'value' if count == 1 else 'values'}"
               f"{' assigned to ' + shown if shown else ''} in a {where}: sample credentials most often; check that "
               "none is a real one")
    spans = [(m.start, m.end) for m in matches if m.line == first.line]
    location = Location(context.display_path, first.line, first.start + 1, first.line, first.end + 1)
    return make_finding(
        rule, message, location, redact_spans(_line(lines, first.line), spans, reveal=context.reveal),
        severity=Severity.LOW, confidence=Confidence.LOW if test_file else None,
        fingerprint=secret_fingerprint(rule.id, context.display_path, f"sample data in {context.display_path}"),
    )


def _file_findings(text: str, lines: list[str], context: TextContext, test_file: bool) -> list[Finding]:
    """Findings about the file as a whole: .env files, credential files, personal data."""
    findings: list[Finding] = []
    path, kind = context.display_path, context.kind
    name = path.rsplit("/", 1)[-1]
    if kind == "dotenv" and context.wants(ENV_FILE_RULE) and not hygiene.is_env_documentation(name):
        real = hygiene.real_env_values(hygiene.parse_env(text))
        state = {
            "tracked": "is tracked by git",
            "untracked": "is not ignored by git (one `git add .` away from a commit)",
            "committed": f"was committed in {context.commit[:12]} and deleted later (its values stay in git history)",
        }.get(context.git_status)
        if real and state:
            keys = ", ".join(e.key for e in real[:5]) + (", ..." if len(real) > 5 else "")
            message = f"`{name}` holds {len(real)} real value(s) ({keys}) and {state}"
            findings.append(_whole_file(ENV_FILE_RULE, message, context, real[0].line, lines, f"env:{name}"))
    if context.wants(CREDENTIAL_FILE_RULE) and kind not in CODE_KIND_NAMES:
        found = hygiene.credential_file_kind(path, text)
        if found is not None:
            what, line = found
            findings.append(
                _whole_file(CREDENTIAL_FILE_RULE, f"{what} committed: `{name}`", context, line, lines, f"cred:{name}")
            )
    if context.wants(PERSONAL_DATA_RULE) and kind not in ("lockfile", "package.json") and pii.wants_pii_scan(path):
        report = pii.find_personal_data(text)
        if report is not None:
            counts = ", ".join(f"{count} {kind_name}" for kind_name, count in report.counts.items())
            samples = ", ".join(report.samples.values())
            message = f"Personal data in bulk: {counts} (e.g. {samples})"
            confidence = Confidence.LOW if test_file else None
            findings.append(
                _whole_file(PERSONAL_DATA_RULE, message, context, report.first_line, [], "pii", confidence=confidence)
            )
    return findings


def _whole_file(
    rule_id: str,
    message: str,
    context: TextContext,
    line: int,
    lines: list[str],
    identity: str,
    *,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
) -> Finding:
    rule = rules_by_id()[rule_id]
    snippet = "" if context.reveal is False and rule_id != ENV_FILE_RULE else _line(lines, line)
    if rule_id == ENV_FILE_RULE:
        key = snippet.split("=", 1)[0]
        snippet = f"{key}={redact(snippet.split('=', 1)[1].strip())}" if "=" in snippet else ""
    return make_finding(
        rule, message, Location(context.display_path, line, 1, line, 1), snippet,
        severity=severity, confidence=confidence,
        fingerprint=secret_fingerprint(rule.id, context.display_path, identity),
    )


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _line_len(lines: list[str], number: int) -> int:
    return len(_line(lines, number))
