"""The semantic model of one JS/TS file: scopes and bindings, names resolved to modules, constants.

Rules ask questions here instead of walking syntax: "which module function is this callee?"
(`qualified_name`), "is this value built only from constants?" (`is_constant`), "what string is it?"
(`string_value`). Declarations are collected with one tree-sitter query, so building the model costs
Python work per declaration, not per syntax node; everything else is computed on demand and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node, Tree

from nodeward.lang.js import parser
from nodeward.lang.js.parser import node_key

FUNCTION_SCOPES = frozenset(
    {
        "program",
        "function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "generator_function_declaration",
        "arrow_function",
        "method_definition",
    }
)
BLOCK_SCOPES = FUNCTION_SCOPES | {
    "statement_block",
    "for_statement",
    "for_in_statement",
    "catch_clause",
    "class_body",
    "switch_body",
}
# Syntax that wraps an expression without changing its value (TypeScript casts, parentheses).
TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression", "type_assertion"}
)

# Globals whose qualified name is their own name when no local binding shadows them.
KNOWN_GLOBALS = frozenset(
    {
        "eval", "Function", "setTimeout", "setInterval", "setImmediate", "execScript", "RegExp", "Buffer",
        "require", "process", "JSON", "Math", "Object", "String", "Number", "Boolean", "Array", "Promise",
        "console", "module", "exports", "document", "window", "globalThis", "global", "fetch",
        "Mustache", "Handlebars", "escape", "parseInt", "parseFloat", "encodeURIComponent", "decodeURIComponent",
        "atob", "btoa", "URL", "Symbol", "Date", "Reflect", "WebAssembly", "location", "URLSearchParams",
        "decodeURI", "encodeURI", "unescape",
    }
)

# Calls whose result is constant when every argument is (paths built from constants, for instance).
CONSTANT_PRESERVING_CALLS = frozenset(
    {
        "path.join", "path.resolve", "path.dirname", "path.basename", "path.normalize", "path.relative",
        "path.extname", "path.posix.join", "path.posix.resolve", "path.win32.join", "path.win32.resolve",
        "url.fileURLToPath", "url.pathToFileURL", "require.resolve", "String", "Number", "encodeURIComponent",
        "decodeURIComponent", "JSON.stringify", "util.format", "Symbol", "Symbol.for", "URL", "url.URL",
        "Object.keys", "Object.values", "Object.entries", "Object.freeze", "Array.from", "Array.of",
    }
)
# Calls with no arguments whose result does not come from outside the program.
ENVIRONMENT_CONSTANT_CALLS = frozenset({"process.cwd", "os.tmpdir", "os.homedir", "os.hostname"})
# Module properties that are constants of the platform (separators, line ending).
MODULE_CONSTANTS: dict[str, Any] = {
    "path.sep": None, "path.delimiter": None, "os.EOL": None, "os.devNull": None,
    "path.posix.sep": "/", "path.posix.delimiter": ":", "path.win32.sep": "\\", "path.win32.delimiter": ";",
}
# The function that makes a `require` for ES modules: `createRequire(import.meta.url)`.
CREATE_REQUIRE_NAMES = frozenset({"module.createRequire", "module.createRequireFromPath"})
# Array methods that call their callback with each element of the receiver, and the position of the
# callback parameter that receives it.
ELEMENT_PARAMETER = {
    **dict.fromkeys(("forEach", "map", "flatMap", "filter", "some", "every", "find", "findIndex", "findLast"), 0),
    "reduce": 1,
    "reduceRight": 1,
}
# Methods of a constant receiver whose result is constant when their arguments are.
CONSTANT_PRESERVING_METHODS = frozenset(
    {
        "toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd", "concat", "slice", "substring",
        "substr", "replace", "replaceAll", "split", "join", "padStart", "padEnd", "repeat", "toString",
        "charAt", "normalize", "map", "filter", "at",
    }
)
MODULE_ALIASES = {"fs/promises": "fs.promises", "path/posix": "path.posix", "path/win32": "path.win32"}
MAX_DEPTH = 40


class Unknown:
    """A constant whose value is not known statically (such as `__dirname`)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<constant>"


UNKNOWN = Unknown()


@dataclass(frozen=True, slots=True)
class Constant:
    """The result of constant evaluation: `value` is UNKNOWN when constant but not known."""

    value: Any


