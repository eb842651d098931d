"""Archive entries as sources: where a file hands out entry objects of an archive library, and their names.

The rows live in `catalog.ARCHIVE_ENTRY_SOURCES`; this module only finds, in one file, the calls and
functions those rows describe. It answers two questions for the engine:
- `result_names(method)`: does calling this method return entries (and which property is their name)?
- `parameter_names(function, index)`: is this parameter an entry (or an entry's name)?
Nothing is computed for a file that loads none of the libraries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from nodeward.analysis.taint import catalog
from nodeward.lang.js.model import FUNCTION_SCOPES, SemanticModel, normalise_module, object_property, unwrap
from nodeward.lang.js.parser import node_key

ENTRY_TAG = "archive-entry"  # the tag of sources that are names of archive entries
NAME_ITSELF = ""  # a row's name property when the parameter is the name, not an entry object
LISTENER_METHODS = frozenset({"on", "once", "addListener", "prependListener"})
_MODULE_SPEC = re.compile(rb"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)["']([^"'\n]+)["']""")
_FUNCTIONS = FUNCTION_SCOPES - {"program"}


def loaded_modules(source: bytes) -> set[str]:
    """The modules a file loads, by a cheap look at its text (`require("x")`, `import ... from "x"`)."""
    names = set()
    for match in _MODULE_SPEC.finditer(source):
        spec = normalise_module(match.group(1).decode("utf-8", "replace"))
        names.add(spec)
        if not spec.startswith((".", "/")):
            parts = spec.split("/")
            names.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    return names


@dataclass
class ArchiveEntries:
    model: SemanticModel
    rows: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    _parameters: dict[int, dict[int, set[str]]] | None = None  # function node id -> index -> name properties

    @staticmethod
    def of(model: SemanticModel) -> ArchiveEntries:
        loaded = loaded_modules(model.source)
        return ArchiveEntries(model, [row for row in catalog.ARCHIVE_ENTRY_SOURCES if row[0] in loaded])

    def result_names(self, method: str | None) -> frozenset[str]:
        """Name properties of the entries a call of `method` returns; empty when it returns none."""
        if method is None or not self.rows:
            return frozenset()
        return frozenset(row[4] for row in self.rows if row[1] == "result" and row[2] == method)

    def parameter_names(self, function: Node, index: int) -> frozenset[str]:
        """Name properties of the entry parameter `index` of `function` receives (NAME_ITSELF: the name)."""
        if not self.rows:
            return frozenset()
        if self._parameters is None:
            self._parameters = self._find_parameters()
        return frozenset(self._parameters.get(node_key(function), {}).get(index, ()))

    def _find_parameters(self) -> dict[int, dict[int, set[str]]]:
        table: dict[int, dict[int, set[str]]] = {}
        found = self.model.captures("(call_expression) @call")
        for call in found.get("call", []):
            method = self.model.method_name(call)
            args = self.model.arguments(call)
            if not args:
                continue
            for module, via, key, index, name in self.rows:
                if via == "event" and method in LISTENER_METHODS and len(args) >= 2 \
                        and self.model.string_value(args[0]) == key:
                    self._add(table, args[1], index, name)
                elif via == "callback" and method == key:
                    self._add(table, args[0], index, name)
                elif via == "option" and self._calls_module(call, module):
                    for arg in args:
                        option = self._option(arg, key)
                        if option is not None:
                            self._add(table, option, index, name)
        return table

    def _calls_module(self, call: Node, module: str) -> bool:
        name = self.model.call_name(call)
        return name is not None and (name == module or name.startswith(module + "."))

    def _option(self, arg: Node, key: str) -> Node | None:
        """The function given as property `key` of an object literal: `{ onentry: fn }`, `{ onentry(e) {} }`."""
        return object_property(self.model, arg, key)

    def _add(self, table: dict[int, dict[int, set[str]]], node: Node, index: int, name: str) -> None:
        function = self._function(node)
        if function is not None:
            table.setdefault(node_key(function), {}).setdefault(index, set()).add(name)

    def _function(self, node: Node) -> Node | None:
        node = unwrap(node)
        if node.type in _FUNCTIONS:
            return node
        if node.type in ("identifier", "shorthand_property_identifier"):
            binding = self.model.resolve(node)
            if binding is None or binding.value is None or not binding.is_stable:
                return None
            value = unwrap(binding.value)
            return value if value.type in _FUNCTIONS else None
        return None
