"""Credential files that `npm publish` would put into a package tarball (NW507).

What npm packs, per npm's documentation of `package.json` `files` (docs.npmjs.com/cli/configuring-npm/
package-json#files) and npm-packlist (the library `npm pack` and `npm publish` use), as modelled here:

- a package is published unless its package.json says `"private": true`;
- with a `files` array, everything is left out except what its entries match (each entry is a glob over
  the package directory, `dot` files included; a matched directory brings everything below it; `!entry`
  takes matches out again; later entries win). The root `.npmignore`/`.gitignore` then do not apply,
  but those of subdirectories still do;
- without `files`, everything is packed except what `.npmignore` excludes, or `.gitignore` when the
  directory has no `.npmignore` (npm decides this per directory: a `.npmignore` replaces the `.gitignore`
  beside it, not the ones in subdirectories). Ignore files are gitignore syntax, relative to their
  directory; what a directory's rules exclude, deeper rules cannot bring back;
- always packed: `package.json`, README/LICENSE/LICENCE/COPYING (any case, any extension) at the root,
  and the files named by `main`, `browser` and `bin`;
- never packed: `.git`, `.svn`, `.hg`, `CVS`, `node_modules` at the root (bundled dependencies are not
  modelled), the root lockfiles, `.DS_Store`, `._*`, `.*.swp`, `*.orig`, `npm-debug.log`, and `.npmrc` at
  any depth. npm has left `.npmrc` out since npm 2.14/3.x (2015, npm/npm#9376 and #9384), and since npm
  10.2 it cannot be put back even with `files` or `!.npmrc` (npm/cli#7503; the docs list it among the files
  that "cannot be included"), so a project `.npmrc` with a token is NW506's business, never NW507's;
- a subdirectory's ignore file is read after its parents', so it can exclude more or, with `!pattern`,
  bring a file back; workspaces and other nested packages are packed with the root package like any
  directory (checked with npm 11.19: `npm pack` in a workspace root packs the workspaces' files too);
- symbolic links are never packed.

Which files are credentials is `hygiene.credential_file_label`, the classification the other secrets
checks use; binary files whose names are those of keys and keystores (`.p12`, `.pfx`, `.jks`...) count by
name, as the permission check's list (`deploy.knowledge.SENSITIVE_FILE_KINDS`) has them. Files are read
only when their name makes them a candidate, and only as far as the classification needs.

Like the permission check, this walks each package directory itself: npm packs files that `.gitignore`
(and therefore discovery) leaves out, and those are the ones that leak.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathspec import GitIgnoreSpec

from nodeward.datafiles import DataFileError, load_json
from nodeward.deploy.knowledge import SENSITIVE_FILE_KINDS
from nodeward.findings import Confidence, FileNotice, Finding, Location
from nodeward.rules.base import make_finding
from nodeward.rules.secrets.secrets_shipped_in_npm_package import SecretsShippedInNpmPackage
from nodeward.secrets.engine import SecretEngine
from nodeward.secrets.filters import is_test_path
from nodeward.secrets.hygiene import credential_file_label
from nodeward.secrets.redact import secret_fingerprint
from nodeward.sources.discover import (
    AUXILIARY_MAX_SIZE,
    FileKind,
    SourceFile,
    open_regular_file,
    pattern_problem,
    read_regular_file,
)

#: npm's own exclusions, applied in every directory (gitignore syntax; npm-packlist's default rules).
NPM_DEFAULT_IGNORES: tuple[str, ...] = (
    ".npmignore", ".gitignore", "**/.git", "**/.svn", "**/.hg", "**/CVS", "/.lock-wscript", "/.wafpickle-*",
    "/build/config.gypi", "npm-debug.log", "**/.npmrc", ".*.swp", ".DS_Store", "._*", "*.orig",
    "/archived-packages/**",
)
#: Exclusions at the package root that nothing can undo (npm-packlist's strict rules).
NPM_STRICT_IGNORES: tuple[str, ...] = (
    "/.git", "/node_modules", ".npmrc", "/package-lock.json", "/npm-shrinkwrap.json", "/yarn.lock",
    "/pnpm-lock.yaml", "/bun.lockb", "/bun.lock",
)
#: Root files packed whatever `files` and the ignore files say (`{,.*}`: any extension, any case).
_ALWAYS_PACKED = re.compile(r"^(?:readme|copying|license|licence)(?:\..*[^~$])?$", re.IGNORECASE)
#: Directories never walked: npm does not pack them (or, for node_modules, only bundled dependencies).
_UNPACKED_DIRS = frozenset({".git", ".svn", ".hg", "CVS", "node_modules"})
#: Kinds of `deploy.knowledge.SENSITIVE_FILE_KINDS` whose names make a file a candidate.
_CANDIDATE_KINDS = ("private key", "environment file", "credential file")
#: How much of a file is read: a credential file is small; a JSON file first shows its `type` in its head.
_MAX_READ = 256 * 1024
_JSON_HEAD = 2048
#: The walk of one package stops after this many entries (a notice says so).
MAX_ENTRIES = 200_000


@dataclass(frozen=True, slots=True)
class PackDecision:
    packed: bool
    reason: str  # why it is packed (for a message), or why not


@dataclass(frozen=True, slots=True)
class _Rules:
    """One rule set: gitignore lines and, for `files`, the entry each line came from."""

    spec: GitIgnoreSpec
    origins: tuple[str, ...] = ()

    def check(self, path: str) -> tuple[bool | None, str]:
        """(True: excluded, False: re-included, None: no rule matched; the origin of the deciding line)."""
        result = self.spec.check_file(path)
        if result.include is None:
            return None, ""
        origin = self.origins[result.index] if result.index is not None and result.index < len(self.origins) else ""
        return result.include, origin


def _rules(lines: Sequence[str], origins: Sequence[str] = ()) -> _Rules:
    """Rules from gitignore lines; a line pathspec cannot compile is left out (git ignores it too)."""
    padded = [*origins, *[""] * (len(lines) - len(origins))]
    kept = [(line, origin) for line, origin in zip(lines, padded, strict=True) if pattern_problem(line) is None]
    return _Rules(GitIgnoreSpec.from_lines([line for line, _ in kept]), tuple(origin for _, origin in kept))


def expand_braces(pattern: str) -> list[str]:
    """`lib/{a,b}.js` -> `lib/a.js`, `lib/b.js` (glob braces, which gitignore syntax lacks)."""
    match = re.search(r"\{([^{}]*,[^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    return [
        expanded
        for option in match.group(1).split(",")
        for expanded in expand_braces(pattern[: match.start()] + option + pattern[match.end():])
    ]


def is_published(manifest: Mapping[str, Any]) -> bool:
    """npm refuses to publish a package whose package.json has `"private": true`."""
    return manifest.get("private") is not True


def _string_list(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class PackList:
    """npm's packing rules for the package whose package.json is in ``root``; ``decide`` says for a file
    (a path relative to ``root``, with `/`) whether `npm pack` would put it into the tarball, and why."""

    def __init__(self, root: Path, manifest: Mapping[str, Any]) -> None:
        self.root = root
        self.problems: list[str] = []
        self._ignores: dict[str, tuple[str, _Rules | None]] = {}
        self.files = _string_list(manifest.get("files")) if isinstance(manifest.get("files"), list) else None
        self._defaults = _rules(NPM_DEFAULT_IGNORES)
        forced: list[str] = []
        for key in ("main", "browser"):
            if isinstance(manifest.get(key), str):
                forced.append(manifest[key])
        bin_field = manifest.get("bin")
        forced.extend([bin_field] if isinstance(bin_field, str) else
                      [v for v in bin_field.values() if isinstance(v, str)] if isinstance(bin_field, dict) else [])
        self._forced = {_normal(path) for path in forced if _normal(path)}
        self._strict = _rules(NPM_STRICT_IGNORES)
        self._files_rules: _Rules | None = None
        if self.files is not None:
            lines, origins = ["*"], [""]
            for entry in self.files:
                negated = entry.startswith("!")
                pattern = _normal(entry.lstrip("!"))
                if not pattern:
                    continue
                for expanded in expand_braces(pattern):  # a matched directory brings what is below it
                    for line in (f"/{expanded}", f"/{expanded}/**"):
                        lines.append(line if negated else "!" + line)
                        origins.append(entry)
            self._files_rules = _rules(lines, origins)

    def decide(self, rel: str) -> PackDecision:
        parts = rel.split("/")
        if any(part in _UNPACKED_DIRS for part in parts[:-1]) or parts[-1] == ".npmrc":
            return PackDecision(False, "never packed by npm")
        if rel == "package.json" or (len(parts) == 1 and _ALWAYS_PACKED.match(rel)):
            return PackDecision(True, "always packed by npm")
        # The root's rule sets, in npm-packlist's order: defaults, `files`, .npmignore/.gitignore, strict.
        included, reason = True, ""
        excluded, _ = self._defaults.check(rel)
        if excluded:
            included = False
        if self._files_rules is not None:
            excluded, entry = self._files_rules.check(rel)
            if excluded is not None:
                included = not excluded
                reason = f"matched by the `files` entry `{entry}`" if included else "not matched by `files`"
        else:
            name, rules = self._ignore_file("")
            reason = self._no_files_reason(name)
            if rules is not None:
                excluded, _ = rules.check(rel)
                if excluded is not None:
                    included = not excluded
                    reason = reason if included else f"excluded by {name}"
        if rel in self._forced:
            return PackDecision(True, "always packed by npm (`main`, `browser` or `bin`)")
        excluded, _ = self._strict.check(rel)
        if excluded:
            return PackDecision(False, "never packed by npm")
        if not included:
            reason = reason or "excluded by npm's defaults"
        # Each subdirectory on the way: npm's defaults and its own .npmignore (else .gitignore), relative to it;
        # a deeper rule may exclude what the root packs, or (with `!`) bring back what a shallower one excluded.
        for depth in range(1, len(parts)):
            directory, below = "/".join(parts[:depth]), "/".join(parts[depth:])
            excluded, _ = self._defaults.check(below)
            if excluded:
                included, reason = False, "excluded by npm's defaults"
            name, rules = self._ignore_file(directory)
            if rules is not None:
                excluded, _ = rules.check(below)
                if excluded:
                    included, reason = False, f"excluded by {directory}/{name}"
                elif excluded is False and not included:
                    included, reason = True, f"brought back by a `!` pattern in {directory}/{name}"
        return PackDecision(included, reason)

    def _no_files_reason(self, ignore_name: str) -> str:
        if ignore_name == ".npmignore":
            if (self.root / ".gitignore").is_file():
                return "no `files` list, and .npmignore (which replaces .gitignore for npm) does not exclude it"
            return "no `files` list, and .npmignore does not exclude it"
        if ignore_name == ".gitignore":
            return "no `files` list and no .npmignore, and .gitignore does not exclude it"
        return "no `files` list, no .npmignore and no .gitignore"

    def _ignore_file(self, directory: str) -> tuple[str, _Rules | None]:
        """The ignore file npm reads in ``directory`` (relative; "" for the root): .npmignore, else .gitignore."""
        cached = self._ignores.get(directory)
        if cached is not None:
            return cached
        found: tuple[str, _Rules | None] = ("", None)
        for name in (".npmignore", ".gitignore"):
            path = self.root / directory / name
            if not path.is_file():
                continue
            try:
                text = read_regular_file(path, limit=AUXILIARY_MAX_SIZE).decode("utf-8", "replace")
            except OSError as error:
                self.problems.append(f"cannot read {(Path(directory) / name).as_posix()}: {error.strerror}")
                continue
            found = (name, _rules(text.splitlines()))
            break
        self._ignores[directory] = found
        return found


def _normal(path: str) -> str:
    """A package.json path as npm normalises it: no `./` or `/` in front, no `/` at the end."""
    path = path.replace("\\", "/").strip()
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/").rstrip("/")


# --- the check ---------------------------------------------------------------------------------------


def _candidate_patterns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every candidate name pattern, the key and keystore name patterns)."""
    every: list[str] = []
    keys: tuple[str, ...] = ()
    for kind, patterns, _, _ in SENSITIVE_FILE_KINDS:
        if kind in _CANDIDATE_KINDS:
            every.extend(patterns)
        if kind == "private key":
            keys = patterns
    return tuple(every), keys