@dataclass(slots=True)
class Binding:
    """A name declared in a scope, with what it was bound to."""

    name: str
    kind: str  # const, let, var, param, function, class, import, catch
    node: Node
    value: Node | None = None
    path: tuple[str | int, ...] = ()
    import_source: str | None = None
    import_name: str | None = None  # "default", "*" or the imported name
    reassigned: bool = False
    mutated: bool = False  # a property of the bound object is assigned somewhere


    @property
    def is_stable(self) -> bool:
        """True when the name always holds the value it was declared with."""
        return self.kind in ("const", "import", "function", "class") or not self.reassigned


def unwrap(node: Node) -> Node:
    while node.type in TRANSPARENT or _is_indirect_reference(node):
        inner = node.named_children
        if not inner:
            break
        node = inner[-1] if node.type == "sequence_expression" else inner[0]
    return node


def _is_indirect_reference(node: Node) -> bool:
    """`(0, _utils.merge)` of compiled code (Babel, TypeScript): the function itself, called without a `this`."""
    if node.type != "sequence_expression":
        return False
    inner = node.named_children
    return len(inner) == 2 and inner[0].type == "number" and inner[0].text == b"0"


def normalise_module(spec: str) -> str:
    if spec.startswith("node:"):
        spec = spec[5:]
    return MODULE_ALIASES.get(spec, spec)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _decode_escape(text: str) -> str:
    body = text[1:]
    if body in _ESCAPES:
        return _ESCAPES[body]
    if body[:1] in ("u", "x"):
        digits = body[1:].strip("{}")
        try:
            return chr(int(digits, 16))
        except ValueError:
            return body
    if body.startswith(("\n", "\r")):
        return ""
    return body


DECLARATIONS_QUERY = """
(variable_declarator name: (_) @declarator)
(function_declaration name: (identifier) @function)
(generator_function_declaration name: (identifier) @function)
(class_declaration name: (_) @class)
(formal_parameters) @parameters
(arrow_function parameter: (identifier) @arrow_parameter)
(import_statement) @import
(catch_clause parameter: (_) @catch)
(for_in_statement left: (_) @for_left)
(function_expression name: (identifier) @function_expression_name)
(assignment_expression left: (identifier) @assigned)
(augmented_assignment_expression left: (identifier) @assigned)
(update_expression argument: (identifier) @assigned)
(assignment_expression left: [(member_expression object: (identifier) @mutated)
                              (subscript_expression object: (identifier) @mutated)])
(augmented_assignment_expression left: [(member_expression object: (identifier) @mutated)
                                        (subscript_expression object: (identifier) @mutated)])
"""


#: The whole-file queries asked through `SemanticModel.captures` in this process, by text, each with the
#: prefix its capture names get in a file's combined query and the dialects it was asked in: the code scanner
#: adds them to the one query it runs per file of such a dialect, so a query any rule or analysis asked once
#: costs no walk of its own in later files.
FILE_QUERIES: dict[str, tuple[str, set[str]]] = {}
_STRING_OR_CAPTURE = re.compile(r'"(?:[^"\\]|\\.)*"|@([A-Za-z_][\w.-]*)')


def prefixed_query(text: str, prefix: str) -> str:
    """`text` with every capture name (also in predicates, not in strings) starting with `prefix`."""
    return _STRING_OR_CAPTURE.sub(lambda m: f"@{prefix}{m.group(1)}" if m.group(1) else m.group(0), text)


def file_queries(dialect: str) -> dict[str, str]:
    """The whole-file queries asked of files of `dialect` so far, with their capture name prefixes."""
    return {text: prefix for text, (prefix, dialects) in FILE_QUERIES.items() if dialect in dialects}


