"""What a module exports, as plain data for phase 2: which of its functions other modules (or the users of a
library) can call, and which names it re-exports from other modules.

CommonJS (`module.exports = ...`, `module.exports.x = ...`, `exports.x = ...`) and ES modules (`export
function`, `export default`, `export { a as b }`, `export * from`, `export { x } from`) are understood.
An exported class exports its methods; an exported object literal its function-valued properties.
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node

from nodeward.analysis.taint.engine import FUNCTION_TYPES, MEMBER_ASSIGNMENT_CAPTURE, TaintAnalysis
from nodeward.lang.js import parser
from nodeward.lang.js.model import unwrap
from nodeward.lang.js.parser import node_key

EXPORTS_QUERY = f"""
(assignment_expression left: (member_expression)) @{MEMBER_ASSIGNMENT_CAPTURE}
(export_statement) @export_statement
"""
# Set in a model's index when EXPORTS_QUERY was part of the query that built it.
EXPORTS_INDEXED = "export_statement"
MAX_FACTORY_DEPTH = 4  # module.exports = factory() -> return api -> var api = make() -> ...


class ExportCollector:
    def __init__(self, analysis: TaintAnalysis) -> None:
        self.analysis = analysis
        self.model = analysis.model
        self.names: dict[str, list[str]] = {}  # export name -> function keys (a class gives several)
        self.reexports: list[dict[str, str]] = []  # {"name": exported as ("*" for all), "module", "export"}
        self.exported_bindings: list[tuple[str, Node]] = []  # (export name, binding node) of exported variables

    def collect(self) -> dict[str, Any]:
        source = self.model.source
        if b"export" not in source and b"this." not in source:
            return {}
        index = self.model.index
        found = index if index is not None and EXPORTS_INDEXED in index else \
            self.model.captures(EXPORTS_QUERY)
        for assignment in found.get(MEMBER_ASSIGNMENT_CAPTURE, []):
            target = assignment.child_by_field_name("left")
            value = assignment.child_by_field_name("right")
            if target is not None and value is not None:
                self._assignment(target, value)
        for statement in found.get("export_statement", []):
            self._export_statement(statement)
        if b"__export" in source:
            self._typescript_star_exports()
        if self.exported_bindings:
            self._members_of_exported(found.get(MEMBER_ASSIGNMENT_CAPTURE, []))
        if not self.names and not self.reexports:
            return {}
        return {"names": self.names, "reexports": self.reexports}

    # CommonJS --------------------------------------------------------------------------------

    def _assignment(self, target: Node, value: Node) -> None:
        text = self.model.text(target)
        if text in ("module.exports", "exports"):
            self._export_value("default", value)
            value = unwrap(value)
            if value.type == "object":
                for child in value.named_children:
                    self._object_member(child)
            return
        for prefix in ("module.exports.", "exports."):
            if text.startswith(prefix) and "." not in text[len(prefix):]:
                self._export_value(text[len(prefix):], value)
                return
        if text.startswith("this.") and "." not in text[5:] and self._this_is_module_exports(target):
            self._export_value(text[5:], value)  # (function () { this.extend = extend; }).call(this)
            return
        # Foo.prototype.bar = function () {...}: a method of Foo, exported if Foo is.
        parts = text.split(".")
        if len(parts) == 3 and parts[1] == "prototype":
            function = self.analysis._function_of(value)
            if function is not None:
                self.names.setdefault(f"{parts[0]}#proto", []).append(self.analysis.function_info(function).key)

    def _typescript_star_exports(self) -> None:
        """TypeScript's compiled `export * from "./x"`: `__export(require("./x"))` or
        `__exportStar(require("./x"), exports)` (tslib)."""
        for call in self.model.captures("(call_expression) @call").get(
                "call", []):
            callee = call.child_by_field_name("function")
            name = self.model.text(unwrap(callee)) if callee is not None else ""
            if name.split(".")[-1] not in ("__export", "__exportStar"):
                continue
            args = self.model.arguments(call)
            spec = self._required_module(unwrap(args[0])) if args and unwrap(args[0]).type == "call_expression" \
                else None
            if spec is not None:
                self.reexports.append({"name": "*", "module": spec, "export": "*"})

    def _this_is_module_exports(self, node: Node) -> bool:
        """`this` in a CommonJS module's top level, or in a wrapper called there with `.call(this)`, is
        `module.exports`."""
        function = self.analysis.enclosing_function(node)
        if function is None:
            return True
        if function.type not in ("function_expression", "function"):
            return False
        outer = function.parent
        while outer is not None and outer.type == "parenthesized_expression":
            outer = outer.parent
        if outer is None or outer.type != "member_expression" or self.model.member_property(outer) != "call":
            return False
        call = outer.parent
        if call is None or call.type != "call_expression" or self.analysis.enclosing_function(call) is not None:
            return False
        args = self.model.arguments(call)
        return bool(args) and unwrap(args[0]).type == "this"

    def _object_member(self, child: Node) -> None:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            if key is not None and value is not None:
                self._export_value(self.model.text(key).strip("'\""), value)
        elif child.type == "shorthand_property_identifier":
            self._export_value(self.model.text(child), child)
        elif child.type == "method_definition":
            name = child.child_by_field_name("name")
            if name is not None:
                self.names.setdefault(self.model.text(name), []).append(self.analysis.function_info(child).key)

    def _export_value(self, name: str, value: Node, depth: int = 0) -> None:
        value = unwrap(value)
        if value.type == "call_expression":
            spec = self._required_module(value)
            if spec is not None:
                self.reexports.append({"name": name if name != "default" else "*", "module": spec, "export": "*"})
                return
            # module.exports = factory() (UMD wrappers, IIFEs): what the called function returns
            called = self._called_functions(value)
            if depth < MAX_FACTORY_DEPTH:
                for function in called:
                    for returned in self._returned_values(function):
                        self._export_value(name, returned, depth + 1)
            if not called:  # curry(function trim(str) {...}), memoize(fn), deprecate(fn): the wrapped function
                for argument in self.model.arguments(value):
                    if unwrap(argument).type in FUNCTION_TYPES:
                        self.names.setdefault(name, []).append(self.analysis.function_info(unwrap(argument)).key)
            return
        if value.type == "ternary_expression" and depth < MAX_FACTORY_DEPTH:  # hasNative ? wrap(a) : wrap(b)
            for branch in (value.child_by_field_name("consequence"), value.child_by_field_name("alternative")):
                if branch is not None:
                    self._export_value(name, branch, depth + 1)
            return
        if value.type in ("shorthand_property_identifier", "identifier", "member_expression"):
            qualified = self.model.qualified_name(value)
            if qualified is not None and qualified.startswith("."):
                module, _, export = self.analysis.split_relative(qualified)
                self.reexports.append({"name": name, "module": module, "export": export or "default"})
                return
        if value.type in ("shorthand_property_identifier", "identifier"):
            binding = self.model.resolve(value)
            if binding is not None and not binding.path:
                self.exported_bindings.append((name, binding.node))
                initial = unwrap(binding.value) if binding.value is not None else None
                if initial is not None and initial.type in ("call_expression", "object", "ternary_expression") and \
                        depth < MAX_FACTORY_DEPTH:
                    self._export_value(name, initial, depth + 1)  # var api = factory(); module.exports = api
                    if initial.type == "call_expression":
                        return
        if value.type == "new_expression":  # module.exports = new Client(): its methods
            constructor = value.child_by_field_name("constructor")
            if constructor is not None:
                value = constructor
        if value.type == "object":  # var api = { extend: require('./lib/extend') }; module.exports = api
            for child in value.named_children:
                inner = child.child_by_field_name("value") if child.type == "pair" else None
                key = child.child_by_field_name("key") if child.type == "pair" else None
                spec = self._required_module(unwrap(inner)) if inner is not None and \
                    unwrap(inner).type == "call_expression" else None
                if key is not None and spec is not None:
                    prop = self.model.text(key).strip("'\"")
                    self._reexport(prop if name == "default" else f"{name}.{prop}", spec, "*")
        keys = self._function_keys(value)
        if keys:
            self.names.setdefault(name, []).extend(keys)
        exported = self.analysis._function_of(value)
        if exported is None and value.type == "shorthand_property_identifier":
            binding = self.model.resolve(value)
            if binding is not None and binding.value is not None and not binding.path:
                exported = self.analysis._function_of(binding.value)
        if exported is not None and value.type != "new_expression":
            self._returned_methods(name, exported)
        if exported is not None or value.type == "new_expression":
            constructor = exported if exported is not None else self.analysis._function_of(
                value.child_by_field_name("constructor") or value)
            if constructor is not None:
                self._constructor_methods(name, constructor)

    def _constructor_methods(self, name: str, function: Node) -> None:
        """An ES5 constructor's methods: `this.parse = function (...) {...}` (or `self.parse`, `var self = this`)
        in its body."""
        if function.type not in ("function_expression", "function_declaration", "function"):
            return
        for assignment in parser.captures(self.model.dialect, "(assignment_expression) @a", function).get("a", []):
            target = assignment.child_by_field_name("left")
            value = assignment.child_by_field_name("right")
            if target is None or value is None or target.type != "member_expression" or \
                    self.analysis.enclosing_function(assignment) != function:
                continue
            holder = unwrap(target.child_by_field_name("object") or target)
            prop = self.model.member_property(target)
            if prop is None or not self._is_this(holder):
                continue
            self._export_member(f"{name}#this", prop, value)

    def _is_this(self, node: Node) -> bool:
        if node.type == "this":
            return True
        if node.type != "identifier":
            return False
        binding = self.model.resolve(node)
        return binding is not None and binding.value is not None and unwrap(binding.value).type == "this"

    def _returned_methods(self, name: str, function: Node) -> None:
        """An exported factory (`convict(schema)`, `createStore()`) returning an object literal: the methods of
        that object are API too (`convict(schema).set(path, value)`)."""
        for returned in self._returned_values(function):
            returned = unwrap(returned)
            if returned.type == "identifier":
                binding = self.model.resolve(returned)
                if binding is None or binding.value is None or binding.path:
                    continue
                returned = unwrap(binding.value)
            if returned.type != "object":
                continue
            for child in returned.named_children:
                if child.type == "pair" and (key := child.child_by_field_name("key")) is not None and \
                        (inner := child.child_by_field_name("value")) is not None and \
                        unwrap(inner).type in FUNCTION_TYPES:
                    self._export_member(f"{name}()", self.model.text(key).strip("'\""), inner)
                elif child.type == "method_definition" and (key := child.child_by_field_name("name")) is not None:
                    self._export_member(f"{name}()", self.model.text(key), child)

    def _called_functions(self, call: Node) -> list[Node]:
        """The function a call runs, when it is of this file: `factory()`, an IIFE, or the parameter of a UMD
        wrapper that receives the factory (`(function (root, factory) {...})(this, function () {...})`)."""
        callee = call.child_by_field_name("function")
        if callee is None:
            return []
        callee = unwrap(callee)
        function = self.analysis._function_of(callee)
        if function is not None:
            return [function]
        if callee.type != "identifier":
            return []
        binding = self.model.resolve(callee)
        if binding is None or binding.kind != "param" or binding.path:
            return []
        wrapper = self.analysis.enclosing_function(binding.node)
        if wrapper is None:
            return []
        index = self.analysis._parameter_index(wrapper, binding.node)
        outer = wrapper.parent
        while outer is not None and outer.type == "parenthesized_expression":
            outer = outer.parent
        if outer is None or outer.type != "call_expression":
            return []
        args = self.model.arguments(outer)
        factory = self.analysis._function_of(args[index]) if index < len(args) else None
        return [factory] if factory is not None else []

    def _returned_values(self, function: Node) -> list[Node]:
        body = function.child_by_field_name("body")
        if body is not None and body.type != "statement_block":
            return [body]
        return [s.named_children[0] for s in self.analysis._returns_of(function) if s.named_children]

    def _members_of_exported(self, assignments: list[Node]) -> None:
        """`api.set = function () {...}` and `Object.assign(api, { set })` on an exported variable `api`: more
        functions of the exported API."""
        wanted = {node_key(node): name for name, node in self.exported_bindings}
        for assignment in assignments:
            target = assignment.child_by_field_name("left")
            value = assignment.child_by_field_name("right")
            if target is None or value is None or target.type != "member_expression":
                continue
            holder = unwrap(target.child_by_field_name("object") or target)
            prop = self.model.member_property(target)
            name = self._exported_holder(holder, wanted)
            if name is not None and prop is not None:
                self._export_member(name, prop, value)
        if b"Object.assign" not in self.model.source:
            return
        for call in self.model.captures("(call_expression) @call").get(
                "call", []):
            if self.model.call_name(call) != "Object.assign":
                continue
            args = self.model.arguments(call)
            name = self._exported_holder(unwrap(args[0]), wanted) if args else None
            if name is None:
                continue
            for source in args[1:]:
                source = unwrap(source)
                if source.type != "object":
                    continue
                for child in source.named_children:
                    if child.type == "pair" and (key := child.child_by_field_name("key")) is not None and \
                            (inner := child.child_by_field_name("value")) is not None:
                        self._export_member(name, self.model.text(key).strip("'\""), inner)
                    elif child.type == "shorthand_property_identifier":
                        self._export_member(name, self.model.text(child), child)

    def _exported_holder(self, holder: Node, wanted: dict[int, str]) -> str | None:
        if holder.type != "identifier":
            return None
        binding = self.model.resolve(holder)
        return wanted.get(node_key(binding.node)) if binding is not None else None

    def _export_member(self, name: str, prop: str, value: Node) -> None:
        exported_as = prop if name == "default" else f"{name}.{prop}"
        keys = self._function_keys(value)
        spec = self._required_module(unwrap(value)) if unwrap(value).type == "call_expression" else None
        if spec is not None:  # api.sections = require('./sections')
            self._reexport(exported_as, spec, "*")
            return
        if not keys and unwrap(value).type in ("identifier", "shorthand_property_identifier", "member_expression"):
            qualified = self.model.qualified_name(unwrap(value))
            if qualified is not None and qualified.startswith("."):  # helper.Parser = require('./parser')
                module, _, export = self.analysis.split_relative(qualified)
                self.reexports.append({"name": exported_as, "module": module, "export": export or "default"})
                return
        if keys:
            known = self.names.setdefault(exported_as, [])
            known.extend(k for k in keys if k not in known)

    def _reexport(self, name: str, module: str, export: str) -> None:
        entry = {"name": name, "module": module, "export": export}
        if entry not in self.reexports:
            self.reexports.append(entry)

    def _required_module(self, call: Node) -> str | None:
        function = call.child_by_field_name("function")
        if function is None or self.model.text(function) != "require":
            return None
        args = self.model.arguments(call)
        spec = self.model.string_value(args[0]) if args else None
        return spec if spec is not None and spec.startswith(".") else None

    def _function_keys(self, value: Node) -> list[str]:
        """The functions a value stands for: a function, or the methods of a class."""
        value = unwrap(value)
        if value.type in ("identifier", "shorthand_property_identifier"):
            binding = self.model.resolve(value)
            if binding is None or binding.value is None:
                return []
            value = unwrap(binding.value)
            if binding.kind == "class" or value.type in ("class_declaration", "class"):
                return [*self._class_methods(value), f"class:{self.model.text(binding.node)}"]
        if value.type in FUNCTION_TYPES:
            return [self.analysis.function_info(value).key]
        if value.type == "member_expression":  # exports.run = helpers.run, a method of a local object
            function = self.analysis._local_member_function(value)
            return [self.analysis.function_info(function).key] if function is not None else []
        if value.type in ("class_declaration", "class"):
            return self._class_methods(value)
        if value.type == "object":
            keys: list[str] = []
            for child in value.named_children:
                if child.type == "pair" and (inner := child.child_by_field_name("value")) is not None:
                    keys.extend(k for k in self._function_keys(inner) if not k.startswith("class:"))
                elif child.type == "method_definition":
                    keys.append(self.analysis.function_info(child).key)
            return keys
        return []

    def _class_methods(self, cls: Node) -> list[str]:
        body = cls.child_by_field_name("body")
        if body is None:
            return []
        return [
            self.analysis.function_info(member).key
            for member in body.named_children
            if member.type == "method_definition" and not self._is_private(member)
        ]

    def _is_private(self, method: Node) -> bool:
        name = method.child_by_field_name("name")
        return name is not None and name.type == "private_property_identifier"

    # ES modules ------------------------------------------------------------------------------

    def _export_statement(self, statement: Node) -> None:
        source = statement.child_by_field_name("source")
        spec = self.model.string_value(source) if source is not None else None
        declaration = statement.child_by_field_name("declaration")
        value = statement.child_by_field_name("value")
        is_default = any(child.type == "default" for child in statement.children)
        if declaration is not None:
            if declaration.type in ("lexical_declaration", "variable_declaration"):
                for declarator in declaration.named_children:
                    target = declarator.child_by_field_name("name")
                    init = declarator.child_by_field_name("value")
                    if target is not None and init is not None:
                        self._export_value(self.model.text(target), init)
            else:
                name_node = declaration.child_by_field_name("name")
                exported_as = "default" if is_default or name_node is None else self.model.text(name_node)
                keys = self._function_keys(declaration)
                if keys:
                    self.names.setdefault(exported_as, []).extend(keys)
            return
        if value is not None:
            self._export_value("default", value)
            return
        clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
        if clause is None:
            if spec is not None and spec.startswith("."):
                self.reexports.append({"name": "*", "module": spec, "export": "*"})
            return
        for specifier in clause.named_children:
            name = specifier.child_by_field_name("name")
            alias = specifier.child_by_field_name("alias") or name
            if name is None or alias is None:
                continue
            exported_as = self.model.text(alias)
            if spec is not None:
                if spec.startswith("."):
                    self.reexports.append({"name": exported_as, "module": spec, "export": self.model.text(name)})
            else:
                self._export_value(exported_as, name)


def collect_exports(analysis: TaintAnalysis) -> dict[str, Any]:
    """The module's exports (computed once per file: the taint summary and the app facts both need them)."""
    if analysis.exports is None:
        analysis.exports = ExportCollector(analysis).collect()
    return analysis.exports