_CANDIDATES, _KEY_NAMES = _candidate_patterns()


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def walk_package(root: Path, notices: list[FileNotice], display: str) -> Iterator[str]:
    """Paths (relative, `/`) of the files under ``root``, without the directories npm never packs."""
    seen = 0
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _UNPACKED_DIRS)
        rel_dir = Path(directory).relative_to(root).as_posix()
        for name in sorted(filenames):
            seen += 1
            if seen > MAX_ENTRIES:
                notices.append(FileNotice(display, "partial-parse",
                                          f"npm package walk stopped after {MAX_ENTRIES} files"))
                return
            yield name if rel_dir == "." else f"{rel_dir}/{name}"


def is_candidate(name: str) -> bool:
    """Whether a file of this name may be a credential file (and is worth reading)."""
    lower = name.lower()
    if lower.endswith(".pub"):
        return False  # a public key
    return _matches(lower, _CANDIDATES) or FileKind.from_path(lower) is FileKind.DOTENV or lower.endswith(".json")


def _classify(path: Path, rel: str, engine: SecretEngine) -> tuple[str, int] | None:
    """What credential file ``path`` is (a candidate by name), reading only as much as needed; symbolic links,
    which npm never packs, and anything else than a regular file are not."""
    lower = rel.rsplit("/", 1)[-1].lower()
    kind = FileKind.from_path(lower)
    is_json = lower.endswith(".json")
    try:
        with open_regular_file(path) as handle:
            head = handle.read(_JSON_HEAD if is_json else _MAX_READ)
            if is_json:
                if b'"service_account"' not in head:
                    return None
                head += handle.read(_MAX_READ)
    except OSError:
        return None
    if b"\x00" in head[:8192]:
        return ("binary key or keystore file", 1) if _matches(lower, _KEY_NAMES) else None
    text = head.decode("utf-8", "replace")
    return credential_file_label(rel, kind.value if kind is not None else FileKind.TEXT.value, text, engine)


