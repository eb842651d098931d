"""Reading the JSON, YAML and TOML files of a scanned tree, whatever their author made of them.

Python's json and tomllib and PyYAML's constructors go one call deeper per level of nesting, and so does
code that walks what they return: a file nested 10,000 levels deep would end the scan with a
RecursionError, and a YAML alias inside its own anchor makes a structure without end. Every reader of a
data file goes through here and gets either the data, at most :data:`MAX_NESTING` levels deep and free of
cycles, or a :class:`DataFileError` saying what is wrong, which the caller turns into a notice for that
file while the scan goes on.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

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


def load_yaml(text: str) -> Any:
    """The value of a single-document YAML stream (PyYAML's safe loader's value)."""
    with _yaml_problems():
        try:
            documents = list(_documents_from_events(text, single=True))
        except _NotPlainData:
            documents = [yaml.load(text, Loader=SAFE_YAML_LOADER)]
            check_nesting(documents[0])
    return documents[0] if documents else None


def load_yaml_documents(
    text: str, loader: type[yaml.SafeLoader] = SAFE_YAML_LOADER, lines: LineContainers | None = None
) -> Iterator[Any]:
    """Each document of a YAML stream in turn; a problem raises DataFileError after the documents before it.

    With ``lines``, mappings and sequences are built by its factories and record where each key and item
    is written; ``loader`` (building the same containers) is used for what plain data does not cover,
    such as merge keys and tags.
    """
    documents: list[Any] = []
    try:
        with _yaml_problems():
            for document in _documents_from_events(text, lines=lines):
                documents.append(document)
    except _NotPlainData:
        with _yaml_problems():
            for document in yaml.load_all(text, Loader=loader):
                check_nesting(document)
                yield document
        return
    except DataFileError:
        yield from documents
        raise
    yield from documents


class LineContainers(Protocol):
    """Factories of containers that remember lines: a mapping's ``key_lines`` (key -> line) and a
    sequence's ``item_lines`` (one line per item) are filled as the values are added."""

    def mapping(self, line: int) -> dict[Any, Any]: ...

    def sequence(self, line: int) -> list[Any]: ...


class _NotPlainData(Exception):
    """The document uses what only PyYAML's full loader handles (tags, merge keys, several documents...)."""


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                         "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"})


def _documents_from_events(text: str, *, single: bool = False, lines: LineContainers | None = None) -> Iterator[Any]:
    """What PyYAML's safe loader builds for each document of ``text``, built straight from libyaml's events.

    Lockfiles of 50,000 entries are 10 MB of YAML; PyYAML spends most of its time building a node for
    every value (with its marks, and tag resolution in Python) before building the value itself. Here
    the parser's events become values directly, with the safe loader's own resolvers and constructors
    for plain scalars, and nesting is counted on the way. Anything beyond plain data (tags, merge keys,
    several documents when ``single``) raises _NotPlainData, and the caller uses the full loader.
    """
    resolvers = SAFE_YAML_LOADER.yaml_implicit_resolvers
    constructors = SAFE_YAML_LOADER.yaml_constructors
    constructor = yaml.SafeLoader("")
    track = lines is not None
    anchors: dict[str, Any] = {}
    frames: list[list[Any]] = []  # open containers: [the list or dict, the key awaiting its value, its line]
    documents = 0
    result: Any = None
    aliased = False
    event: Any
    for event in yaml.parse(text, Loader=SAFE_YAML_LOADER):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value, tag = event.value, event.tag
            if tag is None or tag == "!":
                tag = _STR
                if event.implicit[0]:  # plain, not quoted: typed as the safe loader would
                    for candidate, pattern in resolvers.get(value[:1], []) + resolvers.get(None, []):
                        if pattern.match(value):
                            tag = candidate
                            break
            if tag not in _PLAIN_TAGS:
                raise _NotPlainData
            item = value if tag == _STR else constructors[tag](constructor, yaml.ScalarNode(tag, value))
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            is_mapping = kind is yaml.MappingStartEvent
            if event.tag not in (None, "!", _MAP if is_mapping else _SEQ):
                raise _NotPlainData
            if len(frames) >= MAX_NESTING:
                raise DataFileError(_TOO_DEEP, event.start_mark.line + 1)
            line = event.start_mark.line + 1
            container: Any = ({} if is_mapping else []) if lines is None else (
                lines.mapping(line) if is_mapping else lines.sequence(line))
            _remember(anchors, event.anchor, container)
            if frames:
                _put(frames[-1], container, line, track)
            else:
                result = container
            frames.append([container, _NO_KEY, 0])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frames.pop()
            continue
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise _NotPlainData  # the full loader says which alias is undefined, and where
            item = anchors[event.anchor]
            aliased = True
            if frames:
                _put(frames[-1], item, event.start_mark.line + 1, track)
            else:
                result = item
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if single and documents > 1:
                raise _NotPlainData  # several documents: the full loader reports it
            anchors, result, aliased = {}, None, False
            continue
        elif kind is yaml.DocumentEndEvent:
            if aliased:  # an alias can nest a deep value deeper still, or put a value inside itself
                check_nesting(result)
            yield result
            continue
        else:
            continue
        _remember(anchors, event.anchor, item)
        if frames:
            _put(frames[-1], item, event.start_mark.line + 1, track)
        else:
            result = item


_NO_KEY = object()
_STR = "tag:yaml.org,2002:str"
_HASHABLE_KEYS = (str, int, float, bool, type(None), datetime.date)


def _remember(anchors: dict[str, Any], anchor: str | None, value: Any) -> None:
    if anchor is not None:
        if anchor in anchors:
            raise _NotPlainData  # an anchor defined twice: the full loader reports both places
        anchors[anchor] = value


def _put(frame: list[Any], item: Any, line: int, track: bool) -> None:
    """``item`` into an open container: appended to a list; in a mapping, a key and then its value."""
    container, key, key_line = frame
    if isinstance(container, list):
        container.append(item)
        if track:
            container.item_lines.append(line)  # type: ignore[attr-defined]  # LineContainers.sequence
    elif key is _NO_KEY:
        if not isinstance(item, _HASHABLE_KEYS):
            raise _NotPlainData  # a list or mapping as a key: the full loader's handling
        frame[1], frame[2] = item, line
    else:
        container[key] = item
        if track:
            container.key_lines[key] = key_line
        frame[1] = _NO_KEY


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
