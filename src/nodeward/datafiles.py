"""Reading the JSON, YAML and TOML files of a scanned tree, whatever their author made of them.

Python's json and tomllib and PyYAML's constructors go one call deeper per level of nesting, and so does
code that walks what they return: a file nested 10,000 levels deep would end the scan with a
RecursionError, and a YAML alias inside its own anchor makes a structure without end. Every reader of a
data file goes through here and gets either the data, at most :data:`MAX_NESTING` levels deep and free of
cycles, or a :class:`DataFileError` saying what is wrong, which the caller turns into a notice for that
file while the scan goes on.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

#: Deeper than any real manifest, lockfile or configuration (npm v1 lockfiles, the deepest, stay well
#: under 100), and shallow enough that recursive code reading the result keeps a wide margin below
#: Python's recursion limit.
MAX_NESTING = 200

#: PyYAML's loader written in C (libyaml) when it is installed: much faster, and it limits nesting itself.
SAFE_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"


class DataFileError(ValueError):
    """A data file that cannot be read: malformed, nested too deeply or referring to itself.

    The message says what is wrong without naming the file (the caller knows which file it read);
    ``line`` is the 1-based line of the problem when the parser knows it.
    """

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def load_json(text: str) -> Any:
    """The value of a JSON document."""
    try:
        value = json.loads(text)
        check_nesting(value)
    except json.JSONDecodeError as error:
        raise DataFileError(f"invalid JSON: {error}", error.lineno) from None
    except (RecursionError, DataFileError):
        raise DataFileError(_TOO_DEEP, _line_too_deep(text)) from None
    return value


def load_toml(text: str) -> dict[str, Any]:
    """The table of a TOML document."""
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"invalid TOML: {error}") from None
    except RecursionError:
        line = _line_too_deep(text)
        named = _TOML_KEY.match(text.splitlines()[line - 1]) if line is not None else None
        raise DataFileError(f"`{named.group(1)}`: {_TOO_DEEP}" if named else _TOO_DEEP, line) from None
    for key, item in value.items():
        try:
            check_nesting(item)
        except DataFileError:
            raise DataFileError(f"`{key}`: {_TOO_DEEP}") from None
    return value


def load_yaml(text: str, loader: type[yaml.SafeLoader] = SAFE_YAML_LOADER) -> Any:
    """The value of a single-document YAML stream."""
    with _yaml_problems():
        value = yaml.load(text, Loader=loader)
    check_nesting(value)
    return value


def load_yaml_documents(text: str, loader: type[yaml.SafeLoader] = SAFE_YAML_LOADER) -> Iterator[Any]:
    """Each document of a YAML stream in turn; a problem raises DataFileError after the documents before it."""
    with _yaml_problems():
        for document in yaml.load_all(text, Loader=loader):
            check_nesting(document)
            yield document


@contextmanager
def _yaml_problems() -> Iterator[None]:
    """Turns what PyYAML raises on bad input into DataFileError with the line of the problem."""
    try:
        yield
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise DataFileError(f"invalid YAML: {problem}", mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as error:
        raise DataFileError(f"invalid YAML: {str(error).splitlines()[0] if str(error) else error!r}") from None
    except RecursionError:
        raise DataFileError(_TOO_DEEP) from None
    except (ValueError, TypeError, OverflowError) as error:
        if isinstance(error, DataFileError):
            raise
        # PyYAML's constructors on values they cannot build (a date with month 13, an unhashable key)
        raise DataFileError(f"invalid YAML: {type(error).__name__}: {error}") from None


def check_nesting(value: Any) -> None:
    """Raise DataFileError when ``value`` nests lists and mappings more than MAX_NESTING deep, or contains
    itself. A container reached twice (a YAML alias) is measured once, so the check stays linear even
    for a "billion laughs" document whose expansion would be exponential."""
    if not isinstance(value, (dict, list)):
        return
    height: dict[int, int] = {}  # id of a measured container -> levels of containers from it down
    on_path: set[int] = {id(value)}
    stack: list[tuple[int, Iterator[Any]]] = [(id(value), _children(value))]
    tallest: list[int] = [0]  # per stack frame: the height of its tallest child so far
    while stack:
        key, children = stack[-1]
        for child in children:
            if not isinstance(child, (dict, list)):
                continue
            child_key = id(child)
            if child_key in height:
                tallest[-1] = max(tallest[-1], height[child_key])
                if len(stack) + height[child_key] > MAX_NESTING:
                    raise DataFileError(_TOO_DEEP)
                continue
            if child_key in on_path:
                raise DataFileError("a structure that contains itself (a YAML alias inside its own anchor)")
            if len(stack) >= MAX_NESTING:
                raise DataFileError(_TOO_DEEP)
            on_path.add(child_key)
            stack.append((child_key, _children(child)))
            tallest.append(0)
            break
        else:
            stack.pop()
            on_path.discard(key)
            height[key] = tallest.pop() + 1
            if tallest:
                tallest[-1] = max(tallest[-1], height[key])


# What the bracket count skips: strings (JSON's and TOML's), TOML comments; and what it counts.
_BRACKET_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}\n]')
_TOML_KEY = re.compile(r"^\s*([^=\s]+)\s*=")


def _line_too_deep(text: str) -> int | None:
    """The first line where brackets outside strings open more than MAX_NESTING levels (for the message)."""
    depth, line = 0, 1
    for match in _BRACKET_TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif token in "]}":
            depth -= 1
    return None


def _children(value: dict[Any, Any] | list[Any]) -> Iterator[Any]:
    return iter(value.values()) if isinstance(value, dict) else iter(value)
