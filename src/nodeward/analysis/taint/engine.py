"""Phase 1 of taint tracking: where does a value in this file come from?

`TaintAnalysis.taint_of(node)` answers with a set of origins:
- a *source*: data from outside (request data, CLI arguments, socket messages), with the place it was read;
- a *parameter* of a function of this file: resolved later through call sites (same file or others, in
  phase 2) or, for a library, because the function is part of its exported API;
- the *request object* itself, whose client-data properties become sources when read.
Each origin remembers the sink classes it was sanitized for and a short trace of the steps it took.

The evaluation is demand-driven (only values that reach a sink are ever evaluated) and memoised per
node, so its cost follows the number of sinks, not the size of the file. It is flow-insensitive but for
one common case: a variable reassigned in straight-line code before its use takes only the last value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from tree_sitter import Node

from nodeward.analysis.taint import catalog, nextjs, route_schemas
from nodeward.analysis.taint.archives import ENTRY_TAG, NAME_ITSELF, ArchiveEntries
from nodeward.analysis.taint.guards import Guards, apply_guards, length_classes, truncation_limit
from nodeward.findings import Location, TraceStep, shorten
from nodeward.lang.js import parser
from nodeward.lang.js.model import FUNCTION_SCOPES, Binding, SemanticModel, normalise_module, unwrap
from nodeward.lang.js.parser import node_key

FUNCTION_TYPES = FUNCTION_SCOPES - {"program"}
# A relative module spec a file loads: `require("./x")`, `import("./x")`, `from "./x"`, `import "./x"`.
_RELATIVE_SPEC = re.compile(rb"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|\bimport\s+)["'](\.[^"'\n]*)["']""")
MAX_ORIGINS = 6
MAX_DEPTH = 60
MAX_STEPS = 8
EVALUATION_BUDGET = 50_000  # per file; past it, partial results are memoised too, to bound the work

SOURCE, PARAM, REQUEST = "source", "param", "request"
# The capture name of `a.b = value` assignments in the code scanner's combined query (analysis.taint.exports).
MEMBER_ASSIGNMENT_CAPTURE = "export_assignment"
ANY_ARGUMENT = -1  # PARAM index of `arguments`: the function's arguments, whatever their position
ENTRY = "entry"  # an archive entry object (label: its name properties, `|`-separated); a name read from it is a source


#: The label of a value read from a database: of unknown origin for the rules, but phase 2 tells a function
#: that returns one (a data-access helper) from one that returns its arguments.
DATABASE_READ = "a value read from the database"
#: The trace step of a value returned by a function of another module; phase 2 looks that function up.
RETURNED_BY = "returned by"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where (part of) a value comes from."""

    kind: str  # SOURCE, PARAM or REQUEST
    label: str  # `req.query.dir`, a parameter's name, ...
    location: Location
    function: str = ""  # PARAM: key of the function (file:byte offset)
    index: int = -1  # PARAM: position of the parameter
    sanitized: frozenset[str] = frozenset()
    steps: tuple[TraceStep, ...] = ()
    tag: str = ""  # SOURCE: what kind of outside data, when rules tell them apart ("archive-entry")
    # SOURCE: the class a NestJS handler declares for a whole body, query or params object (`@Body() dto:
    # CreateDto`), as an injection token ("module#export"): its validated fields may be safe (phase 2 checks).
    dto: str = ""
    # SOURCE with a `dto`, and PARAM: the field first read of the value (`dto.price` -> "price"; fields of
    # merged paths joined with "|"; "[]" for a computed one), "" for the whole value.
    member: str = ""

    def identity(self) -> tuple[str, str, str, int, int]:
        return (self.kind, self.label, self.function, self.index, self.location.start_line)

    def reading_order(self) -> tuple[bool, int, int, str]:
        """Sort key: the first source in the file first, the same whichever order a set of origins comes in;
        one whose way is certain before one through a function of another module (an assumption phase 2
        checks: a hash helper there may have made it harmless)."""
        return (self.passes_through_another_module(), self.location.start_line, self.location.start_column,
                self.label)

    def clean_for(self, sink_class: str) -> bool:
        return "*" in self.sanitized or sink_class in self.sanitized or \
            catalog.WEAKER_CLASSES.get(sink_class, "*") in self.sanitized

    def narrowed(self, prop: str, location: Location) -> Origin:
        """The source's property ``prop``, read at ``location``: its label, place and first step say so."""
        label = f"{self.label}.{prop}"
        steps = self.steps
        if steps and steps[0].description.endswith(f"`{self.label}`"):
            first = steps[0]
            named = first.description[: -len(self.label) - 2] + f"`{label}`"
            steps = (TraceStep(location, named), *steps[1:])
        return replace(self, label=label, location=location, steps=steps)

    def passes_through_another_module(self) -> bool:
        """Whether a function of another module is on the way, taken to return its arguments (phase 2 checks)."""
        return any(step.description.startswith(RETURNED_BY) for step in self.steps)

    def with_step(self, step: TraceStep) -> Origin:
        if len(self.steps) >= MAX_STEPS or (self.steps and self.steps[-1] == step):
            return self
        return replace(self, steps=(*self.steps, step))

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "label": self.label, "location": location_data(self.location),
            "function": self.function, "index": self.index, "sanitized": sorted(self.sanitized),
            "steps": [{"location": location_data(s.location), "description": s.description} for s in self.steps],
            "tag": self.tag, "dto": self.dto, "member": self.member,
        }

    @staticmethod
    def from_data(data: dict[str, Any]) -> Origin:
        return Origin(
            data["kind"], data["label"], Location(*data["location"]), data["function"], data["index"],
            frozenset(data["sanitized"]),
            tuple(TraceStep(Location(*s["location"]), s["description"]) for s in data["steps"]),
            data.get("tag", ""), data.get("dto", ""), data.get("member", ""),
        )


def location_data(location: Location) -> list[Any]:
    return [location.path, location.start_line, location.start_column, location.end_line, location.end_column]


Taint = frozenset[Origin]
CLEAN: Taint = frozenset()  # known not to come from outside: constants, numbers, booleans, functions
UNKNOWN_ORIGIN = "unknown"
# A value the engine cannot trace (a call of an unknown function, an imported value...): not a source, but not
# known to be safe either, which is what the classic "non-constant argument" rules report.
UNKNOWN: Taint = frozenset({Origin(UNKNOWN_ORIGIN, "a value of unknown origin", Location("", 0, 0, 0, 0))})
_PROPERTY_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def union(*taints: Taint) -> Taint:
    if len(taints) == 1:
        return taints[0]
    merged: dict[tuple[str, str, str, int, int], Origin] = {}
    # Sets iterate in an order that depends on string hashing: sort, so that which origins are kept (and
    # the trace each keeps) is the same on every run.
    for origin in sorted((o for taint in taints for o in taint), key=_origin_order):
        key = origin.identity()
        known = merged.get(key)
        if known is None:
            if len(merged) < MAX_ORIGINS:
                merged[key] = origin
        else:
            if origin.sanitized != known.sanitized:
                # Dirty along one path is dirty: keep what both paths were sanitized for.
                known = merged[key] = replace(known, sanitized=known.sanitized & origin.sanitized)
            if origin.member != known.member:  # `${dto.price}${dto.name}`: every field read
                members = "" if not (origin.member and known.member) else \
                    "|".join(sorted(set(origin.member.split("|")) | set(known.member.split("|"))))
                merged[key] = replace(known, member=members)
    return frozenset(merged.values())


def _origin_order(origin: Origin) -> tuple[Any, ...]:
    # Sources first (they make findings), then the shortest trace; the rest only breaks ties.
    kind_rank = {SOURCE: 0, PARAM: 1}.get(origin.kind, 2)
    return (kind_rank, len(origin.steps), origin.identity(), tuple(sorted(origin.sanitized)),
            tuple((s.location.start_line, s.description) for s in origin.steps))


def sanitize(taint: Taint, classes: frozenset[str]) -> Taint:
    # Sanitized origins are kept (marked), so that "clean because sanitized" differs from "unknown origin".
    return frozenset(replace(o, sanitized=o.sanitized | classes) for o in taint)


@dataclass
class FunctionInfo:
    key: str
    node: Node
    name: str
    params: list[str]


