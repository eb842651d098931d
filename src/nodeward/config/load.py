"""Finding and reading the configuration: `.nodeward.toml`, else the `nodeward` key of package.json.

Every key is checked: an unknown key or a wrong value is a `ConfigError` naming the file, the line
and the key, so a typo never silently turns a setting off.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from nodeward.config.model import AdvisoryIgnore, Config, PathIgnore
from nodeward.datafiles import DataFileError, load_json, load_toml
from nodeward.findings import Confidence, Severity
from nodeward.sources.discover import AUXILIARY_MAX_SIZE, read_regular_file

CONFIG_FILE_NAME = ".nodeward.toml"
PACKAGE_JSON_KEY = "nodeward"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file, the line and the key."""


def find_config(start: Path) -> Path | None:
    """The configuration that applies to ``start``: `.nodeward.toml`, or a package.json with a `nodeward` key,
    in ``start`` or its parents up to the top of the git repository (only ``start`` outside a repository)."""
    directory = (start if start.is_dir() else start.parent).resolve()
    in_repository = _inside_git(directory)
    for candidate in (directory, *directory.parents):
        toml_file = candidate / CONFIG_FILE_NAME
        if toml_file.is_file():
            return toml_file
        package = candidate / "package.json"
        if package.is_file() and _has_nodeward_key(package):
            return package
        if not in_repository or (candidate / ".git").exists():
            return None
    return None


def _inside_git(directory: Path) -> bool:
    return any((parent / ".git").exists() for parent in (directory, *directory.parents))


def _read(path: Path) -> str:
    """A configuration file's text; a FIFO or device in its place is refused, not read forever."""
    return read_regular_file(path, limit=AUXILIARY_MAX_SIZE, follow_links=True).decode("utf-8")


def _has_nodeward_key(package: Path) -> bool:
    try:
        document = load_json(_read(package))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and PACKAGE_JSON_KEY in document


def load_config(path: Path) -> Config:
    """Read and check one configuration file (`.nodeward.toml` or package.json)."""
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from error
    if path.name == "package.json":
        try:
            document = load_json(text)
        except DataFileError as error:
            raise ConfigError(_data_file_problem(path, error)) from None
        table = document.get(PACKAGE_JSON_KEY) if isinstance(document, dict) else None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `{PACKAGE_JSON_KEY}` must be an object")
        return _parse(table, _Where(path, text, json_style=True, prefix=PACKAGE_JSON_KEY))
    try:
        document = load_toml(text)
    except DataFileError as error:
        raise ConfigError(_data_file_problem(path, error)) from None
    return _parse(document, _Where(path, text, json_style=False, prefix=""))


def _data_file_problem(path: Path, error: DataFileError) -> str:
    return f"{path}{f':{error.line}' if error.line else ''}: {error}"


class _Where:
    """Turns a dotted key into "file:line: key" for messages."""

    def __init__(self, path: Path, text: str, *, json_style: bool, prefix: str) -> None:
        self.path, self.lines, self.json_style, self.prefix = path, text.splitlines(), json_style, prefix

    def line_of(self, dotted: str) -> int | None:
        last = dotted.rsplit(".", 1)[-1]
        if self.json_style:
            pattern = re.compile(r'"' + re.escape(last) + r'"\s*:')
        else:
            quoted = r'(?:"' + re.escape(last) + r'"|' + re.escape(last) + r")"
            pattern = re.compile(r"^\s*(?:\[\s*(?:[\w.\"-]+\.)?" + quoted + r"\s*\]|" + quoted + r"\s*=)")
        for number, line in enumerate(self.lines, start=1):
            if pattern.search(line):
                return number
        return None

    def line_of_text(self, text: str) -> int | None:
        """The first line holding ``text`` as a quoted string (an entry of a list of tables)."""
        for number, line in enumerate(self.lines, start=1):
            if f'"{text}"' in line or f"'{text}'" in line:
                return number
        return None

    def error(self, dotted: str, message: str, *, line: int | None = None, shown: str | None = None) -> ConfigError:
        line = line or self.line_of(dotted)
        key = shown or dotted
        key = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(f"{self.path}{f':{line}' if line else ''}: `{key}`: {message}")