@dataclass
class SemanticModel:
    """Scopes, bindings, name resolution and constant evaluation for one parsed file."""

    tree: Tree
    source: bytes
    dialect: str
    scopes: dict[int, dict[str, Binding]] = field(default_factory=dict)
    declared_names: set[str] = field(default_factory=set)
    # name -> (scope start, scope end, binding): resolving compares byte ranges instead of walking up the tree.
    _by_name: dict[str, list[tuple[int, int, Binding]]] = field(default_factory=dict)
    _arguments: dict[int, list[Node]] = field(default_factory=dict)
    # Many rules ask the same questions about the same call: answer each once per file.
    _call_names: dict[int, str | None] = field(default_factory=dict)
    _method_names: dict[int, str | None] = field(default_factory=dict)
    _constants: dict[int, Constant | None] = field(default_factory=dict)
    _qualified: dict[int, str | None] = field(default_factory=dict)
    #: Captures of a query the caller already ran over the whole tree with DECLARATIONS_QUERY among its
    #: patterns (the code scanner runs one combined query per file instead of one per consumer).
    index: dict[str, list[Node]] | None = field(default=None, repr=False)
    #: Subtrees nested too deep to analyse (`parser.too_deep`): queries over the whole file leave them out.
    outside: tuple[Node, ...] = ()
    #: The `FILE_QUERIES` whose captures `index` holds (under their prefixes).
    indexed: frozenset[str] = frozenset()
    _captured: dict[str, dict[str, list[Node]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._collect_declarations()

    # ----- queries over the whole file ---------------------------------------------------------

    def captures(self, query_text: str) -> dict[str, list[Node]]:
        """The captures of a query over the whole file (each list in document order; callers must not change
        them: they are shared by every caller asking the same query of this file)."""
        found = self._captured.get(query_text)
        if found is None:
            if query_text in self.indexed and self.index is not None:
                prefix = FILE_QUERIES[query_text][0]
                found = {name[len(prefix):]: nodes for name, nodes in self.index.items() if name.startswith(prefix)}
            else:
                found = parser.captures(self.dialect, query_text, self.tree.root_node, self.outside)
                # it compiled for this dialect (tree-sitter raised otherwise): it can join the combined query
                FILE_QUERIES.setdefault(query_text, (f"q{len(FILE_QUERIES)}.", set()))[1].add(self.dialect)
            self._captured[query_text] = found
        return found

    def matches(self, query_text: str) -> list[dict[str, Node]]:
        return parser.matches(self.dialect, query_text, self.tree.root_node, self.outside)

    # ----- text -------------------------------------------------------------------------------

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # ----- scopes and bindings ----------------------------------------------------------------

    def _declare(self, scope: Node, binding: Binding) -> None:
        self.scopes.setdefault(node_key(scope), {})[binding.name] = binding
        self.declared_names.add(binding.name)
        self._by_name.setdefault(binding.name, []).append((scope.start_byte, scope.end_byte, binding))

    @staticmethod
    def enclosing(node: Node, types: frozenset[str]) -> Node:
        current = node.parent
        while current is not None and current.type not in types:
            current = current.parent
        return current if current is not None else node

    def _collect_declarations(self) -> None:
        found = self.index if self.index is not None else \
            self.captures(DECLARATIONS_QUERY)
        for name_node in found.get("declarator", []):
            declarator = name_node.parent
            assert declarator is not None
            declaration = declarator.parent
            kind = "var"
            if declaration is not None and declaration.type == "lexical_declaration":
                kind = "let" if self.text(declaration).startswith("let") else "const"
            scope_types = FUNCTION_SCOPES if kind == "var" else BLOCK_SCOPES
            scope = self.enclosing(declarator, scope_types)
            value = declarator.child_by_field_name("value")
            for ident, path in self._pattern_names(name_node):
                self._declare(scope, Binding(self.text(ident), kind, ident, value, path))
        for name_node in found.get("function", []):
            scope = self.enclosing(name_node.parent or name_node, BLOCK_SCOPES)
            self._declare(scope, Binding(self.text(name_node), "function", name_node, name_node.parent))
        for name_node in found.get("class", []):
            scope = self.enclosing(name_node.parent or name_node, BLOCK_SCOPES)
            self._declare(scope, Binding(self.text(name_node), "class", name_node, name_node.parent))
        for name_node in found.get("function_expression_name", []):
            function = name_node.parent
            assert function is not None
            self._declare(function, Binding(self.text(name_node), "function", name_node, function))
        for params in found.get("parameters", []):
            function = params.parent
            if function is None:
                continue
            for param in params.named_children:
                for ident, path in self._pattern_names(param):
                    self._declare(function, Binding(self.text(ident), "param", ident, None, path))
        for ident in found.get("arrow_parameter", []):
            function = ident.parent
            if function is not None:
                self._declare(function, Binding(self.text(ident), "param", ident))
        for clause in found.get("catch", []):
            catch = clause.parent
            if catch is not None:
                for ident, path in self._pattern_names(clause):
                    self._declare(catch, Binding(self.text(ident), "catch", ident, None, path))
        for left in found.get("for_left", []):
            loop = left.parent
            if loop is None:
                continue
            kind_node = loop.child_by_field_name("kind")
            kind = self.text(kind_node) if kind_node is not None else ""
            if kind not in ("const", "let", "var"):
                continue
            scope = loop if kind != "var" else self.enclosing(loop, FUNCTION_SCOPES)
            iterated = loop.child_by_field_name("right")
            for ident, path in self._pattern_names(left):
                # Each iteration binds some element (for-of) or key (for-in) of the iterated value.
                self._declare(scope, Binding(self.text(ident), kind, ident, iterated, ("[]", *path)))
        for statement in found.get("import", []):
            self._collect_import(statement)
        for ident in found.get("assigned", []):
            binding = self.resolve(ident)
            if binding is not None:
                binding.reassigned = True
        for ident in found.get("mutated", []):
            binding = self.resolve(ident)
            if binding is not None:
                binding.mutated = True

    def _pattern_names(
        self, pattern: Node, path: tuple[str | int, ...] = ()
    ) -> Iterator[tuple[Node, tuple[str | int, ...]]]:
        """The identifiers a binding pattern declares, each with its path into the bound value."""
        kind = pattern.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            yield pattern, path
        elif kind in ("required_parameter", "optional_parameter"):
            inner = pattern.child_by_field_name("pattern")
            if inner is not None:
                yield from self._pattern_names(inner, path)
        elif kind == "assignment_pattern" or kind == "object_assignment_pattern":
            left = pattern.child_by_field_name("left")
            if left is not None:
                yield from self._pattern_names(left, path)
        elif kind == "rest_pattern":
            for child in pattern.named_children:
                yield from self._pattern_names(child, (*path, "..."))
        elif kind == "object_pattern":
            for child in pattern.named_children:
                if child.type == "pair_pattern":
                    key = child.child_by_field_name("key")
                    value = child.child_by_field_name("value")
                    if key is not None and value is not None:
                        yield from self._pattern_names(value, (*path, self._property_key(key) or "?"))
                elif child.type == "shorthand_property_identifier_pattern":
                    yield child, (*path, self.text(child))
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    if left is not None:
                        name = self.text(left) if left.type == "shorthand_property_identifier_pattern" else "?"
                        yield from self._pattern_names(left, (*path, name))
                else:
                    yield from self._pattern_names(child, (*path, "..."))
        elif kind == "array_pattern":
            for index, child in enumerate(pattern.named_children):
                yield from self._pattern_names(child, (*path, index))

    def _property_key(self, key: Node) -> str | None:
        if key.type in ("property_identifier", "identifier", "shorthand_property_identifier"):
            return self.text(key)
        if key.type == "string":
            value = self.string_value(key)
            return value
        if key.type == "number":
            return self.text(key)
        return None

    def _collect_import(self, statement: Node) -> None:
        source_node = statement.child_by_field_name("source")
        scope = self.tree.root_node
        for child in statement.named_children:
            if child.type == "import_require_clause":
                # TypeScript: import cp = require("child_process")
                ident = child.named_children[0] if child.named_children else None
                source = child.child_by_field_name("source")
                spec = self.string_value(source) if source is not None else None
                if ident is not None and spec is not None:
                    self._declare(scope, Binding(self.text(ident), "import", ident, None, (), spec, "*"))
        if source_node is None:
            return
        spec = self.string_value(source_node)
        if spec is None:
            return
        clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.named_children:
            if part.type == "identifier":
                self._declare(scope, Binding(self.text(part), "import", part, None, (), spec, "default"))
            elif part.type == "namespace_import":
                for ident in part.named_children:
                    self._declare(scope, Binding(self.text(ident), "import", ident, None, (), spec, "*"))
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier":
                        continue
                    name = specifier.child_by_field_name("name")
                    alias = specifier.child_by_field_name("alias") or name
                    if name is None or alias is None:
                        continue
                    imported = self._property_key(name) or self.text(name)
                    self._declare(scope, Binding(self.text(alias), "import", alias, None, (), spec, imported))

    def resolve(self, identifier: Node) -> Binding | None:
        """The binding an identifier refers to, or None for globals and undeclared names."""
        candidates = self._by_name.get(self.text(identifier))
        if candidates is None:
            return None  # a global, or a name no scope of this file declares
        position = identifier.start_byte
        best: Binding | None = None
        best_start, best_end = -1, 0
        for start, end, binding in candidates:
            # The innermost scope holding the identifier wins; in one scope, the last declaration.
            if start <= position < end and (start > best_start or (start == best_start and end <= best_end)):
                best, best_start, best_end = binding, start, end
        return best

    def is_global(self, identifier: Node, name: str) -> bool:
        return identifier.type == "identifier" and self.text(identifier) == name and self.resolve(identifier) is None

    # ----- qualified names --------------------------------------------------------------------

    def qualified_name(self, node: Node) -> str | None:
        """What an expression names in terms of modules: `cp.exec` -> "child_process.exec".

        Module names are normalised (`node:fs` -> "fs", `fs/promises` -> "fs.promises"); known
        globals that no local binding shadows are their own name ("eval", "Buffer.from").
        """
        key = node_key(node)
        if key not in self._qualified:
            self._qualified[key] = None  # breaks cycles such as `var a = a.b`
            self._qualified[key] = self._qualify(node, 0)
        return self._qualified[key]

    def _qualify(self, node: Node, depth: int) -> str | None:
        if depth > MAX_DEPTH:
            return None
        node = unwrap(node)
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier", "type_identifier"):
            binding = self.resolve(node)
            if binding is None:
                name = self.text(node)
                return name if name in KNOWN_GLOBALS else None
            return self._qualify_binding(binding, depth)
        if kind in ("member_expression", "subscript_expression"):
            obj = node.child_by_field_name("object")
            prop = self.member_property(node)
            if obj is None or prop is None:
                return None
            if obj.type == "meta_property":
                return f"import.meta.{prop}"
            base = self._qualify(obj, depth + 1)
            if base is None:
                return None
            # `mod.default` is what an ES module's `import x from "mod"` gives (TypeScript and Babel
            # output reach it as `mod_1.default`): the same name as the module's own.
            return base if prop == "default" else f"{base}.{prop}"
        if kind == "call_expression":
            return self._qualify_call(node, depth)
        if kind == "await_expression":
            inner = node.named_children
            return self._qualify(inner[0], depth + 1) if inner else None
        return None

    def _qualify_call(self, call: Node, depth: int) -> str | None:
        function = call.child_by_field_name("function")
        args = self.arguments(call)
        if function is None:
            return None
        if function.type == "import" or (function.type == "identifier" and self.is_global(function, "require")) \
                or self.is_created_require(function):
            spec = self.string_value(args[0]) if args else None
            return normalise_module(spec) if spec is not None else None
        callee = self._qualify(function, depth + 1)
        if callee in CREATE_REQUIRE_NAMES:
            return "require"  # the function it makes loads modules like the global `require`
        if callee in ("util.promisify", "promisify") and args:
            return self._qualify(args[0], depth + 1)
        if callee is not None and callee.endswith(".require") and callee in ("module.require",) and args:
            spec = self.string_value(args[0])
            return normalise_module(spec) if spec is not None else None
        return None

    def is_created_require(self, callee: Node) -> bool:
        """`createRequire(import.meta.url)`, directly or through a stable variable: a `require` of its own."""
        callee = unwrap(callee)
        if callee.type == "identifier":
            binding = self.resolve(callee)
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return False
            callee = unwrap(binding.value)
        return callee.type == "call_expression" and self.call_name(callee) in CREATE_REQUIRE_NAMES

    def _qualify_binding(self, binding: Binding, depth: int) -> str | None:
        if binding.kind == "import" and binding.import_source is not None:
            module = normalise_module(binding.import_source)
            if binding.import_name in ("default", "*", None):
                return module
            return f"{module}.{binding.import_name}"
        if binding.kind not in ("const", "let", "var") or binding.value is None or not binding.is_stable:
            return None
        base = self._qualify(binding.value, depth + 1)
        if base is None:
            return None
        for step in binding.path:
            if not isinstance(step, str) or step in ("...", "?", "[]"):
                return None
            base = f"{base}.{step}"
        return base

    def member_property(self, node: Node) -> str | None:
        """The constant property name of `a.b` or `a["b"]`."""
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return self.text(prop) if prop is not None else None
        if node.type == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is None:
                return None
            value = self.string_value(index)
            return value
        return None

    def call_name(self, call: Node) -> str | None:
        """The qualified name of the function a call or `new` expression invokes."""
        key = node_key(call)
        if key in self._call_names:
            return self._call_names[key]
        callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        name = self.qualified_name(callee) if callee is not None else None
        self._call_names[key] = name
        return name

    def method_name(self, call: Node) -> str | None:
        """The property name of a method call `x.y(...)`, whatever `x` is."""
        key = node_key(call)
        if key in self._method_names:
            return self._method_names[key]
        function = call.child_by_field_name("function")
        name = None
        if function is not None:
            callee = unwrap(function)
            if callee.type in ("member_expression", "subscript_expression"):
                name = self.member_property(callee)
        self._method_names[key] = name
        return name

    def arguments(self, call: Node) -> list[Node]:
        key = node_key(call)
        cached = self._arguments.get(key)
        if cached is not None:
            return cached
        args = call.child_by_field_name("arguments")
        if args is None:
            result: list[Node] = []
        elif args.type == "template_string":  # tagged template: tag`...`
            result = [args]
        else:
            result = [child for child in args.named_children if child.type != "comment"]
        self._arguments[key] = result
        return result

    # ----- constants --------------------------------------------------------------------------

    def evaluate(self, node: Node) -> Constant | None:
        """Constant-evaluate an expression; None means the value may come from outside."""
        key = node_key(node)
        if key not in self._constants:
            self._constants[key] = None  # cycles are not constant
            self._constants[key] = self._evaluate(node, 0)
        return self._constants[key]

    def is_constant(self, node: Node) -> bool:
        return self.evaluate(node) is not None

    def is_constant_choice(self, node: Node, depth: int = 0) -> bool:
        """True when the value is a constant or one of a set of constants, even if which one is unknown.

        That is: a constant; an element of a constant array or object, whatever the key
        (`HANDLERS[name]`); a condition, `||`, `??`, `&&`, `+` or template built from such values; a stable
        variable holding one; a loop variable over a constant collection (`for (const m of ["a", "b"])`,
        `["a", "b"].forEach((m) => ...)`).
        """
        if depth > 10:
            return False
        if self.is_constant(node):
            return True
        node = unwrap(node)
        kind = node.type
        if kind == "subscript_expression":
            obj = node.child_by_field_name("object")
            table = self.evaluate(obj) if obj is not None else None
            # An empty table is a cache filled at run time, not a set of choices.
            return table is not None and (isinstance(table.value, Unknown) or bool(table.value))
        if kind == "ternary_expression":
            branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
            return all(b is not None and self.is_constant_choice(b, depth + 1) for b in branches)
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or self.text(operator) not in ("||", "??", "&&", "+"):
                return False
            sides = [node.child_by_field_name(f) for f in ("left", "right")]
            return all(s is not None and self.is_constant_choice(s, depth + 1) for s in sides)
        if kind == "template_string":
            substitutions = [
                c.named_children[0] for c in node.named_children
                if c.type == "template_substitution" and c.named_children
            ]
            return all(self.is_constant_choice(s, depth + 1) for s in substitutions)
        if kind == "identifier":
            return self._identifier_is_constant_choice(node, depth)
        return False

    def _identifier_is_constant_choice(self, node: Node, depth: int) -> bool:
        binding = self.resolve(node)
        if binding is None:
            return False
        declared = binding.node
        parent = declared.parent
        if parent is not None and parent.type in ("required_parameter", "optional_parameter"):
            declared, parent = parent, parent.parent
        if parent is None:
            return False
        if parent.type == "for_in_statement" and parent.child_by_field_name("left") == declared:
            collection = parent.child_by_field_name("right")  # elements (of) or keys (in) of a constant
            return collection is not None and self.is_constant(collection)
        if binding.kind == "param":
            return self._is_element_callback_parameter(declared, parent)
        if binding.kind in ("const", "let", "var") and binding.value is not None and not binding.path:
            return binding.is_stable and self.is_constant_choice(binding.value, depth + 1)
        return False

    def _is_element_callback_parameter(self, param: Node, parent: Node) -> bool:
        """`CONSTANT_LIST.forEach((name) => ...)`: the element parameter receives constant elements."""
        function: Node | None
        position = 0
        if parent.type == "arrow_function":
            function = parent
        elif parent.type == "formal_parameters":
            function = parent.parent
            params = [p for p in parent.named_children if p.type != "comment"]
            position = params.index(param) if param in params else -1
        else:
            return False
        if function is None or function.parent is None or function.parent.type != "arguments":
            return False
        call = function.parent.parent
        if call is None or call.type != "call_expression":
            return False
        method = self.method_name(call)
        if method is None or ELEMENT_PARAMETER.get(method) != position:
            return False
        args = self.arguments(call)
        callee = call.child_by_field_name("function")
        receiver = unwrap(callee).child_by_field_name("object") if callee is not None else None
        return bool(args) and args[0] == function and receiver is not None and self.is_constant(receiver)

    def string_value(self, node: Node) -> str | None:
        if node.type == "string":
            return self._string_literal(node)
        result = self.evaluate(node)
        return result.value if result is not None and isinstance(result.value, str) else None

    def _string_literal(self, node: Node) -> str:
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(_decode_escape(self.text(child)))
        return "".join(parts)

    def _evaluate(self, node: Node, depth: int) -> Constant | None:
        if depth > MAX_DEPTH:
            return None
        node = unwrap(node)
        kind = node.type
        if kind == "string":
            return Constant(self._string_literal(node))
        if kind == "number":
            return Constant(_number(self.text(node)))
        if kind in ("true", "false"):
            return Constant(kind == "true")
        if kind in ("null", "undefined", "regex"):
            return Constant(None if kind != "regex" else UNKNOWN)
        if kind == "template_string":
            return self._evaluate_template(node, depth)
        if kind == "identifier":
            return self._evaluate_identifier(node, depth)
        if kind == "binary_expression":
            return self._evaluate_binary(node, depth)
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            argument = node.child_by_field_name("argument")
            if operator is not None and self.text(operator) == "typeof":
                return Constant(UNKNOWN)
            inner = self._evaluate(argument, depth + 1) if argument is not None else None
            return Constant(UNKNOWN) if inner is not None else None
        if kind == "ternary_expression":
            branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
            values = [self._evaluate(b, depth + 1) if b is not None else None for b in branches]
            if all(v is not None for v in values):
                first, second = values
                assert first is not None and second is not None
                return first if first.value == second.value else Constant(UNKNOWN)
            return None
        if kind == "array":
            items = []
            for child in node.named_children:
                value = self._evaluate(child, depth + 1) if child.type != "comment" else Constant(None)
                if value is None:
                    return None
                items.append(value.value)
            return Constant(items)
        if kind == "object":
            return self._evaluate_object(node, depth)
        if kind in ("member_expression", "subscript_expression"):
            return self._evaluate_member(node, depth)
        if kind in ("call_expression", "new_expression"):
            return self._evaluate_call(node, depth)
        if kind in ("arrow_function", "function_expression", "function", "class"):
            return Constant(UNKNOWN)
        return None

    def _evaluate_template(self, node: Node, depth: int) -> Constant | None:
        parts: list[str] = []
        known = True
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(_decode_escape(self.text(child)))
            elif child.type == "template_substitution":
                inner = child.named_children
                value = self._evaluate(inner[0], depth + 1) if inner else None
                if value is None:
                    return None
                if isinstance(value.value, Unknown):
                    known = False
                else:
                    parts.append(_js_string(value.value))
        return Constant("".join(parts) if known else UNKNOWN)

    def _evaluate_identifier(self, node: Node, depth: int) -> Constant | None:
        binding = self.resolve(node)
        if binding is None:
            name = self.text(node)
            if name in ("__dirname", "__filename"):
                return Constant(UNKNOWN)
            if name == "undefined":
                return Constant(None)
            if name in ("NaN", "Infinity"):
                return Constant(float("nan") if name == "NaN" else float("inf"))
            return None
        if binding.kind in ("function", "class"):
            return Constant(UNKNOWN)
        if binding.kind == "import" or binding.path:
            known = self._module_constant(node)
            if known is not None:
                return known
        if binding.kind not in ("const", "let", "var") or binding.value is None or not binding.is_stable:
            return None
        if binding.mutated:
            return None  # `const cfg = {...}; cfg.dir = input` : the object is not constant any more
        value = self._evaluate(binding.value, depth + 1)
        for step in binding.path:
            if value is None:
                return None
            value = _index(value, step)
        return value

    def _evaluate_binary(self, node: Node, depth: int) -> Constant | None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None:
            return None
        left_value = self._evaluate(left, depth + 1)
        if left_value is None:
            return None
        right_value = self._evaluate(right, depth + 1)
        if right_value is None:
            return None
        op = self.text(operator)
        a, b = left_value.value, right_value.value
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return Constant(UNKNOWN)
        if op == "+" and (isinstance(a, str) or isinstance(b, str)):
            return Constant(_js_string(a) + _js_string(b))
        if op == "+" and isinstance(a, int | float) and isinstance(b, int | float):
            return Constant(a + b)
        return Constant(UNKNOWN)

    def _evaluate_object(self, node: Node, depth: int) -> Constant | None:
        result: dict[str, Any] = {}
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type == "pair":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is None or value is None:
                    return None
                name = self._property_key(key)
                evaluated = self._evaluate(value, depth + 1)
                if name is None or evaluated is None:
                    return None
                result[name] = evaluated.value
            elif child.type == "method_definition":
                name_node = child.child_by_field_name("name")
                if name_node is not None:
                    result[self.text(name_node)] = UNKNOWN
            elif child.type == "shorthand_property_identifier":
                evaluated = self._evaluate_identifier(child, depth + 1)
                if evaluated is None:
                    return None
                result[self.text(child)] = evaluated.value
            else:
                return None
        return Constant(result)

    def _evaluate_member(self, node: Node, depth: int) -> Constant | None:
        obj = node.child_by_field_name("object")
        if obj is None:
            return None
        if obj.type == "meta_property":
            return Constant(UNKNOWN)  # import.meta.url, import.meta.dirname, ...
        prop = self.member_property(node)
        if prop is None:
            return None
        known = self._module_constant(node)
        if known is not None:
            return known
        base = self._evaluate(obj, depth + 1)
        if base is None:
            return None
        if prop == "length":
            return Constant(UNKNOWN)
        return _index(base, prop)

    def _module_constant(self, node: Node) -> Constant | None:
        """`path.sep`, `os.EOL`, `path.posix.delimiter`, ...: constants of the platform."""
        name = self.qualified_name(node)
        if name is None or name not in MODULE_CONSTANTS:
            return None
        value = MODULE_CONSTANTS[name]
        return Constant(UNKNOWN if value is None else value)

    def _evaluate_call(self, node: Node, depth: int) -> Constant | None:
        name = self.call_name(node)
        args = self.arguments(node)
        if name in ENVIRONMENT_CONSTANT_CALLS and not args:
            return Constant(UNKNOWN)
        if name in CONSTANT_PRESERVING_CALLS:
            return self._all_constant(args, depth)
        method = self.method_name(node)
        if method == "join" and len(args) <= 1:  # ['ms', 'secs?', 's'].join('|'), as regex alternatives are built
            joined = self._evaluate_join(node, args, depth)
            if joined is not None:
                return joined
        if method in CONSTANT_PRESERVING_METHODS:
            callee = unwrap(node.child_by_field_name("function") or node)
            receiver = callee.child_by_field_name("object")
            if receiver is None or self._evaluate(receiver, depth + 1) is None:
                return None
            return self._all_constant(args, depth)
        return None

    def _evaluate_join(self, node: Node, args: list[Node], depth: int) -> Constant | None:
        callee = unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object")
        items = self._evaluate(receiver, depth + 1) if receiver is not None else None
        separator = self._evaluate(args[0], depth + 1) if args else Constant(",")
        if items is None or separator is None or not isinstance(items.value, list) or \
                not isinstance(separator.value, str) or \
                not all(isinstance(item, str | int | float) for item in items.value):
            return None
        return Constant(separator.value.join(_js_string(item) for item in items.value))

    def _all_constant(self, args: list[Node], depth: int) -> Constant | None:
        for arg in args:
            if arg.type == "spread_element" or self._evaluate(arg, depth + 1) is None:
                return None
        return Constant(UNKNOWN)


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "").rstrip("n")
    try:
        return int(cleaned, 0)
    except ValueError:
        try:
            return float(cleaned)
        except ValueError:
            return 0


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _index(value: Constant, step: str | int) -> Constant | None:
    container = value.value
    if isinstance(container, Unknown):
        return value
    if step == "[]":  # some element of an array, or some key of an object
        return Constant(UNKNOWN) if isinstance(container, list | dict | str) else None
    if isinstance(container, dict) and isinstance(step, str):
        return Constant(container[step]) if step in container else Constant(None)
    if isinstance(container, list) and isinstance(step, int):
        return Constant(container[step]) if step < len(container) else Constant(None)
    if isinstance(container, list) and step == "...":
        return value
    return None


def object_literal(model: SemanticModel, node: Node, *, unmutated: bool = False) -> Node | None:
    """An object literal, directly or through stable `const` bindings to one (up to five); with ``unmutated``,
    only through bindings never written to after their declaration."""
    current = unwrap(node)
    for _ in range(5):
        if current.type == "object":
            return current
        if current.type != "identifier":
            return None
        binding = model.resolve(current)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        if unmutated and binding.mutated:
            return None
        current = unwrap(binding.value)
    return None


def object_property(model: SemanticModel, node: Node, key: str) -> Node | None:
    """The value of property `key` of an object literal, or of the constant that holds one: `{ key: value }`,
    `{ key() {} }` (the method), `{ key }` (the shorthand identifier)."""
    node = unwrap(node)
    if node.type == "identifier":
        binding = model.resolve(node)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        node = unwrap(binding.value)
    if node.type != "object":
        return None
    for child in node.named_children:
        if child.type == "pair":
            name = child.child_by_field_name("key")
            if name is not None and model.text(name).strip("'\"") == key:
                return child.child_by_field_name("value")
        elif child.type == "method_definition":
            name = child.child_by_field_name("name")
            if name is not None and model.text(name) == key:
                return child
        elif child.type == "shorthand_property_identifier" and model.text(child) == key:
            return child
    return None