def _publishes(manifest: Mapping[str, Any]) -> bool:
    """Signs that the package is really published: a publish configuration or a publishing script."""
    scripts = manifest.get("scripts")
    scripted = isinstance(scripts, dict) and any(
        key in ("prepublishOnly", "prepublish", "release") or (isinstance(value, str) and "publish" in value)
        for key, value in scripts.items()
    )
    return "publishConfig" in manifest or scripted


def check_npm_packages(
    manifests: Sequence[SourceFile], engine: SecretEngine, *, exclude: GitIgnoreSpec | None = None
) -> tuple[list[Finding], list[FileNotice]]:
    """One NW507 finding per credential file that `npm publish` of one of ``manifests`` would ship."""
    rule = SecretsShippedInNpmPackage
    findings: list[Finding] = []
    notices: list[FileNotice] = []
    classified: dict[str, tuple[str, int] | None] = {}
    for manifest_file in manifests:
        try:
            manifest = load_json(read_regular_file(manifest_file.path).decode("utf-8-sig", "replace"))
        except (OSError, DataFileError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            notices.append(FileNotice(manifest_file.display_path, "skipped", f"npm package check: {reason}"))
            continue
        if not isinstance(manifest, dict) or not is_published(manifest):
            continue
        root = manifest_file.path.parent
        base = manifest_file.display_path.rpartition("/")[0]
        name = manifest.get("name") if isinstance(manifest.get("name"), str) else root.resolve().name
        packlist = PackList(root, manifest)
        confidence = (Confidence.LOW if is_test_path(manifest_file.display_path)  # a fixture, not a package
                      else Confidence.HIGH if _publishes(manifest) else None)
        for rel in walk_package(root, notices, manifest_file.display_path):
            if not is_candidate(rel.rsplit("/", 1)[-1]):
                continue
            display = f"{base}/{rel}" if base else rel
            if exclude is not None and exclude.match_file(display):
                continue
            key = str((root / rel).resolve())
            if key not in classified:
                classified[key] = _classify(root / rel, rel, engine)
            found = classified[key]
            if found is None:
                continue
            decision = packlist.decide(rel)
            if not decision.packed:
                continue
            what, _ = found
            message = (f"{what} `{rel}` would be published in the npm package `{name}` "
                       f"({manifest_file.display_path}): {decision.reason}")
            findings.append(make_finding(
                rule, message, Location(display, 1, 1, 1, 1), "",
                confidence=confidence,
                fingerprint=secret_fingerprint(rule.id, display, f"npm:{name}"),
            ))
        notices.extend(FileNotice(manifest_file.display_path, "error", problem) for problem in packlist.problems)
    return findings, notices