def _strings(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(key, "expected a list of strings")
    return tuple(value)


def _globs(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    from nodeward.sources.discover import pattern_problem

    patterns = _strings(where, key, value)
    for pattern in patterns:
        problem = pattern_problem(pattern)
        if problem is not None:
            raise where.error(key, f"{_shown(pattern)} is not a valid glob ({problem})")
    return patterns


def _shown(value: Any) -> str:
    """``value`` for a message, cut short: a configuration can hold anything, a message should stay a line."""
    return _SHORT.repr(value)


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80


def _rule_ids(where: _Where, key: str, value: Any, *, allow_star: bool = False) -> frozenset[str]:
    from nodeward.rules.registry import find_rule

    ids = set()
    for item in _strings(where, key, value):
        if allow_star and item == "*":
            ids.add("*")
            continue
        rule = find_rule(item)
        if rule is None:
            raise where.error(key, f"unknown rule {_shown(item)} (`nodeward rules` lists them)")
        ids.add(rule.id)
    return frozenset(ids)


def _severity(where: _Where, key: str, value: Any) -> Severity:
    try:
        return Severity.parse(value) if isinstance(value, str) else Severity[""]
    except KeyError:
        raise where.error(key, f"expected one of {', '.join(s.label for s in Severity)}, not {_shown(value)}") from None


def _confidence(where: _Where, key: str, value: Any) -> Confidence:
    try:
        return Confidence.parse(value) if isinstance(value, str) else Confidence[""]
    except KeyError:
        known = ", ".join(c.label for c in Confidence)
        raise where.error(key, f"expected one of {known}, not {_shown(value)}") from None


def _scanners(where: _Where, key: str, value: Any) -> frozenset[str]:
    from nodeward.scanners.registry import scanner_names

    names = _strings(where, key, value)
    known = scanner_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise where.error(key, f"unknown scanner {_shown(unknown[0])} (known: {', '.join(known)})")
    return frozenset(names)


def _per_path(where: _Where, key: str, value: Any) -> tuple[PathIgnore, ...]:
    if not isinstance(value, dict):
        raise where.error(key, 'expected a table of glob = ["rule", ...]')
    for pattern in value:
        _globs(where, f"{key}.{pattern}", pattern)
    return tuple(PathIgnore(pattern, _rule_ids(where, f"{key}.{pattern}", rules, allow_star=True))
                 for pattern, rules in value.items())


def _overrides(where: _Where, key: str, value: Any) -> dict[str, Severity]:
    from nodeward.rules.registry import find_rule

    if not isinstance(value, dict):
        raise where.error(key, 'expected a table of rule = "severity"')
    result = {}
    for rule_key, level in value.items():
        rule = find_rule(rule_key)
        if rule is None:
            raise where.error(f"{key}.{rule_key}", f"unknown rule {_shown(rule_key)}")
        result[rule.id] = _severity(where, f"{key}.{rule_key}", level)
    return result


def _patterns(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    patterns = _strings(where, key, value)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise where.error(key, f"{_shown(pattern)} is not a valid regular expression ({error})") from None
    return patterns


def _mode(where: _Where, key: str, value: Any) -> str:
    if value not in ("auto", "app", "library"):
        raise where.error(key, f"expected auto, app or library, not {_shown(value)}")
    return str(value)


def _boolean(where: _Where, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"expected true or false, not {_shown(value)}")
    return value


def _seconds(where: _Where, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise where.error(key, f"expected a number of seconds (0 for no limit), not {value!r}")
    return float(value)


def _string(where: _Where, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise where.error(key, f"expected a string, not {_shown(value)}")
    return value


_IGNORE_FIELDS = ("id", "reason", "expires")


def _advisory_ignores(where: _Where, key: str, value: Any) -> tuple[AdvisoryIgnore, ...]:
    """`dependencies.ignore = [{ id = "GHSA-...", reason = "...", expires = 2027-01-31 }, ...]`."""
    if not isinstance(value, list):
        raise where.error(key, 'expected a list of { id = "...", reason = "...", expires = YYYY-MM-DD }')
    entries = []
    for number, entry in enumerate(value, start=1):
        name = f"{key}[{number}]"
        if not isinstance(entry, dict):
            raise where.error(key, f"entry {number}: expected a table with id, reason and expires, not {_shown(entry)}")
        advisory = entry.get("id")
        if isinstance(advisory, str) and advisory.strip():
            name += f" ({advisory.strip()})"
        line = where.line_of_text(advisory) if isinstance(advisory, str) and advisory.strip() else None

        def fail(message: str, line: int | None = line, name: str = name) -> ConfigError:
            return where.error(key, message, line=line, shown=name)

        unknown = [k for k in entry if k not in _IGNORE_FIELDS]
        if unknown:
            raise fail(f"unknown field {_shown(unknown[0])} (fields: id, reason, expires)")
        for field_name in _IGNORE_FIELDS:
            if field_name not in entry:
                raise fail(f"missing `{field_name}`: every ignored advisory needs an id, a reason and an expiry date")
        reason = entry["reason"]
        if not isinstance(advisory, str) or not advisory.strip():
            raise fail("`id` must be an advisory id or alias (GHSA-..., CVE-..., NSWG-ECO-...), "
                       f"not {_shown(advisory)}")
        if not isinstance(reason, str) or not reason.strip():
            raise fail("`reason` must say why the advisory is accepted (a non-empty string)")
        entries.append(AdvisoryIgnore(advisory.strip(), reason.strip(), _date(entry["expires"], fail),
                                      str(where.path), line))
    return tuple(entries)


def _date(value: Any, fail: Callable[[str], ConfigError]) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(f"`expires` must be a date such as 2027-01-31, not {_shown(value)}")


# key -> (Config field, parser); nested tables are "table.key".
_Parser = Callable[[_Where, str, Any], Any]
KEYS: dict[str, tuple[str, _Parser]] = {
    "select": ("select", _rule_ids),
    "ignore": ("ignore", _rule_ids),
    "per-path-ignores": ("per_path_ignores", _per_path),
    "severity": ("severity_overrides", _overrides),
    "fail-on": ("fail_on", _severity),
    "min-severity": ("min_severity", _severity),
    "min-confidence": ("min_confidence", _confidence),
    "scanners": ("scanners", _scanners),
    "exclude": ("exclude", _globs),
    "include": ("include", _globs),
    "mode": ("mode", _mode),
    "include-dev": ("include_dev", _boolean),
    "baseline": ("baseline", _string),
    "file-timeout": ("file_timeout", _seconds),
    "secrets.allow-paths": ("secrets_allow_paths", _globs),
    "secrets.allow-fingerprints": ("secrets_allow_fingerprints", lambda w, k, v: frozenset(_strings(w, k, v))),
    "secrets.allow-patterns": ("secrets_allow_patterns", _patterns),
    "dependencies.ignore": ("advisory_ignores", _advisory_ignores),
}
_TABLES = {"secrets", "dependencies"}


def _parse(document: Mapping[str, Any], where: _Where) -> Config:
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise where.error(key, "expected a table")
            items = [(f"{key}.{sub}", sub_value) for sub, sub_value in value.items()]
        else:
            items = [(key, value)]
        for dotted, item in items:
            if dotted not in KEYS:
                known = ", ".join(k for k in KEYS)
                raise where.error(dotted, f"unknown key (known keys: {known})")
            field_name, parse = KEYS[dotted]
            values[field_name] = parse(where, dotted, item)
    return Config(source=str(where.path), **values)