@dataclass
class TaintAnalysis:
    """Taint facts for one file, computed on demand."""

    model: SemanticModel
    path: str
    _memo: dict[int, Taint] = field(default_factory=dict)
    _assignments: dict[int, list[Node]] | None = None
    _handlers: dict[int, str] | None = None  # function node id -> framework role ("http", "lambda", "message")
    _validated: dict[int, route_schemas.Fields] = field(default_factory=dict)  # handler -> fields its schema checks
    _returns: dict[int, Taint] = field(default_factory=dict)
    _archives: ArchiveEntries | None = None
    _guards: Guards | None = None
    _return_statements: dict[int, list[Node]] | None = None
    _member_function_table: dict[str, Node] | None = None
    _member_assignment_list: list[tuple[Node, Node]] | None = None
    _relative_specs: list[str] | None = None
    _responders: dict[int, bool] = field(default_factory=dict)
    _undeclared_assignments: dict[str, list[Node]] | None = None
    exports: dict[str, Any] | None = None  # set by analysis.taint.exports.collect_exports
    _in_progress: set[int] = field(default_factory=set)
    _returns_in_progress: set[int] = field(default_factory=set)
    _cycle_cuts: int = 0
    _evaluations: int = 0
    #: Calls of functions whose effect on sinks is known only in phase 2: plain data.
    call_sites: list[dict[str, Any]] = field(default_factory=list)
    _recorded_calls: set[int] = field(default_factory=set)
    #: Parameters decorated with a parameter decorator of another module (NestJS `createParamDecorator`).
    decorated_parameters: list[dict[str, Any]] = field(default_factory=list)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)

    # ----- public ----------------------------------------------------------------------------

    def taint_of(self, node: Node) -> Taint:
        return self._taint(node, 0)

    def sink_taint(self, value: Node, sink: Node) -> Taint:
        """The taint of a sink's value once the checks that dominate the sink are applied (see guards.py):
        origins reaching it through a guarded variable are sanitized for the guard's classes."""
        taint = self.taint_of(value)
        if not taint:
            return taint
        if self._guards is None:
            self._guards = Guards(self.model)
        checks = self._guards.at(sink)
        return apply_guards(self.model, self.taint_of, taint, value, checks) if checks else taint

    def location(self, node: Node) -> Location:
        (start_row, start_col), (end_row, end_col) = node.start_point, node.end_point
        return Location(self.path, start_row + 1, start_col + 1, end_row + 1, end_col + 1)

    def step(self, node: Node, description: str) -> TraceStep:
        return TraceStep(self.location(node), description)

    def function_key(self, function: Node) -> str:
        return f"{self.path}:{function.start_byte}"

    def function_info(self, function: Node) -> FunctionInfo:
        key = self.function_key(function)
        info = self.functions.get(key)
        if info is None:
            info = FunctionInfo(key, function, self.function_name(function), self._parameter_names(function))
            self.functions[key] = info
        return info

    def function_name(self, function: Node) -> str:
        name = function.child_by_field_name("name")
        if name is not None:
            return self.model.text(name)
        parent = function.parent
        if parent is not None and parent.type == "variable_declarator":
            target = parent.child_by_field_name("name")
            return self.model.text(target) if target is not None else "<anonymous>"
        if parent is not None and parent.type in ("pair", "assignment_expression", "public_field_definition"):
            target = parent.child_by_field_name("key") or parent.child_by_field_name("left")
            if target is None:
                target = parent.child_by_field_name("name")
            return self.model.text(target) if target is not None else "<anonymous>"
        return "<anonymous>"

    def enclosing_function(self, node: Node) -> Node | None:
        current = node.parent
        while current is not None and current.type not in FUNCTION_TYPES:
            current = current.parent
        return current

    # ----- evaluation ------------------------------------------------------------------------

    def _taint(self, node: Node, depth: int) -> Taint:
        key = node_key(node)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return UNKNOWN
        if key in self._in_progress:
            self._cycle_cuts += 1  # a cycle (`x = x + y`, mutual recursion): the back edge adds nothing
            return CLEAN
        self._in_progress.add(key)
        cuts_before = self._cycle_cuts
        try:
            result = self._evaluate(node, depth + 1)
        finally:
            self._in_progress.discard(key)
        # A value computed while a cycle was cut is partial unless its own node closed the cycle: memoising it
        # would make results depend on the order values are asked for. The budget bounds re-evaluation.
        if self._cycle_cuts == cuts_before or not self._in_progress or self._evaluations > EVALUATION_BUDGET:
            self._memo[key] = result
        self._evaluations += 1
        return result

    def _evaluate(self, node: Node, depth: int) -> Taint:
        node = unwrap(node)
        kind = node.type
        if kind in ("identifier", "member_expression", "subscript_expression", "call_expression") and \
                self.model.is_constant(node):
            return CLEAN  # built only from constants (`path.join(__dirname, "x")`, a const binding...)
        if kind == "identifier":
            return self._identifier(node, depth)
        if kind in ("member_expression", "subscript_expression"):
            return self._member(node, depth)
        if kind in ("call_expression", "new_expression"):
            return self._call(node, depth)
        if kind in ("string", "number", "true", "false", "null", "undefined", "regex"):
            return CLEAN
        if kind == "template_string":
            return union(*(self._taint(c.named_children[0], depth) for c in node.named_children
                           if c.type == "template_substitution" and c.named_children))
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and self.model.text(operator) in ("+", "||", "??", "&&"):
                return union(*(self._taint(c, depth) for c in (node.child_by_field_name("left"),
                                                                 node.child_by_field_name("right")) if c is not None))
            return CLEAN  # comparisons and arithmetic give booleans and numbers
        if kind == "ternary_expression":
            return union(*(self._taint(c, depth) for c in (node.child_by_field_name("consequence"),
                                                            node.child_by_field_name("alternative")) if c is not None))
        if kind in ("await_expression", "spread_element", "yield_expression"):
            return union(*(self._taint(c, depth) for c in node.named_children))
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            right = node.child_by_field_name("right")
            return self._taint(right, depth) if right is not None else CLEAN
        if kind == "sequence_expression":
            children = node.named_children
            return self._taint(children[-1], depth) if children else CLEAN
        if kind in ("array", "arguments"):
            return union(*(self._taint(c, depth) for c in node.named_children if c.type != "comment"))
        if kind == "object":
            parts = []
            for child in node.named_children:
                if child.type == "pair":
                    value = child.child_by_field_name("value")
                    if value is not None:
                        parts.append(self._taint(value, depth))
                elif child.type in ("spread_element", "shorthand_property_identifier"):
                    parts.append(self._taint(child, depth) if child.type == "spread_element"
                                 else self._identifier(child, depth))
            return union(*parts)
        if kind == "shorthand_property_identifier":
            return self._identifier(node, depth)
        if kind == "unary_expression":
            return CLEAN  # typeof, !, -, + give booleans, numbers or type names
        if kind in FUNCTION_TYPES or kind in ("class", "class_declaration"):
            return CLEAN  # code, not data
        return UNKNOWN

    # identifiers ---------------------------------------------------------------------------

    def _identifier(self, node: Node, depth: int) -> Taint:
        binding = self.model.resolve(node)
        if binding is None:
            name = self.model.text(node)
            if name in catalog.GLOBAL_SOURCES:
                return frozenset({self._source(node, name, catalog.GLOBAL_SOURCES[name])})
            if (marker := catalog.TEMPLATE_OUTPUT_MARKERS.fullmatch(name)) is not None:
                description, sanitized = catalog.TEMPLATE_OUTPUT_SOURCES[marker.group(1)]
                return frozenset({self._source(node, name, description, sanitized=sanitized)})
            if name == "arguments":
                return self._arguments_object(node)
            if name in ("undefined", "NaN", "Infinity", "__dirname", "__filename"):
                return CLEAN
            return self._undeclared(node, name, depth)
        if binding.kind == "param":
            reassigned = self._reassigned_parameter(binding, node, depth)
            return reassigned if reassigned is not None else self._parameter(binding, depth)
        if binding.kind in ("function", "class"):
            return CLEAN
        if binding.kind == "import":
            return UNKNOWN
        return self._variable(binding, node, depth)

    def _variable(self, binding: Binding, use: Node, depth: int) -> Taint:
        definitions: list[tuple[Node, Node, tuple[str | int, ...]]] = []  # (where, value, destructuring path)
        if binding.value is not None:
            definitions.append((binding.node, binding.value, binding.path))
        for right in self._assignments_of(binding):
            definitions.append((right, right, ()))
        if binding.kind == "catch" and not definitions:
            return UNKNOWN
        # A use inside an assignment's own right side (`c = cond ? c : ""`, `c = c || ""`) reads the value the
        # variable had before that assignment.
        before = [d for d in definitions if d[0].start_byte < use.start_byte
                  and not d[0].start_byte <= use.start_byte < d[0].end_byte]
        chosen = before or definitions
        last = before[-1][0] if before else None
        replaces = last is not None and last.parent is not None and last.parent.type == "assignment_expression" \
            and getattr(last.parent.child_by_field_name("left"), "type", "") == "identifier"
        if len(before) > 1 and replaces and last is not None and self._dominates(last, use):
            chosen = [before[-1]]  # straight-line reassignment (`x = ...`, not `x += ...`): the last value wins
        parts = []
        for where, value, path in chosen:
            taint = self._taint(value, depth)
            for step in path:
                if step == "[]":
                    continue  # for-of element: carries the iterated value's taint
                taint = self._property(taint, str(step), where)
            if taint:
                step_text = f"`{self.model.text(binding.node)}` = `{shorten(self.model.text(value), 50)}`"
                taint = frozenset(o.with_step(self.step(where, step_text)) for o in taint)
            parts.append(taint)
        if binding.mutated:
            parts.append(UNKNOWN)  # `cache[key] = ...` somewhere: the object holds values of unknown origin
        return union(*parts)

    def _undeclared(self, use: Node, name: str, depth: int) -> Taint:
        """A name assigned without a declaration (`filePath = dir + args.file`, sloppy-mode code) holds, at a use,
        the value last assigned to it before that use in the same function."""
        if self._undeclared_assignments is None:
            table: dict[str, list[Node]] = {}
            for left in parser.captures(self.model.dialect, "(assignment_expression left: (identifier) @left)",
                                        self.model.tree.root_node).get("left", []):
                if self.model.resolve(left) is None and left.parent is not None:
                    right = left.parent.child_by_field_name("right")
                    if right is not None:
                        table.setdefault(self.model.text(left), []).append(right)
            self._undeclared_assignments = table
        function = self.enclosing_function(use)
        before = [right for right in self._undeclared_assignments.get(name, ())
                  if right.end_byte <= use.start_byte and self.enclosing_function(right) == function]
        if not before:
            return UNKNOWN
        taint = self._taint(before[-1], depth)
        step = self.step(before[-1], f"`{name}` = `{shorten(self.model.text(before[-1]), 50)}`")
        return frozenset(o.with_step(step) for o in taint)

    def _arguments_object(self, node: Node) -> Taint:
        """`arguments` inside a function (not an arrow, which sees its parent's): every parameter at once, as
        the origin PARAM with index -1 (phase 2 matches it with the arguments of every position)."""
        function = self.enclosing_function(node)
        while function is not None and function.type == "arrow_function":
            function = self.enclosing_function(function)
        if function is None:
            return UNKNOWN
        info = self.function_info(function)
        return frozenset({Origin(PARAM, "arguments", self.location(node), info.key, ANY_ARGUMENT)})

    def _reassigned_parameter(self, binding: Binding, use: Node, depth: int) -> Taint | None:
        """A parameter reassigned in straight-line code before its use (`port = parseInt(port, 10)`, `str =
        String(str)`) holds the assigned value there; None when the parameter's own value may reach the use."""
        before = sorted((right for right in self._assignments_of(binding) if right.end_byte <= use.start_byte),
                        key=lambda right: right.start_byte)
        if not before:
            return None
        last = before[-1]
        statement = last.parent
        if statement is None or statement.type != "assignment_expression":
            return None
        while statement.parent is not None and statement.parent.type in ("sequence_expression", "expression_statement"):
            statement = statement.parent
        block = statement.parent
        if statement.type != "expression_statement" or block is None \
                or block.type not in ("statement_block", "program"):
            return None  # inside an `if` without braces, a loop header...: the assignment may not run
        current: Node | None = use
        while current is not None and node_key(current) != node_key(block):
            current = current.parent
        if current is None:
            return None
        taint = self._taint(last, depth)
        if taint:
            step = self.step(last, f"`{binding.name}` = `{shorten(self.model.text(last), 50)}`")
            taint = frozenset(o.with_step(step) for o in taint)
        return taint

    def _dominates(self, definition: Node, use: Node) -> bool:
        """True when `definition` is a statement of a block that contains `use` (and so runs first)."""
        statement = definition
        while statement.parent is not None and statement.parent.type not in ("statement_block", "program"):
            if statement.type in FUNCTION_TYPES:
                return False
            statement = statement.parent
        block = statement.parent
        if block is None:
            return False
        current: Node | None = use
        while current is not None:
            if node_key(current) == node_key(block):
                return True
            current = current.parent
        return False

    def _assignments_of(self, binding: Binding) -> list[Node]:
        if self._assignments is None:
            table: dict[int, list[Node]] = {}
            found = self.model.captures(
                "(assignment_expression left: (identifier) @left)"
                " (augmented_assignment_expression left: (identifier) @left)"
                # `for (key in obj)` / `for (item of list)` with a variable declared elsewhere: each
                # iteration assigns a key or element of the iterated value, which carries its taint.
                " (for_in_statement left: (identifier) @left)"
            )
            # list[i] = x, options.items = x: the list (or object) now holds x too.
            for match in self.model.matches(
                "(assignment_expression left: [(subscript_expression object: (identifier) @collection)"
                " (member_expression object: (identifier) @collection)] right: (_) @added)"
            ):
                holder = self.model.resolve(match["collection"])
                if holder is not None and holder.kind in ("const", "let", "var"):
                    table.setdefault(node_key(holder.node), []).append(match["added"])
            # list.push(x), map.set(k, x), set.add(x): the collection now holds x too.
            for match in self.model.matches(
                "(call_expression function: (member_expression object: (identifier) @collection"
                " property: (property_identifier) @method) arguments: (arguments) @added)"
            ):
                if self.model.text(match["method"]) in catalog.COLLECTION_ADDERS:
                    holder = self.model.resolve(match["collection"])
                    if holder is not None and holder.kind in ("const", "let", "var"):
                        table.setdefault(node_key(holder.node), []).append(match["added"])
            for left in found.get("left", []):
                assigned = self.model.resolve(left)
                assignment = left.parent
                if assignment is not None and assignment.type == "for_in_statement" and \
                        assignment.child_by_field_name("kind") is not None:
                    continue  # a declaration: the model binds it to the iterated value already
                right = assignment.child_by_field_name("right") if assignment is not None else None
                if assigned is not None and right is not None:
                    table.setdefault(node_key(assigned.node), []).append(right)
            for values in table.values():
                values.sort(key=lambda n: n.start_byte)
            self._assignments = table
        return self._assignments.get(node_key(binding.node), [])

    # parameters ----------------------------------------------------------------------------

    def _parameter(self, binding: Binding, depth: int) -> Taint:
        function = self.enclosing_function(binding.node)
        if function is None:
            return UNKNOWN
        index = self._parameter_index(function, binding.node)
        name = binding.name
        declared = binding.node.parent
        decorated = self._nest_decorator(declared)
        if decorated in catalog.NEST_DATA_DECORATORS:
            source = self._source(binding.node, name, f"`@{decorated}()` parameter",
                                  sanitized=self._nest_pipes(declared))
            dto = self._validated_class(declared) if decorated in catalog.NEST_DTO_DECORATORS else None
            return frozenset({replace(source, dto=dto) if dto else source})
        if decorated is not None and decorated not in catalog.NEST_REQUEST_DECORATORS:
            custom = self._custom_parameter_decorator(binding, declared, function, index)
            if custom is not None:
                return custom
        role = self.handler_role(function)
        location = self.location(binding.node)
        if role == nextjs.ACTION:
            return frozenset({self._source(binding.node, name, "argument of a server action")})
        # A route handler's request (a Next.js one: also its context, whose params are the URL's segments)
        request_role = (role in ("http", nextjs.PAGE) and index == 0) or (role == nextjs.ROUTE and index in (0, 1))
        if decorated in catalog.NEST_REQUEST_DECORATORS or request_role or (
            name in catalog.REQUEST_PARAMETER_NAMES and not binding.path
        ) or (index == 0 and role is None and not binding.path and (
            self._responds(function) or self._koa_context(function, name))):
            if not binding.path:
                return frozenset({Origin(REQUEST, name, location)})
            # ({ query }, res) => ..., GET(request, { params }): the destructured parts of the request
            request: Taint = frozenset({Origin(REQUEST, "request" if index == 0 else "context", location)})
            for step in binding.path:
                request = self._property(request, str(step), binding.node)
            return request
        if role == "graphql" and index == 1:  # (parent, args, context, info)
            # The schema types every argument: a scalar, or an input object whose field names cannot start
            # with `$`, so no MongoDB operator gets through, unless a JSON scalar passes any object on.
            typed = not catalog.GRAPHQL_JSON_SCALARS.search(self.model.source)
            return frozenset({self._source(binding.node, name, "arguments of a GraphQL query",
                                           sanitized=frozenset({"nosql"}) if typed else frozenset())})
        if role in ("message", "lambda") and (role == "message" or index == 0):
            what = "message from a client" if role == "message" else "event of a serverless handler"
            return frozenset({self._source(binding.node, name, what)})
        entry = self._archive_parameter(binding, function, index)
        if entry:
            return entry
        callback = self._callback_receiver_taint(function, index, depth)
        info = self.function_info(function)
        parameter = Origin(PARAM, name, location, info.key, index)
        taint: Taint = frozenset({parameter})
        if binding.path:
            taint = frozenset({parameter})  # destructured: still "from this parameter"
        return union(taint, callback)

    def _koa_context(self, function: Node, name: str) -> bool:
        """A Koa middleware or controller registered elsewhere: `async (ctx) => { ctx.body = ... }` (the context
        is the request and the response at once)."""
        if name not in catalog.KOA_CONTEXT_NAMES:
            return False
        text = self.model.text(function)
        return any(f"{name}{use}" in text for use in catalog.KOA_CONTEXT_USES)

    def _responds(self, function: Node) -> bool:
        """True when the function's second parameter is used as an HTTP response (`rs.send(...)`): the function
        is a request handler, registered here or in another file."""
        key = node_key(function)
        known = self._responders.get(key)
        if known is not None:
            return known
        params = function.child_by_field_name("parameters")
        second = params.named_children[1] if params is not None and len(params.named_children) in (2, 3) else None
        result = False
        if second is not None and second.type in ("identifier", "required_parameter") and \
                any(mark in self.model.text(function).encode() for mark in (b".send", b".json", b".render",
                                                                            b".redirect", b".end(")):
            pattern = second.child_by_field_name("pattern") if second.type == "required_parameter" else second
            name = self.model.text(pattern) if pattern is not None else ""
            for call in parser.captures(self.model.dialect, "(call_expression function: (member_expression"
                                        " object: (identifier) @holder property: (property_identifier) @method))",
                                        function).get("method", []):
                holder = call.prev_named_sibling
                if self.model.text(call) in catalog.RESPONSE_METHODS and holder is not None and \
                        self.model.text(holder) == name:
                    binding = self.model.resolve(holder)
                    if binding is not None and binding.kind == "param" and node_key(binding.node) == node_key(
                            pattern if pattern is not None else second):
                        result = True
                        break
        self._responders[key] = result
        return result

    @property
    def archives(self) -> ArchiveEntries:
        if self._archives is None:
            self._archives = ArchiveEntries.of(self.model)
        return self._archives

    def _archive_parameter(self, binding: Binding, function: Node, index: int) -> Taint:
        """A parameter that receives an archive entry (or its name) from an archive library."""
        names = self.archives.parameter_names(function, index)
        if not names:
            return CLEAN
        if NAME_ITSELF in names:
            return frozenset({self._entry_name(binding.node, binding.name)})
        taint: Taint = frozenset({Origin(ENTRY, "|".join(sorted(names)), self.location(binding.node))})
        for step in binding.path:  # `({ entryName }) => ...`
            taint = self._property(taint, str(step), binding.node)
        return taint

    def _entry_name(self, node: Node, label: str) -> Origin:
        return self._source(node, label, "name of an archive entry", tag=ENTRY_TAG,
                            sanitized=catalog.ALL_CLASSES - {"path"})

    def _parameter_index(self, function: Node, ident: Node) -> int:
        params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        if params is None:
            return 0
        if params.type == "identifier":
            return 0
        for index, param in enumerate(params.named_children):
            if param.start_byte <= ident.start_byte < param.end_byte:
                return index
        return 0

    def _parameter_names(self, function: Node) -> list[str]:
        params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        if params is None:
            return []
        if params.type == "identifier":
            return [self.model.text(params)]
        names = []
        for param in params.named_children:
            pattern = param.child_by_field_name("pattern") or param.child_by_field_name("left") or param
            if pattern.type == "rest_pattern" and pattern.named_children:
                names.append("..." + self.model.text(pattern.named_children[0]))  # ...args
                continue
            names.append(self.model.text(pattern) if pattern.type == "identifier" else "{…}")
        return names

    def _nest_decorator(self, declared: Node | None) -> str | None:
        if declared is None or declared.type not in ("required_parameter", "optional_parameter"):
            return None
        for child in declared.children:
            if child.type == "decorator":
                expression = child.named_children[0] if child.named_children else None
                if expression is not None and expression.type == "call_expression":
                    expression = expression.child_by_field_name("function")
                if expression is not None:
                    return self.model.text(expression)
        return None

    @staticmethod
    def _parameter_decorator(declared: Node | None) -> Node | None:
        """The expression of a parameter's decorator: `Query("id", ParseIntPipe)` of `@Query("id", ParseIntPipe)`."""
        if declared is None:
            return None
        for child in declared.children:
            if child.type == "decorator" and child.named_children:
                return unwrap(child.named_children[0])
        return None

    def _validated_class(self, declared: Node | None) -> str | None:
        """`CreateDto` of `@Body() dto: CreateDto` (the whole body, typed with a class), as an injection token."""
        decorator = self._parameter_decorator(declared)
        if declared is None or decorator is None or (decorator.type == "call_expression" and any(
                self.model.string_value(a) is not None for a in self.model.arguments(decorator)[:1])):
            return None  # `@Body("name") name: string`: one field, no class
        annotated = _annotated_type(declared.child_by_field_name("type"))
        return injection_token(self, annotated) if annotated is not None else None

    def _nest_pipes(self, declared: Node | None) -> frozenset[str]:
        """`@Param("id", ParseIntPipe)`, `@Query("id", new ParseUUIDPipe())`: a pipe that rejects anything but a
        number, UUID, boolean or enum member leaves a value safe for every sink."""
        decorator = self._parameter_decorator(declared)
        if decorator is None or decorator.type != "call_expression":
            return frozenset()
        for arg in self.model.arguments(decorator)[1:] if len(self.model.arguments(decorator)) > 1 else \
                self.model.arguments(decorator):
            arg = unwrap(arg)
            if arg.type == "new_expression":
                arg = unwrap(arg.child_by_field_name("constructor") or arg)
            if self.model.text(arg).split(".")[-1] in catalog.NEST_SANITIZING_PIPES:
                return frozenset({"*"})
        return frozenset()

    def _custom_parameter_decorator(self, binding: Binding, declared: Node | None, function: Node,
                                    index: int) -> Taint | None:
        """A parameter decorator made with NestJS's `createParamDecorator(factory)`: the parameter holds what the
        factory returns (request data when it returns `request.query.x`, not when it returns `request.user`).
        Made in this file: its value here; imported from another module of the project: recorded for phase 2,
        which passes the factory's value to the parameter like an argument."""
        decorator = self._parameter_decorator(declared)
        callee = decorator.child_by_field_name("function") if decorator is not None and \
            decorator.type == "call_expression" else decorator
        if callee is None or callee.type != "identifier":
            return None
        made = self.model.resolve(callee)
        if made is None:
            return None
        if made.kind == "import":
            token = injection_token(self, callee)
            if token is not None and not token.startswith(("string:", "local#")):
                record = {"function": self.function_info(function).key, "index": index, "decorator": token,
                          "location": location_data(self.location(binding.node)),
                          "text": shorten(self.model.text(decorator or callee), 60)}
                if record not in self.decorated_parameters:
                    self.decorated_parameters.append(record)
            return None
        factory = self.param_decorator_factory(made)
        if factory is None:
            return None
        step = self.step(binding.node, f"value of the parameter decorator `@{self.model.text(callee)}()`")
        return frozenset(o.with_step(step) for o in self.return_taint(factory) if o.kind == SOURCE)

    def param_decorator_factory(self, binding: Binding) -> Node | None:
        """The factory function of `const CurrentUser = createParamDecorator((data, ctx) => ...)`."""
        if binding.value is None or not binding.is_stable or binding.path:
            return None
        value = unwrap(binding.value)
        if value.type != "call_expression" or \
                (self.model.call_name(value) or "").split(".")[-1] != "createParamDecorator":
            return None
        args = self.model.arguments(value)
        return self._function_of(args[0]) if args else None

    def _callback_receiver_taint(self, function: Node, index: int, depth: int) -> Taint:
        """`list.map((item) => ...)`: a callback's parameter holds elements of a tainted receiver."""
        arguments = function.parent
        call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
        if call is None or call.type != "call_expression":
            return CLEAN
        args = self.model.arguments(call)
        if len(args) >= 2 and node_key(unwrap(args[1])) == node_key(function) and \
                index in catalog.CALLBACK_FUNCTIONS.get(self.model.call_name(call) or "", ()):
            return self._taint(args[0], depth)  # _.each(obj, (value, key) => ...)
        method = self.model.method_name(call)
        callee = unwrap(call.child_by_field_name("function") or call)
        if method == "call" and len(args) >= 2 and node_key(unwrap(args[1])) == node_key(function) and \
                callee.type == "member_expression":
            # Array.prototype.forEach.call(list, fn) / each.call(list, fn) with `var each = [].forEach`
            target = self._indirect_target(callee)
            inner = target[2] if target is not None else self._method_reference(callee)
            if inner in catalog.CALLBACK_METHODS and index in catalog.CALLBACK_METHODS[inner]:
                return self._taint(args[0], depth)
            return CLEAN
        if method not in catalog.CALLBACK_METHODS or index not in catalog.CALLBACK_METHODS[method]:
            return CLEAN
        receiver = callee.child_by_field_name("object")
        return self._taint(receiver, depth) if receiver is not None else CLEAN

    def _method_reference(self, callee: Node) -> str | None:
        """The method named by `X.prototype.forEach` (or a variable bound to it) in `X.prototype.forEach.call`."""
        obj = callee.child_by_field_name("object")
        if obj is None:
            return None
        obj = unwrap(obj)
        if obj.type == "identifier":
            binding = self.model.resolve(obj)
            if binding is None or binding.value is None or not binding.is_stable or binding.path:
                return None
            obj = unwrap(binding.value)
        return self.model.member_property(obj) if obj.type == "member_expression" else None

    # handlers ------------------------------------------------------------------------------

    def handler_role(self, function: Node) -> str | None:
        if self._handlers is None:
            self._handlers = self._find_handlers()
        return self._handlers.get(node_key(function))

    def _find_handlers(self) -> dict[int, str]:
        roles: dict[int, str] = {}
        found = self.model.captures("(call_expression) @call")
        connection_params: set[int] = set()
        calls = found.get("call", [])
        for call in calls:
            method = self.model.method_name(call)
            args = self.model.arguments(call)
            name = self.model.call_name(call)
            if name in catalog.SERVER_FACTORIES:
                for arg in args:
                    self._mark(roles, arg, "http")
            elif method in catalog.ROUTE_METHODS and args and self._looks_like_route(call, method, args):
                validated = self._route_schema_fields(args)
                for arg in args:
                    self._mark(roles, arg, "http")
                    function = self._function_of(arg)
                    if validated and function is not None:
                        self._validated[node_key(function)] = validated
                    specs = unwrap(arg).named_children if unwrap(arg).type == "array" else [arg]
                    for spec in specs:  # hapi: server.route([{ method, path, handler }, ...])
                        route = self._route_object_handler(spec)
                        if route is not None:
                            self._mark(roles, route, "http")
                            handler = self._function_of(route)
                            if validated and handler is not None:
                                self._validated[node_key(handler)] = validated
            elif method == "on" and len(args) >= 2:
                event = self.model.string_value(args[0])
                if event == "request":
                    self._mark(roles, args[1], "http")
                elif event in catalog.CONNECTION_EVENTS:
                    function = self._function_of(args[1])
                    if function is not None:
                        params = function.child_by_field_name("parameters")
                        first = params.named_children[0] if params is not None and params.named_children else None
                        if first is None:
                            first = function.child_by_field_name("parameter")
                        if first is not None:
                            connection_params.add(first.start_byte)
        for call in calls:
            method = self.model.method_name(call)
            args = self.model.arguments(call)
            if method not in ("on", "once") or len(args) < 2:
                continue
            event = self.model.string_value(args[0])
            callee = unwrap(call.child_by_field_name("function") or call)
            receiver = callee.child_by_field_name("object")
            receiver_binding = self.model.resolve(receiver) if receiver is not None and receiver.type == "identifier" \
                else None
            from_connection = receiver_binding is not None and receiver_binding.node.start_byte in connection_params
            from_stdin = receiver is not None and self.model.qualified_name(receiver) == "process.stdin"
            if event in catalog.QUIET_EVENTS:
                continue
            made_by = receiver_binding.value if receiver_binding is not None else None
            from_rpc = made_by is not None and made_by.type in ("call_expression", "new_expression") \
                and self.model.call_name(made_by) in catalog.RPC_SERVER_FACTORIES
            from_client = event in catalog.CLIENT_EVENTS and receiver_binding is not None \
                and receiver_binding.kind == "param"
            if from_connection or from_stdin or from_rpc or from_client:
                self._mark(roles, args[1], "message")
        self._mark_serverless(roles)
        nextjs.mark_next_handlers(self.model, self.path, lambda node, role: self._mark(roles, node, role),
                                  FUNCTION_TYPES)
        if any(mark in self.model.source for mark in catalog.GRAPHQL_MARKERS):
            self._mark_graphql(roles)
        return roles

    def _mark_graphql(self, roles: dict[int, str]) -> None:
        """GraphQL resolvers: the functions of a `Query`/`Mutation`/`Subscription` resolver map, and `resolve`
        of a field config (`{ type, args, resolve(parent, args) }`)."""
        found = parser.captures(
            self.model.dialect,
            "(pair key: [(property_identifier) (string)] @key value: (_) @value)",
            self.model.tree.root_node,
        )
        for key, value in zip(found.get("key", []), found.get("value", []), strict=False):
            name = self.model._property_key(key)
            value = unwrap(value)
            if name in catalog.GRAPHQL_ROOT_TYPES and value.type == "object":
                for child in value.named_children:
                    inner = child.child_by_field_name("value") if child.type == "pair" else child
                    if inner is not None:
                        self._mark(roles, inner, "graphql")
            elif name == "resolve" and value.parent is not None and value.parent.parent is not None and any(
                    self.model._property_key(sibling.child_by_field_name("key") or sibling) in ("type", "args")
                    for sibling in value.parent.parent.named_children if sibling.type == "pair"):
                self._mark(roles, value, "graphql")

    def _looks_like_route(self, call: Node, method: str, args: list[Node]) -> bool:
        """app.get('/path', handler) rather than map.get(key) or config.use(plugin)."""
        first = unwrap(args[0])
        if method == "use":
            return any(self._function_of(a) is not None for a in args)
        if method == "route" and first.type in ("object", "array"):
            return True
        if len(args) < 2:
            return False
        if first.type in ("string", "template_string", "regex", "array"):
            return True
        value = self.model.string_value(first)
        return value is not None and value.startswith("/")

    def _route_schema_fields(self, args: list[Node]) -> route_schemas.Fields:
        """Fields validated by the schema in a route's options (`fastify.get(path, { schema }, handler)`)."""
        if b"schema" not in self.model.source:
            return frozenset()
        options = [a for a in args if unwrap(a).type in ("object", "identifier") and self._function_of(a) is None]
        return frozenset().union(*(route_schemas.validated_fields(self.model, o) for o in options))

    def _route_object_handler(self, arg: Node, depth: int = 0) -> Node | None:
        """fastify.route({ handler }) and hapi server.route({ handler }) or ({ options: { handler } })."""
        arg = unwrap(arg)
        if arg.type != "object":
            return None
        for child in arg.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                if key is not None and self.model.text(key) == "handler":
                    return child.child_by_field_name("value")
                value = child.child_by_field_name("value")
                if key is not None and self.model.text(key) in ("options", "config") and value is not None \
                        and depth == 0:
                    inner = self._route_object_handler(value, depth + 1)
                    if inner is not None:
                        return inner
            elif child.type == "method_definition":
                name = child.child_by_field_name("name")
                if name is not None and self.model.text(name) == "handler":
                    return child
        return None

    def _function_of(self, node: Node) -> Node | None:
        node = unwrap(node)
        if node.type in FUNCTION_TYPES:
            return node
        if node.type == "identifier":
            binding = self.model.resolve(node)
            if binding is None:
                return None
            if binding.kind == "function" and binding.value is not None:
                return binding.value
            if binding.value is not None and unwrap(binding.value).type in FUNCTION_TYPES and binding.is_stable:
                return unwrap(binding.value)
        return None

    def _mark(self, roles: dict[int, str], node: Node, role: str) -> None:
        function = self._function_of(node)
        if function is not None:
            roles.setdefault(node_key(function), role)

    def _mark_serverless(self, roles: dict[int, str]) -> None:
        found = self.model.captures(
            """(export_statement declaration: (function_declaration name: (identifier) @name) @function)
               (export_statement declaration: (lexical_declaration (variable_declarator
                    name: (identifier) @name value: (_) @exported)))"""
        )
        for target, value in self._member_assignments():
            prop = self.model.member_property(target)
            if prop in catalog.SERVERLESS_HANDLER_NAMES and self.model.text(target).startswith(("exports.", "module.")):
                self._mark(roles, value, "lambda")
        for name in found.get("name", []):
            if self.model.text(name) not in catalog.SERVERLESS_HANDLER_NAMES:
                continue
            holder = name.parent
            if holder is None:
                continue
            if holder.type == "function_declaration":
                roles.setdefault(node_key(holder), "lambda")
            elif (exported := holder.child_by_field_name("value")) is not None:
                self._mark(roles, exported, "lambda")

    # members -------------------------------------------------------------------------------

    def _member(self, node: Node, depth: int) -> Taint:
        qualified = self.model.qualified_name(node)
        if qualified is not None:
            for prefix, description in catalog.GLOBAL_SOURCES.items():
                if qualified == prefix or qualified.startswith(prefix + "."):
                    return frozenset({self._source(node, self.model.text(node), description)})
        obj = node.child_by_field_name("object")
        if obj is None:
            return UNKNOWN
        prop = self.model.member_property(node)
        base = self._taint(obj, depth)
        if not base:
            if node.type == "subscript_expression" and prop is None and not self.model.is_constant_choice(node):
                return UNKNOWN  # `cache[key]` of a table filled elsewhere
            return CLEAN
        if node.type == "subscript_expression" and prop is None:
            prop = "[]"
        result = self._property(base, prop or "", node)
        if self._validated and result and self._schema_validated(obj, prop):
            return sanitize(result, frozenset({"*"}))
        # Name a source by the whole access (`req.query.dir`), not only the part that made it one.
        obj_label = self.model.text(obj)
        if any(o.kind == SOURCE and o.label == obj_label for o in result):
            result = frozenset(
                replace(self._source(node, self.model.text(node), o.steps[0].description.split(":")[0], tag=o.tag,
                                     sanitized=o.sanitized), dto=o.dto, member=o.member)
                if o.kind == SOURCE and o.label == obj_label and len(o.steps) == 1 else o
                for o in result
            )
        return result

    def _schema_validated(self, obj: Node, prop: str | None) -> bool:
        """`request.params.id` in a handler whose route schema validates `params.id` to a safe shape."""
        obj = unwrap(obj)
        if prop is None or obj.type != "member_expression":
            return False
        part = self.model.member_property(obj)
        holder = obj.child_by_field_name("object")
        binding = self.model.resolve(holder) if holder is not None and holder.type == "identifier" else None
        if binding is None or binding.kind != "param":
            return False
        function = self.enclosing_function(binding.node)
        fields = self._validated.get(node_key(function)) if function is not None else None
        return fields is not None and (part, prop) in fields

    def _property(self, base: Taint, prop: str, node: Node) -> Taint:
        if prop == "length":
            return CLEAN
        result = set()
        for origin in base:
            if origin.kind == REQUEST:
                if prop in catalog.REQUEST_PROPERTIES:
                    result.add(self._source(node, f"{origin.label}.{prop}", "request data"))
            elif origin.kind == ENTRY:
                if prop in origin.label.split("|"):
                    result.add(self._entry_name(node, self.model.text(node)))
                elif prop == "[]":
                    result.add(origin)  # an element of a list of entries
            elif not origin.member and (origin.kind == PARAM or origin.dto):
                result.add(replace(origin, member=prop))  # which field of a parameter or a validated body
            elif origin.kind == SOURCE and _PROPERTY_NAME.fullmatch(prop) and len(origin.label) < 60 \
                    and not origin.passes_through_another_module():
                # `const { email } = req.body`, `user.email` with `user = req.body`: the source that reaches a
                # sink is `req.body.email`, not the whole body (whose password may have been hashed on its way)
                result.add(origin.narrowed(prop, self.location(node)))
            else:
                result.add(origin)
        return frozenset(result)

    # calls ---------------------------------------------------------------------------------

    def _call(self, node: Node, depth: int) -> Taint:
        name = self.model.call_name(node)
        args = self.model.arguments(node)
        arg_taint = union(*(self._taint(a, depth) for a in args)) if args else CLEAN
        if name in catalog.SANITIZING_CALLS:
            return sanitize(arg_taint, catalog.SANITIZING_CALLS[name])
        if name is not None and name.startswith("process.stdin"):
            return frozenset({self._source(node, name, "standard input")})
        if name in catalog.SOURCE_CALLS:
            return frozenset({self._source(node, self.model.text(node), catalog.SOURCE_CALLS[name])})
        method = self.model.method_name(node) if node.type == "call_expression" else None
        entries = self.archives.result_names(method)
        if entries:
            return frozenset({Origin(ENTRY, "|".join(sorted(entries)), self.location(node))})
        callee = node.child_by_field_name("function")
        receiver_node = None
        if callee is not None:
            callee = unwrap(callee)
            if callee.type in ("member_expression", "subscript_expression"):
                receiver_node = callee.child_by_field_name("object")
        receiver = self._taint(receiver_node, depth) if receiver_node is not None else CLEAN
        if method in catalog.REQUEST_METHODS and any(o.kind == REQUEST for o in receiver):
            return frozenset({self._source(node, self.model.text(node), "request data")})
        if method in catalog.REQUEST_GETTERS:  # NestJS `context.switchToHttp().getRequest()`
            return frozenset({Origin(REQUEST, "request", self.location(node))})
        if method in catalog.SANITIZING_METHODS:
            return sanitize(union(receiver, arg_taint), catalog.SANITIZING_METHODS[method])
        if method in ("replace", "replaceAll") and len(args) >= 2 and self._strips_to_allow_list(args[0], args[1]):
            return sanitize(receiver, frozenset({"*"}))
        if method in ("replace", "replaceAll") and args and self._replaces_line_breaks(args[0], method):
            return sanitize(receiver, frozenset({"log"}))
        if method in ("slice", "substring", "substr") and receiver:  # x.slice(0, 300): short enough to match
            limit = truncation_limit(self.model, node)
            if limit is not None and length_classes(limit):
                return sanitize(receiver, length_classes(limit))
        if name in catalog.PROPAGATING_CALLS:
            return arg_taint  # a module function: its receiver is the module, not data
        if method in ("call", "apply") and callee is not None and callee.type == "member_expression":
            indirect = self._indirect_call(node, callee, method, args, depth)
            if indirect is not None:
                return indirect
        local = self._local_function(callee) if callee is not None and node.type == "call_expression" else None
        if local is not None:
            self._record_call(node, {"local": self.function_key(local)}, args, depth)
            return self._through_function(local, args, depth)
        imported = self._imported_function(callee) if callee is not None else None
        if imported is not None:
            self._record_call(node, imported, args, depth)
            if _looks_like_sanitizer(imported.get("export", "")):
                return CLEAN
            if method in catalog.DATABASE_READ_METHODS:  # `User.findById(id)` of an imported model
                return self._database_read(node)
            # Assumed to return what it is given; the step lets phase 2 check that against the function.
            step = TraceStep(self.location(node), f"{RETURNED_BY} `{shorten(self.model.text(node), 60)}`")
            return frozenset(replace(o, steps=(*o.steps, step)) if o.kind == SOURCE else o for o in arg_taint)
        if method in catalog.PROPAGATING_METHODS and receiver:
            return union(receiver, arg_taint)
        if method == "exec" and args and receiver_node is not None and self.model.is_constant(receiver_node):
            return arg_taint  # /^(.+)\.(.+)$/.exec(prop): the groups are parts of the matched text
        if method in catalog.DATABASE_READ_METHODS:
            return self._database_read(node)
        return UNKNOWN

    def _database_read(self, node: Node) -> Taint:
        return frozenset({Origin(UNKNOWN_ORIGIN, DATABASE_READ, self.location(node))})

    def _indirect_call(self, node: Node, callee: Node, method: str, args: list[Node], depth: int) -> Taint | None:
        """`f.call(self, a, b)` and `f.apply(self, list)`: a call of `f` with the arguments after the first
        (for `apply`, each parameter may get any element of the list); `Array.prototype.slice.call(x, 1)` and
        the like: a propagating method called on `x`."""
        target = self._indirect_target(callee)
        if target is None:
            return None
        function, spec, inner_method = target
        if inner_method is not None:
            return union(*(self._taint(a, depth) for a in args)) if args else CLEAN
        taints = self._indirect_arguments(method, args, function, depth)
        if function is not None:
            self._record_call(node, {"local": self.function_key(function)}, [], depth, taints)
            return self._through_function_taints(function, taints)
        if spec is not None:
            self._record_call(node, spec, [], depth, taints)
            return union(*taints) if taints else CLEAN
        return None

    def _indirect_target(self, callee: Node) -> tuple[Node | None, dict[str, str] | None, str | None] | None:
        """What `X.call` / `X.apply` calls: (local function, imported function, propagating method name)."""
        obj = callee.child_by_field_name("object")
        if obj is None:
            return None
        obj = unwrap(obj)
        method_node = obj
        if obj.type == "identifier":
            binding = self.model.resolve(obj)
            if binding is not None and binding.value is not None and binding.is_stable and not binding.path and \
                    unwrap(binding.value).type == "member_expression":
                method_node = unwrap(binding.value)
        if method_node.type == "member_expression":
            inner = self.model.member_property(method_node)
            if inner in catalog.PROPAGATING_METHODS:
                return None, None, inner
        local = self._local_function(obj)
        if local is not None:
            return local, None, None
        imported = self._imported_function(obj) if obj.type in ("identifier", "member_expression") else None
        if imported is not None:
            return None, imported, None
        return None

    def _indirect_arguments(self, method: str, args: list[Node], function: Node | None, depth: int) -> list[Taint]:
        if method == "call":
            return [self._taint(a, depth) for a in args[1:]]
        if len(args) < 2:
            return []
        spread = self._taint(args[1], depth)
        count = max(len(self._parameter_names(function)), 1) if function is not None else 4
        return [spread] * count

    @staticmethod
    def _strips_to_allow_list(pattern: Node, replacement: Node) -> bool:
        """x.replace(/[^a-z0-9]/g, '') keeps only the listed characters: an allow-list."""
        if pattern.type != "regex" or replacement.type != "string":
            return False
        source = pattern.child_by_field_name("pattern")
        flags = pattern.child_by_field_name("flags")
        if source is None or flags is None or b"g" not in (flags.text or b""):
            return False
        text = (source.text or b"").decode("utf-8", "replace")
        return text.startswith("[^") and text.endswith("]") and replacement.end_byte - replacement.start_byte == 2

    @staticmethod
    def _replaces_line_breaks(pattern: Node, method: str) -> bool:
        r"""x.replace(/[\r\n]/g, ' '), x.replace(/\s+/g, ' '), x.replaceAll('\n', ''): no line feed survives."""
        if pattern.type == "string":
            return method == "replaceAll" and (pattern.text or b"").strip(b"'\"") in (b"\\n", b"\\r\\n")
        if pattern.type != "regex":
            return False
        source = pattern.child_by_field_name("pattern")
        flags = pattern.child_by_field_name("flags")
        if source is None or (method == "replace" and (flags is None or b"g" not in (flags.text or b""))):
            return False
        text = source.text or b""
        return not text.startswith(b"[^") and any(escape in text for escape in (b"\\n", b"\\s", b"\\v", b"\\x0a"))

    def _local_function(self, callee: Node) -> Node | None:
        if callee.type == "identifier":
            return self._function_of(callee)
        if callee.type == "member_expression":
            return self._local_member_function(callee)
        return None

    def _local_member_function(self, callee: Node) -> Node | None:
        """The function of this file that `exports.f(...)`, `module.exports.f(...)`, `this.m(...)` or
        `helpers.f(...)` (a local object literal) calls, when it can be told."""
        obj = callee.child_by_field_name("object")
        prop = self.model.member_property(callee)
        if obj is None or prop is None:
            return None
        obj = unwrap(obj)
        table = self._member_functions()
        text = self.model.text(obj)
        if text in ("module.exports", "exports"):
            return table.get(f"exports.{prop}")
        if obj.type == "this":
            method = self._class_method(callee, prop)
            return method if method is not None else table.get(f"prototype.{prop}")
        if obj.type == "identifier":
            found = table.get(f"{text}.{prop}")
            if found is not None:
                return found
            binding = self.model.resolve(obj)
            if binding is not None and binding.value is not None and binding.is_stable and not binding.path:
                value = unwrap(binding.value)
                if value.type == "object":
                    return self._object_method(value, prop)
        return self._local_instance_method(obj, prop)

    def _local_instance_method(self, obj: Node, prop: str) -> Node | None:
        """`helper.run(x)` or `this.helper.run(x)` where the object is an instance of a class of this file
        (made with `new`, or declared with the class as its type)."""
        made_by = self._instance_class(obj)
        if made_by is None or made_by.type not in ("identifier", "type_identifier"):
            return None
        binding = self.model.resolve(made_by)
        value = unwrap(binding.value) if binding is not None and binding.value is not None else None
        if value is None or value.type not in ("class_declaration", "class", "abstract_class_declaration"):
            return None
        body = value.child_by_field_name("body")
        for member in body.named_children if body is not None else []:
            name = member.child_by_field_name("name") if member.type == "method_definition" else None
            if name is not None and self.model.text(name) == prop:
                return member
        return None

    def _object_method(self, obj: Node, prop: str) -> Node | None:
        for child in obj.named_children:
            if child.type == "method_definition":
                name = child.child_by_field_name("name")
                if name is not None and self.model.text(name) == prop:
                    return child
            elif child.type == "pair":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is not None and value is not None and self.model.text(key).strip("'\"") == prop:
                    return self._function_of(value)
        return None

    @staticmethod
    def _enclosing_class_body(node: Node) -> Node | None:
        current = node.parent
        while current is not None and current.type != "class_body":
            current = current.parent
        return current

    def _class_method(self, node: Node, prop: str) -> Node | None:
        current = self._enclosing_class_body(node)
        if current is None:
            return None
        for member in current.named_children:
            if member.type == "method_definition":
                name = member.child_by_field_name("name")
                if name is not None and self.model.text(name) == prop:
                    return member
        return None

    def _member_assignments(self) -> list[tuple[Node, Node]]:
        """The file's `a.b = value` assignments as (left, right), in document order. The code scanner's
        combined query already captures them (as `export_assignment`, for the exports collector)."""
        if self._member_assignment_list is None:
            index = self.model.index
            if index is not None and MEMBER_ASSIGNMENT_CAPTURE in index:
                assignments = index[MEMBER_ASSIGNMENT_CAPTURE]
            elif index is not None and "export_statement" in index:
                assignments = []  # the combined query ran and found none
            else:
                pattern = f"(assignment_expression left: (member_expression)) @{MEMBER_ASSIGNMENT_CAPTURE}"
                assignments = self.model.captures(pattern).get(
                    MEMBER_ASSIGNMENT_CAPTURE, [])
            pairs = []
            for assignment in assignments:
                left = assignment.child_by_field_name("left")
                right = assignment.child_by_field_name("right")
                if left is not None and right is not None:
                    pairs.append((left, right))
            self._member_assignment_list = pairs
        return self._member_assignment_list

    def _member_functions(self) -> dict[str, Node]:
        """Functions assigned to members: `exports.f = function`, `Foo.prototype.m = function`, `obj.f = () =>`."""
        if self._member_function_table is None:
            table: dict[str, Node] = {}
            for left, right in self._member_assignments():
                if unwrap(right).type not in ("function_expression", "arrow_function", "identifier"):
                    continue
                function = self._function_of(right)
                if function is None:
                    continue
                text = self.model.text(left)
                parts = text.split(".")
                if text.startswith("module.exports."):
                    table[f"exports.{parts[2]}"] = function
                elif text.startswith("exports."):
                    table[f"exports.{parts[1]}"] = function
                elif len(parts) == 3 and parts[1] == "prototype":
                    table[f"prototype.{parts[2]}"] = function
                if len(parts) == 2:
                    table[text] = function
            self._member_function_table = table
        return self._member_function_table

    def _imported_function(self, callee: Node) -> dict[str, str] | None:
        """A function of another module of the project: {"module": "./lib/x", "export": "run"}; a method of an
        instance of one of its classes or constructor functions also names the method: `new UserDAO(db).add(x)`,
        `dao.add(x)` with `dao = new UserDAO(db)`, `this.users.add(x)` with a constructor parameter
        `private users: UsersService` -> {"module": "./dao", "export": "UserDAO", "method": "add"}."""
        qualified = self.model.qualified_name(callee)
        if qualified is None or not qualified.startswith("."):
            if callee.type == "member_expression":
                return self._instance_method(callee)
            return None
        module, _, export = self.split_relative(qualified)
        return {"module": module, "export": export or "default"}

    def _instance_method(self, callee: Node) -> dict[str, str] | None:
        obj = callee.child_by_field_name("object")
        method = self.model.member_property(callee)
        if obj is None or method is None:
            return None
        obj = unwrap(obj)
        token = self._injection_token(obj)
        made_by = self._instance_class(obj)
        qualified = self.model.qualified_name(made_by) if made_by is not None else None
        if qualified is None or not qualified.startswith("."):
            # `@Inject("USERS") private users: any`: the provider registered for the token says
            return {"token": token, "method": method} if token is not None else None
        module, _, export = self.split_relative(qualified)
        found = {"module": module, "export": export or "default", "method": method}
        return {**found, "token": token} if token is not None else found

    def instance_type(self, obj: Node) -> str | None:
        """The qualified name of the class an object is an instance of (`this.http` declared `HttpService` of
        @nestjs/axios -> "@nestjs/axios.HttpService"), when it can be told."""
        made_by = self._instance_class(obj)
        return self.model.qualified_name(made_by) if made_by is not None else None

    def _injection_token(self, obj: Node) -> str | None:
        """The token of `@Inject(TOKEN)` on the constructor parameter behind `this.field` (NestJS): a string
        token as "string:NAME", a class or constant imported from a module of the project as "module#export"."""
        if obj.type != "member_expression" or unwrap(obj.child_by_field_name("object") or obj).type != "this":
            return None
        field_name = self.model.member_property(obj)
        body = self._enclosing_class_body(obj)
        if field_name is None or body is None or b"@Inject" not in self.model.source:
            return None
        for member in body.named_children:
            name = member.child_by_field_name("name") if member.type == "method_definition" else None
            if name is None or self.model.text(name) != "constructor":
                continue
            params = member.child_by_field_name("parameters")
            for param in params.named_children if params is not None else []:
                pattern = param.child_by_field_name("pattern")
                if pattern is None or self.model.text(pattern) != field_name:
                    continue
                for decorator in (c for c in param.children if c.type == "decorator"):
                    call = unwrap(decorator.named_children[0]) if decorator.named_children else decorator
                    if call.type != "call_expression" or self.model.text(
                            call.child_by_field_name("function") or call) != "Inject":
                        continue
                    args = self.model.arguments(call)
                    return injection_token(self, args[0]) if args else None
        return None

    def _instance_class(self, obj: Node) -> Node | None:
        """The class (or constructor function) node an object was made by: `new X()`, a stable variable holding
        one, or `this.field` typed or constructed in its class."""
        if obj.type == "identifier":
            binding = self.model.resolve(obj)
            if binding is not None and not binding.path and binding.kind in ("param", "const", "let", "var"):
                declared = binding.node.parent  # `svc: Users` of a parameter or a variable declaration
                annotated = _annotated_type(declared.child_by_field_name("type")) if declared is not None and \
                    declared.type in ("required_parameter", "optional_parameter", "variable_declarator") else None
                if annotated is not None:
                    return annotated
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return None
            obj = unwrap(binding.value)
            if obj.type == "await_expression" and obj.named_children:
                obj = unwrap(obj.named_children[0])
        if obj.type == "new_expression":
            constructor = obj.child_by_field_name("constructor")
            return unwrap(constructor) if constructor is not None else None
        if obj.type == "member_expression":
            holder = obj.child_by_field_name("object")
            field_name = self.model.member_property(obj)
            if holder is not None and unwrap(holder).type == "this" and field_name is not None:
                return self._field_class(obj, field_name)
        return None

    def _field_class(self, node: Node, field_name: str) -> Node | None:
        """The type of a class field: a TypeScript parameter property (`constructor(private users: Users)`), a
        typed field declaration (`users: Users`), or `this.users = new Users()` in the class."""
        body = self._enclosing_class_body(node)
        if body is None:
            return None
        for member in body.named_children:
            if member.type == "public_field_definition":
                name = member.child_by_field_name("name")
                if name is None or self.model.text(name) != field_name:
                    continue
                value = member.child_by_field_name("value")
                if value is not None and unwrap(value).type == "new_expression":
                    return self._instance_class(unwrap(value))
                found = _annotated_type(member.child_by_field_name("type"))
                if found is not None:
                    return found
            elif member.type == "method_definition":
                name = member.child_by_field_name("name")
                if name is None or self.model.text(name) != "constructor":
                    continue
                params = member.child_by_field_name("parameters")
                for param in params.named_children if params is not None else []:
                    pattern = param.child_by_field_name("pattern")
                    if pattern is not None and self.model.text(pattern) == field_name and any(
                            c.type == "accessibility_modifier" or c.type == "readonly" for c in param.children):
                        found = _annotated_type(param.child_by_field_name("type"))
                        if found is not None:
                            return found
                for left, right in self._member_assignments():
                    if member.start_byte <= left.start_byte < member.end_byte and \
                            self.model.text(left) == f"this.{field_name}" and unwrap(right).type == "new_expression":
                        return self._instance_class(unwrap(right))
        return None

    def split_relative(self, qualified: str) -> tuple[str, str, str]:
        """`./users.service.UsersService` -> ("./users.service", ".", "UsersService"): the module is the longest
        relative module this file loads that the name starts with (file names hold dots too)."""
        if self._relative_specs is None:
            self._relative_specs = sorted(
                {normalise_module(m.group(1).decode("utf-8", "replace")) for m in _RELATIVE_SPEC.finditer(
                    self.model.source)}, key=len, reverse=True)
        for spec in self._relative_specs:
            if qualified == spec or qualified.startswith(spec + "."):
                return spec, ".", qualified[len(spec) + 1:]
        return self._split_relative(qualified)

    @staticmethod
    def _split_relative(qualified: str) -> tuple[str, str, str]:
        # "./lib/run.js.exec" -> module "./lib/run.js", export "exec"; "../x" -> module "../x"
        prefix_length = len(qualified) - len(qualified.lstrip("./"))
        rest = qualified[prefix_length:]
        head = qualified[:prefix_length]
        parts = rest.split(".")
        known_extensions = {"js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx", "json", "node"}
        module_parts = [parts[0]]
        for part in parts[1:]:
            if part in known_extensions and len(module_parts) == 1 and "." not in module_parts[0]:
                module_parts[0] += "." + part
            else:
                break
        module = head + module_parts[0]
        export = ".".join(parts[len(module_parts[0].split(".")):])
        return module, ".", export

    def record_project_calls(self, calls: list[Node], sink_functions: set[str] | None = None) -> None:
        """Record the calls of functions of this project (same file or a local module) with non-constant
        arguments, so that phase 2 can connect them to what the callee's parameters reach.

        Evaluating the arguments is the expensive part. With `sink_functions` (the functions of this file
        whose parameters reach a sink), a call of a local function is recorded only when its callee can lead
        to a sink: it is one of those, or calls one of them, or calls into another module, transitively.
        """
        source = self.model.source
        imports_local_modules = any(mark in source for mark in (b"'./", b'"./', b"'../", b'"../', b"`./", b"`../"))
        local_functions = self._local_function_names()
        member_calls = any(mark in source for mark in (b"exports.", b"this.", b".prototype.", b"class "))
        if not local_functions and not imports_local_modules and not member_calls:
            return
        found: list[tuple[Node, dict[str, str]]] = []
        for call in calls:
            if node_key(call) in self._recorded_calls:
                continue
            callee = call.child_by_field_name("function")
            if callee is None:
                continue
            callee = unwrap(callee)
            target: dict[str, str] | None = None
            if callee.type == "member_expression" and self.model.member_property(callee) in ("call", "apply"):
                self._record_indirect(call, callee)
                continue
            if callee.type == "identifier":
                if self.model.text(callee) not in local_functions:
                    if imports_local_modules:
                        target = self._imported_function(callee)
                    if target is not None:
                        found.append((call, target))
                    continue
                local = self._function_of(callee)
                if local is not None:
                    target = {"local": self.function_key(local)}
            if target is None and member_calls and callee.type == "member_expression":
                member = self._local_member_function(callee)
                if member is not None:
                    target = {"local": self.function_key(member)}
            if target is None and imports_local_modules and callee.type in ("identifier", "member_expression"):
                target = self._imported_function(callee)
            if target is not None:
                found.append((call, target))
        if b"new " in source:
            found.extend(self._constructions(imports_local_modules))
        leads_to_sink = self._functions_leading_to_sinks(found, sink_functions)
        for call, target in found:
            if leads_to_sink is None or "local" not in target or target["local"] in leads_to_sink:
                self._record_if_dynamic(call, target)

    def _functions_leading_to_sinks(self, found: list[tuple[Node, dict[str, str]]],
                                    sink_functions: set[str] | None) -> set[str] | None:
        if sink_functions is None:
            return None  # no knowledge: record every call
        callers: list[tuple[str, dict[str, str]]] = []
        for call, target in found:
            enclosing = self.enclosing_function(call)
            callers.append((self.function_key(enclosing) if enclosing is not None else "", target))
        leads = set(sink_functions)
        changed = True
        while changed:
            changed = False
            for caller, target in callers:
                if caller and caller not in leads and ("local" not in target or target["local"] in leads):
                    leads.add(caller)
                    changed = True
        return leads

    def _constructions(self, imports_local_modules: bool) -> list[tuple[Node, dict[str, str]]]:
        """`new Foo(a, b)`: a call of Foo's constructor (an ES5 constructor function or a class's `constructor`)
        of this file or, marked "new", of another module."""
        found: list[tuple[Node, dict[str, str]]] = []
        for construction in self.model.captures("(new_expression) @n").get("n", []):
            constructor = construction.child_by_field_name("constructor")
            if constructor is None or node_key(construction) in self._recorded_calls:
                continue
            constructor = unwrap(constructor)
            function = self._constructor_of(constructor) if constructor.type == "identifier" else None
            if function is not None:
                found.append((construction, {"local": self.function_key(function)}))
            elif imports_local_modules and constructor.type in ("identifier", "member_expression"):
                imported = self._imported_function(constructor)
                if imported is not None:
                    found.append((construction, {**imported, "new": "1"}))
        return found

    def _constructor_of(self, name: Node) -> Node | None:
        binding = self.model.resolve(name)
        if binding is None or binding.value is None:
            return None
        value = unwrap(binding.value)
        if value.type in ("class_declaration", "class"):
            body = value.child_by_field_name("body")
            for member in body.named_children if body is not None else []:
                method = member.child_by_field_name("name") if member.type == "method_definition" else None
                if method is not None and self.model.text(method) == "constructor":
                    return member
            return None
        return self._function_of(name)

    def _record_indirect(self, call: Node, callee: Node) -> None:
        found = self._indirect_target(callee)
        if found is None or found[2] is not None:
            return
        function, spec, _ = found
        target = {"local": self.function_key(function)} if function is not None else spec
        args = self.model.arguments(call)
        if target is None or not args or all(self.model.is_constant(a) for a in args):
            return
        method = self.model.member_property(callee) or "call"
        self._record_call(call, target, [], 0, self._indirect_arguments(method, args, function, 0))

    def _record_if_dynamic(self, call: Node, target: dict[str, str]) -> None:
        args = self.model.arguments(call)
        if args and not all(self.model.is_constant(a) for a in args):
            self._record_call(call, target, args, 0)

    def _local_function_names(self) -> set[str]:
        return {
            name
            for table in self.model.scopes.values()
            for name, binding in table.items()
            if binding.kind == "function"
            or (binding.value is not None and unwrap(binding.value).type in FUNCTION_TYPES)
        }

    def _record_call(self, node: Node, callee: dict[str, str], args: list[Node], depth: int,
                     arg_taints: list[Taint] | None = None) -> None:
        if node_key(node) in self._recorded_calls:
            return
        self._recorded_calls.add(node_key(node))
        if arg_taints is None:
            arg_taints = [self._taint(a, depth) for a in args]
        taints = [[o.to_data() for o in taint] for taint in arg_taints]
        if not any(taints):
            return
        caller = self.enclosing_function(node)
        self.call_sites.append({
            "callee": callee,
            "caller": self.function_key(caller) if caller is not None else "",
            "args": taints,
            "location": location_data(self.location(node)),
            "text": shorten(self.model.text(node), 60),
        })

    def _through_function(self, function: Node, args: list[Node], depth: int) -> Taint:
        """The taint of a call's result: what reaches the callee's return, parameters replaced by arguments."""
        returned = self.return_taint(function, depth)
        key = self.function_key(function)
        parts = []
        for origin in returned:
            if origin.kind == PARAM and origin.function == key:
                if 0 <= origin.index < len(args):
                    passed = self._taint(args[origin.index], depth)
                elif origin.index == ANY_ARGUMENT:
                    passed = union(*(self._taint(a, depth) for a in args))
                else:
                    continue
                parts.append(sanitize(passed, origin.sanitized) if origin.sanitized else passed)
            else:
                parts.append(frozenset({origin}))
        return union(*parts)

    def _through_function_taints(self, function: Node, taints: list[Taint]) -> Taint:
        returned = self.return_taint(function)
        key = self.function_key(function)
        parts = []
        for origin in returned:
            if origin.kind == PARAM and origin.function == key:
                if 0 <= origin.index < len(taints):
                    passed = taints[origin.index]
                elif origin.index == ANY_ARGUMENT:
                    passed = union(*taints)
                else:
                    continue
                parts.append(sanitize(passed, origin.sanitized) if origin.sanitized else passed)
            else:
                parts.append(frozenset({origin}))
        return union(*parts)

    def return_taint(self, function: Node, depth: int = 0) -> Taint:
        cached = self._returns.get(node_key(function))
        if cached is not None:
            return cached
        if node_key(function) in self._returns_in_progress:
            self._cycle_cuts += 1  # recursion contributes nothing more
            return CLEAN
        self._returns_in_progress.add(node_key(function))
        cuts_before = self._cycle_cuts
        result = union(*(self._taint(value, depth) for value in self.returned_values(function)))
        self._returns_in_progress.discard(node_key(function))
        if self._cycle_cuts == cuts_before or not self._returns_in_progress or \
                self._evaluations > EVALUATION_BUDGET:
            self._returns[node_key(function)] = result
        return result

    def return_summary(self, function: Node) -> dict[str, Any]:
        """For phase 2, what a call of ``function`` from another module gives: the sink classes everything it
        returns is sanitized for (a hash helper: all of them), and whether it returns a record read from a
        database. Nothing is said when it returns nothing traced (which may be a value the engine lost)."""
        returned = self.return_taint(function)
        summary: dict[str, Any] = {}
        if returned:
            common = frozenset.intersection(*(o.sanitized for o in returned))
            if common:
                summary["returns_sanitized"] = sorted(common)
        if any(o.kind == UNKNOWN_ORIGIN and o.label == DATABASE_READ for o in returned):
            summary["reads_database"] = True
        return summary

    def returned_values(self, function: Node) -> list[Node]:
        """What a function returns: its expression body, or the values of its own return statements."""
        body = function.child_by_field_name("body")
        if body is None:
            return []
        if body.type != "statement_block":
            return [body]
        return [statement.named_children[0] for statement in self._returns_of(function) if statement.named_children]

    def _returns_of(self, function: Node) -> list[Node]:
        """The return statements of a function (not of functions nested in it); one query per file."""
        if self._return_statements is None:
            table: dict[int, list[Node]] = {}
            found = self.model.captures("(return_statement) @r")
            for statement in found.get("r", []):
                enclosing = self.enclosing_function(statement)
                if enclosing is not None:
                    table.setdefault(node_key(enclosing), []).append(statement)
            self._return_statements = table
        return self._return_statements.get(node_key(function), [])

    # helpers ---------------------------------------------------------------------------------

    def _source(self, node: Node, label: str, description: str, *, tag: str = "",
                sanitized: frozenset[str] = frozenset()) -> Origin:
        location = self.location(node)
        return Origin(SOURCE, label, location, sanitized=sanitized,
                      steps=(TraceStep(location, f"{description}: `{shorten(label, 50)}`"),), tag=tag)


def _annotated_type(annotation: Node | None) -> Node | None:
    """`Users` of the type annotation `: Users`."""
    if annotation is None:
        return None
    named = [c for c in annotation.named_children if c.type != "comment"]
    if len(named) == 1 and named[0].type == "type_identifier":
        return named[0]
    return None


def injection_token(analysis: TaintAnalysis, node: Node) -> str | None:
    """How a NestJS injection token (`provide: X` of a provider, `@Inject(X)`) is named in the summaries:
    "string:NAME" for a string, "module#export" for a class or constant of another module of the project,
    "local#NAME" for one of this file (phase 2 qualifies it with the file's path)."""
    node = unwrap(node)
    value = analysis.model.string_value(node)
    if value is not None:
        return f"string:{value}"
    if node.type not in ("identifier", "member_expression", "type_identifier"):
        return None
    qualified = analysis.model.qualified_name(node)
    if qualified is not None and qualified.startswith("."):
        module, _, export = analysis.split_relative(qualified)
        return f"{module}#{export or 'default'}"
    if node.type == "identifier" and analysis.model.resolve(node) is not None:
        return f"local#{analysis.model.text(node)}"
    return None


def _looks_like_sanitizer(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in catalog.SANITIZER_NAME_WORDS)

