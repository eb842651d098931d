"""YAML documents (PyYAML's safe loader, every document of a stream) whose mappings and sequences remember
the line of each key and item, so findings point at the setting rather than at the file.

A syntax error (or nesting too deep, see `nodeward.datafiles`) stops the stream where it is: the documents
before it are kept and the error (with its line) is returned for a notice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from nodeward.datafiles import SAFE_YAML_LOADER, DataFileError, load_yaml_documents


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


class _Loader(SAFE_YAML_LOADER):  # type: ignore[valid-type,misc]
    pass


# The constructors yield the empty container first and fill it afterwards, as PyYAML's own do: the loader
# then builds nested values one after another instead of one call deeper per level.
def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterator[LineDict]:
    loader.flatten_mapping(node)
    result = LineDict(line=node.start_mark.line + 1)
    yield result
    for key_node, value_node in node.value:
        key: Any = loader.construct_object(key_node, deep=isinstance(key_node, yaml.ScalarNode))
        try:
            hash(key)
        except TypeError:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
        result[key] = loader.construct_object(value_node)
        result.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Iterator[LineList]:
    result = LineList(line=node.start_mark.line + 1)
    yield result
    result.extend(loader.construct_object(child) for child in node.value)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class _LineContainers:
    """LineDict and LineList for the data-file reader, which fills their lines as it adds values."""

    @staticmethod
    def mapping(line: int) -> LineDict:
        return LineDict(line=line)

    @staticmethod
    def sequence(line: int) -> LineList:
        return LineList(line=line)


@dataclass
class YamlStream:
    documents: list[Any]
    error: str = ""
    error_line: int | None = None


def load_documents(text: str) -> YamlStream:
    documents: list[Any] = []
    try:
        for document in load_yaml_documents(text, _Loader, _LineContainers()):
            documents.append(document)
    except DataFileError as error:
        return YamlStream(documents, str(error), error.line)
    return YamlStream(documents)
