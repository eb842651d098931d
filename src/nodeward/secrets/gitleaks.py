
"""Bring your gitleaks tuning: the global allow-list of `.gitleaks.toml` and the `.gitleaksignore` file.

What is read (gitleaks v8 formats):
- `[allowlist]` and `[[allowlists]]` tables: `paths` (regexes on the path relative to the directory of
  the config), `regexes` (on the secret, or the whole line with `regexTarget = "line"`), `stopwords`
  (substrings of the secret), `commits` (history findings of those commits);
- `.gitleaksignore`: one gitleaks fingerprint per line, `file:rule:line` or `commit:file:rule:line`.
  nodeward's rule ids are not gitleaks', so an entry matches a finding by file and line (and commit).

Per-rule allow-lists (`[[rules.allowlist]]`) belong to gitleaks' own rules and are not applied. A
config that cannot be parsed is reported as a notice and ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nodeward.datafiles import DataFileError, load_toml
from nodeward.sources.discover import AUXILIARY_MAX_SIZE, SourceFile, read_regular_file, scan_root_of


@dataclass
class GitleaksAllowlist:
    root: Path
    paths: list[re.Pattern[str]] = field(default_factory=list)
    secret_regexes: list[re.Pattern[str]] = field(default_factory=list)
    line_regexes: list[re.Pattern[str]] = field(default_factory=list)
    stopwords: list[str] = field(default_factory=list)
    commits: set[str] = field(default_factory=set)
    ignored: set[tuple[str, str, int]] = field(default_factory=set)  # (commit or "", file, line)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.paths or self.secret_regexes or self.line_regexes or self.stopwords or self.commits
                    or self.ignored)

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def allows(self, rel_path: str, secret: str, line_text: str, line: int, commit: str = "") -> bool:
        """True when gitleaks' configuration says this secret is not to be reported."""
        if commit and any(commit.startswith(c) or c.startswith(commit) for c in self.commits if c):
            return True
        if any(p.search(rel_path) for p in self.paths):
            return True
        if any(r.search(secret) for r in self.secret_regexes) or any(r.search(line_text) for r in self.line_regexes):
            return True
        lower = secret.lower()
        if any(word.lower() in lower for word in self.stopwords):
            return True
        return (commit, rel_path, line) in self.ignored or ("", rel_path, line) in self.ignored


def _compile(patterns: object, problems: list[str], where: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns if isinstance(patterns, list) else []:
        if not isinstance(pattern, str):
            continue
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:  # gitleaks uses Go's RE2; most patterns are valid Python too
            problems.append(f"{where}: pattern {pattern!r} is not supported ({error}); ignored")
    return compiled


def load_allowlist(root: Path) -> GitleaksAllowlist:
    """The allow-list of ``root`` (a directory); empty when it has neither file."""
    result = GitleaksAllowlist(root.resolve())
    config = root / ".gitleaks.toml"
    if config.is_file():
        try:
            document = load_toml(read_regular_file(config, limit=AUXILIARY_MAX_SIZE).decode("utf-8", "replace"))
        except (OSError, DataFileError) as error:
            result.problems.append(f".gitleaks.toml could not be read ({error}); its allow-list is not applied")
            document = {}
        tables = []
        if isinstance(document.get("allowlist"), dict):
            tables.append(document["allowlist"])
        if isinstance(document.get("allowlists"), list):
            tables.extend(t for t in document["allowlists"] if isinstance(t, dict))
        for table in tables:
            result.paths += _compile(table.get("paths"), result.problems, ".gitleaks.toml paths")
            target = result.line_regexes if table.get("regexTarget") == "line" else result.secret_regexes
            target += _compile(table.get("regexes"), result.problems, ".gitleaks.toml regexes")
            result.stopwords += [w for w in table.get("stopwords", []) if isinstance(w, str)]
            result.commits |= {c for c in table.get("commits", []) if isinstance(c, str)}
    ignore = root / ".gitleaksignore"
    if ignore.is_file():
        try:
            lines = read_regular_file(ignore, limit=AUXILIARY_MAX_SIZE).decode("utf-8", "replace").splitlines()
        except OSError:
            lines = []
        for entry in lines:
            entry = entry.strip()
            if not entry or entry.startswith("#"):
                continue
            parts = entry.split(":")
            if len(parts) < 3 or not parts[-1].isdigit():
                continue
            commit = parts[0] if len(parts) >= 4 and re.fullmatch(r"[0-9a-f]{7,40}", parts[0]) else ""
            file = ":".join(parts[1 if commit else 0 : -2])
            result.ignored.add((commit, file, int(parts[-1])))
    return result


@lru_cache(maxsize=256)
def allowlist_for(directory: str, root: str) -> GitleaksAllowlist | None:
    """The allow-list that applies to files in ``directory``: the nearest config up to the repository root,
    never above the scanned ``root`` (a config outside the tree is not the scanned project's, and reading it
    would be a read outside the tree)."""
    current, top = Path(directory), Path(root)
    while True:
        if (current / ".gitleaks.toml").is_file() or (current / ".gitleaksignore").is_file():
            allowlist = load_allowlist(current)
            return None if allowlist.empty and not allowlist.problems else allowlist
        if current == top or (current / ".git").exists() or current.parent == current or top not in current.parents:
            return None
        current = current.parent


def allowlist_for_file(file: SourceFile) -> GitleaksAllowlist | None:
    return allowlist_for(os.path.dirname(os.path.abspath(file.path)), os.path.abspath(scan_root_of(file)))
