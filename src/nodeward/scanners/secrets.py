"""The secrets scanner: every text file, one at a time, in the worker processes; and, once per scan in the
main process, the credential files that `npm publish` would ship (it needs each package.json with the
files and ignore files around it).

Detection lives in `nodeward.secrets`; this module adapts it to the FileScanner protocol: it asks
git about `.env` files and finds the gitleaks allow-list that applies to the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nodeward.config.model import allowed_secret_patterns
from nodeward.findings import FileNotice
from nodeward.git import GitError
from nodeward.scanners import FileResult, ProjectContext
from nodeward.secrets.engine import SecretEngine
from nodeward.secrets.findings import TextContext, findings_for_text
from nodeward.secrets.gitleaks import allowlist_for_file
from nodeward.secrets.hygiene import git_status_of
from nodeward.secrets.redact import show_secrets
from nodeward.sources.discover import FileKind, SourceFile, valid_patterns_spec

SECRETS_KINDS = frozenset({
    FileKind.TEXT, FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX, FileKind.DOTENV, FileKind.NPMRC,
    FileKind.YAML, FileKind.DOCKERFILE, FileKind.PACKAGE_JSON, FileKind.TEMPLATE, FileKind.LOCKFILE,
})


class SecretsScanner:
    """Credentials, key material, committed .env and credential files, bulk personal data."""

    name = "secrets"
    kinds = SECRETS_KINDS

    def __init__(self, selected: frozenset[str] | None = None) -> None:
        self.selected = selected
        self.engine = SecretEngine()
        self.reveal = show_secrets()
        self.reported_configs: set[str] = set()
        self.allow_values = tuple(re.compile(p) for p in allowed_secret_patterns())

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        result = FileResult()
        allowlist = allowlist_for_file(file)
        if allowlist is not None and allowlist.problems and str(allowlist.root) not in self.reported_configs:
            self.reported_configs.add(str(allowlist.root))
            result.notices.extend(FileNotice(".gitleaks.toml", "error", problem) for problem in allowlist.problems)
        context = TextContext(
            display_path=file.display_path,
            kind=file.kind.value,
            selected=self.selected,
            reveal=self.reveal,
            allowlist=allowlist,
            rel_path=allowlist.relative(file.path) if allowlist is not None else "",
            git_status=self._git_status(file, result) if file.kind is FileKind.DOTENV else "",
            allow_values=self.allow_values,
        )
        result.findings = findings_for_text(text, context, self.engine)
        result.secrets = context.secrets
        return result

    @staticmethod
    def _git_status(file: SourceFile, result: FileResult) -> str:
        try:
            return git_status_of(file.path)
        except GitError as error:
            result.notices.append(FileNotice(file.display_path, "error", f"whether git tracks it is unknown: {error}"))
            return ""


class SecretsProjectScanner:
    """What needs several files: credential files that `npm publish` of a package.json would ship (NW507)."""

    name = "secrets"
    kinds = frozenset({FileKind.PACKAGE_JSON})

    def __init__(self, selected: frozenset[str] | None = None) -> None:
        self.selected = selected

    def scan_project(self, files: Sequence[SourceFile], context: ProjectContext) -> FileResult:
        from nodeward.secrets.detectors import SHIPPED_RULE
        from nodeward.secrets.npm_package import check_npm_packages

        result = FileResult(scanned=False)
        if self.selected is not None and SHIPPED_RULE not in self.selected:
            return result
        exclude = valid_patterns_spec(getattr(context.options, "exclude", ()) or ())
        result.findings, result.notices = check_npm_packages(files, SecretEngine(), exclude=exclude)
        return result
