"""YAML documents (PyYAML's safe loader, every document of a stream) whose mappings and sequences remember
the line of each key and item, so findings point at the setting rather than at the file.

A syntax error stops the stream where it is: the documents before it are kept and the error (with its
line) is returned for a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A mapping with the line of its first key (`line`) and of each key (`key_lines`)."""

    def __init__(self, *args: Any, line: int = 0) -> None:
        super().__init__(*args)
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any, default: int | None = None) -> int:
        return self.key_lines.get(key, self.line if default is None else default)


class LineList(list[Any]):
    """A sequence with the line of each item."""

    def __init__(self, *args: Any, line: int = 0) -> None:
        super().__init__(*args)
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList((loader.construct_object(child, deep=True) for child in node.value),
                      line=node.start_mark.line + 1)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


@dataclass
class YamlStream:
    documents: list[Any]
    error: str = ""
    error_line: int | None = None


def load_documents(text: str) -> YamlStream:
    documents: list[Any] = []
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            documents.append(document)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        return YamlStream(documents, f"invalid YAML: {problem}", line)
    except yaml.YAMLError as error:
        return YamlStream(documents, f"invalid YAML: {error}")
    except (RecursionError, ValueError, TypeError) as error:
        return YamlStream(documents, f"cannot read YAML: {type(error).__name__}")
    return YamlStream(documents)
