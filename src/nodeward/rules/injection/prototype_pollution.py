"""## What it finds
Writes `target[key] = value` where the key comes from outside (request data, or a parameter of a library's
exported function: a property path, the keys of a merged object) and the target itself may be
`Object.prototype`: the typical set-by-path helper (`path.split(".")`, then `cur = cur[part]` in a loop and
`cur[last] = value`), the recursive merge, extend or clone (`for (key in source)` with a recursive call on
`target[key]`), and `obj[a][b] = c` with both keys from input — unless the function rejects the keys
`__proto__`, `constructor` and `prototype`, checks that the key is an own property of the target before
descending, or works on an `Object.create(null)` object. A function that rejects `__proto__` alone is reported
with low confidence (`constructor` then `prototype` reaches the same object), with the rule's confidence when
it enters functions on purpose (an `isObject` that accepts `typeof v === "function"`), and not at all when it
steps only into plain objects (`isPlainObject(target[key])`, `typeof cur[k] === "object"`): `constructor` is
then a function it does not enter. `o[a][b] = v` right after `o[a] = {}` writes into that new object. A helper
of another module of the package given the object and a path from outside (`namespace(obj, parts[1])[parts[2]]
= val`) is taken to walk along the path. Also the calls of merge and set-by-path functions that old versions
of lodash, dot-prop, deep-extend, set-value, object-path, mixin-deep and others let pollute, when request data
reaches them.

## Why it matters
With the key `__proto__` (or `constructor` then `prototype`), `cur[key]` is `Object.prototype`, shared by
every object of the process: the write adds a property that every object then appears to have. Attackers
use it to bypass checks (`if (user.isAdmin)`), crash the server, or reach code execution through
libraries that read options from plain objects (prototype pollution, CWE-1321).

## How to fix
Skip the dangerous keys in every set, merge and clone function (`if (key === "__proto__" ||
key === "constructor" || key === "prototype") continue;`), descend only into own properties
(`Object.hasOwn(target, key)`), build the result with `Object.create(null)` or a `Map`, and keep merge
libraries up to date.

## Bad
```js
const config = { site: {}, mail: {} };
app.post("/settings", (req, res) => {
  const { section, key, value } = req.body;
  config[section][key] = value;
  res.sendStatus(204);
});
```

## Good
```js
const config = { site: {}, mail: {} };
const SECTIONS = ["site", "mail"];
app.post("/settings", (req, res) => {
  const { section, key, value } = req.body;
  if (!SECTIONS.includes(section) || !Object.hasOwn(config[section], key)) return res.sendStatus(400);
  config[section][key] = value;
  res.sendStatus(204);
});
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import FUNCTION_TYPES, PARAM, SOURCE, Origin
from nodeward.findings import Confidence, Finding, Severity, TraceStep, shorten
from nodeward.lang.js.model import Binding
from nodeward.lang.js.parser import node_key
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext

#: Functions that merge or set by path without a prototype guard in some published versions:
#: qualified name -> positions of the arguments that must not carry request data (-1: from 1 on).
POLLUTING_APIS: dict[str, tuple[int, ...]] = {
    "lodash.set": (1,), "lodash.setWith": (1,), "lodash.merge": (-1,), "lodash.mergeWith": (-1,),
    "lodash.defaultsDeep": (-1,), "lodash.zipObjectDeep": (0,),
    "lodash/set": (1,), "lodash/merge": (-1,), "lodash/defaultsDeep": (-1,), "lodash/setWith": (1,),
    "lodash.defaultsdeep": (-1,), "lodash.mergewith": (-1,),
    "dot-prop.set": (1,), "deep-extend": (-1,), "set-value": (1,), "object-path.set": (1,),
    "merge-deep": (-1,), "mixin-deep": (-1,), "assign-deep": (-1,), "just-extend": (-1,),
    "defaults-deep": (-1,), "deep-set": (1,), "dset": (1,), "dset.dset": (1,), "nested-property.set": (1,),
}
DANGEROUS_KEYS = ("__proto__", "constructor", "prototype")
HAS_OWN_METHODS = frozenset({"hasOwnProperty", "hasOwn", "has"})
JUMPS = frozenset({"return_statement", "continue_statement", "break_statement", "throw_statement"})
CHAIN_OPERATORS = ("||", "??", "&&")
PREDICATE_METHODS = frozenset({"some", "every", "filter", "find", "findIndex", "includes", "test"})
#: The sink class of a write whose function rejects `__proto__` but not `constructor`/`prototype` (a value safe
#: for "prototype" is safe for it too; reported with low confidence).
PARTIAL_CLASS = "prototype-partial"
PARTIAL_NOTE = "(the function rejects `__proto__` only: `constructor.prototype` may still reach `Object.prototype`)"



def _compact(text: str) -> str:
    return "".join(text.split())


def _descendants(node: Node, types: frozenset[str]) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        stack.extend(reversed(current.named_children))


def _scope_nodes(scope: Node, types: frozenset[str], keep: Node | None) -> Iterator[Node]:
    """The nodes of `types` in `scope`; with `keep`, not those of nested functions that do not contain `keep`
    (an outer function such as a UMD or IIFE wrapper holds the whole module: its other functions' checks
    are not about this write)."""
    if keep is None:
        yield from _descendants(scope, types)
        return
    stack = [scope]
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        for child in reversed(current.named_children):
            if child.type in FUNCTION_TYPES and not _contains(child, keep) and not _is_predicate(child):
                continue
            stack.append(child)


def _is_predicate(function: Node) -> bool:
    """A callback of `keys.some(k => k === "__proto__")` and the like: a check, wherever it is."""
    arguments = function.parent
    call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None else None
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" \
        else None
    return prop is not None and (prop.text or b"").decode() in PREDICATE_METHODS


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


class PrototypePollution(TaintRule):
    id = "NW112"
    name = "prototype-pollution"
    title = "Object written at a key chosen from outside without a prototype guard"
    cwe = (1321,)
    owasp = "A08"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Reject the keys __proto__, constructor and prototype (or use own-property checks, Object.create(null), Map)."
    visits = ("assignment_expression", "call_expression")
    call_names = last_names(POLLUTING_APIS)
    sink_class = "prototype"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "call_expression":
            yield from self._polluting_api(node, ctx)
            return
        for sink in self.sinks(node, ctx):
            partial = sink.description.endswith(PARTIAL_NOTE)
            for finding in ctx.evaluate_sink(self, sink, sink_class=PARTIAL_CLASS if partial else None):
                # The function rejects `__proto__`: only `constructor.prototype` is left, which a walk reaches
                # when it steps into functions too. Worth a look, not a certain vulnerability.
                yield dataclasses.replace(finding, confidence=Confidence.LOW) if partial else finding

    # ----- X[K] = V -----------------------------------------------------------------------------

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        left = node.child_by_field_name("left")
        if left is None:
            return
        left = ctx.unwrap(left)
        if left.type != "subscript_expression":
            return
        key = left.child_by_field_name("index")
        target = left.child_by_field_name("object")
        if key is None or target is None or ctx.is_constant(key) or key.type in ("number", "string"):
            return
        target = ctx.unwrap(target)
        value = node.child_by_field_name("right")
        if value is not None and self._creates_empty(value, ctx):
            return  # `cur[k] = cur[k] || {}` makes the path; the write of the value is what gets reported
        descents = self._descents(node, target, ctx)
        if descents is None:
            return
        functions = self._functions_around(node, descents, ctx)
        rejected = self._rejected_keys(functions, ctx)
        if ("__proto__" in rejected and len(rejected) >= 2) or {"constructor", "prototype"} <= rejected:
            return
        if self._checks_own_property(functions, node, target, key, descents, ctx):
            return
        written = f"the key of `{shorten(ctx.text(left))}`"
        if rejected == {"__proto__"}:
            walked = self._walked_values(functions, [left, *descents], target, key, ctx)
            if self._enters_functions(functions, walked, ctx):
                # `isObject(v)` accepting functions: `constructor` (the function Object) is entered, then
                # `prototype`: the guard is the classic incomplete fix.
                yield Sink(node, key, f"{written} (only `__proto__` is rejected: `constructor.prototype` reaches "
                                      "`Object.prototype`)")
                return
            if self._descends_into_plain_objects(functions, walked, ctx):
                return  # `constructor` gives a function, which the walk does not enter: nothing is left
            yield Sink(node, key, f"{written} {PARTIAL_NOTE}")
            return
        yield Sink(node, key, f"{written} (a write that can reach `Object.prototype`)")

    @staticmethod
    def _creates_empty(value: Node, ctx: RuleContext) -> bool:
        value = ctx.unwrap(value)
        if value.type in ("object", "array"):
            return not value.named_children
        if value.type == "ternary_expression":  # cond ? [] : {}
            return all(c is not None and PrototypePollution._creates_empty(c, ctx) for c in (
                value.child_by_field_name("consequence"), value.child_by_field_name("alternative")))
        if value.type == "binary_expression":
            operator = value.child_by_field_name("operator")
            right = value.child_by_field_name("right")
            return operator is not None and ctx.text(operator) in ("||", "??") and right is not None and \
                PrototypePollution._creates_empty(right, ctx)
        return False

    def _dirty(self, node: Node, ctx: RuleContext) -> bool:
        if ctx.is_constant(node):
            return False
        return any(not o.clean_for(self.sink_class) for o in ctx.taint.taint_of(node))

    def _descents(self, assignment: Node, target: Node, ctx: RuleContext, depth: int = 0) -> list[Node] | None:
        """How `target` can be `Object.prototype`: the nodes that step into a computed member (empty
        list for `a[k2][k]`), or None when it cannot."""
        if target.type == "subscript_expression":
            inner = target.child_by_field_name("index")
            if inner is not None and inner.type not in ("number", "string") and self._dirty(inner, ctx) and \
                    not self._freshly_made(target, assignment, ctx):
                return []
            return None
        if target.type == "call_expression":  # namespace(obj, path)[last] = value
            return [target] if self._walks(target, ctx) or self._imported_walk(target, ctx) else None
        if target.type != "identifier":
            return None
        binding = ctx.model.resolve(target)
        if binding is None:
            return None
        if binding.value is not None and ctx.model.call_name(ctx.unwrap(binding.value)) == "Object.create":
            return None
        definitions = self._definitions(binding, ctx)
        steps = [value for value in definitions if self._member_step(value, ctx)]
        if steps:
            return steps
        function = ctx.taint.enclosing_function(binding.node)
        if function is not None and binding.kind == "param" and self._walking_accumulator(binding, function, ctx):
            return [function]  # keys.reduce((o, k) => o[k] || (o[k] = {}), obj): `o` is each level in turn
        if function is not None and (binding.kind == "param" or self._from_parameter(definitions, function, ctx)):
            calls = self._recursive_calls(function, ctx, ctx.text(target))
            if calls:
                return calls
        for value in definitions:
            value = ctx.unwrap(value)
            if value.type == "call_expression" and self._walks(value, ctx):
                return [value]  # parent = walk(obj, path): a helper that descends along a path
            if value.type == "identifier" and depth < 2 and len(definitions) == 1 and binding.kind != "param" and \
                    node_key(value) != node_key(target):
                found = self._descents(assignment, value, ctx, depth + 1)  # const alias = cur
                if found:
                    return found
        return None

    @staticmethod
    def _freshly_made(member: Node, write: Node, ctx: RuleContext) -> bool:
        """`o[a] = {}` is a statement of a block holding `o[a][b] = v`, before it: `o[a]` is then the new object,
        whatever `a` is (`o["__proto__"] = {}` only replaces the prototype of `o` itself)."""
        wanted = _compact(ctx.text(member))
        table: dict[str, list[Node]] | None = ctx.shared.get("NW112.subscript_writes")  # type: ignore[assignment]
        if table is None:
            table = {}
            found = ctx.model.captures("(assignment_expression left: (subscript_expression) @left)")
            for left in found.get("left", []):
                table.setdefault(_compact(ctx.text(left)), []).append(left)
            ctx.shared["NW112.subscript_writes"] = table
        for left in table.get(wanted, []):
            statement = left.parent
            right = statement.child_by_field_name("right") if statement is not None else None
            if statement is None or right is None or statement.end_byte > write.start_byte:
                continue
            right = ctx.unwrap(right)
            if not (right.type in ("object", "array") or ctx.model.call_name(right) == "Object.create"):
                continue
            holder = statement.parent
            block = holder.parent if holder is not None and holder.type == "expression_statement" else None
            if block is not None and block.type in ("statement_block", "program") and _contains(block, write):
                return True
        return False

    def _walking_accumulator(self, binding: Binding, function: Node, ctx: RuleContext) -> bool:
        """The accumulator of a reduce callback that returns one of its computed members."""
        arguments = function.parent
        call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
        if call is None or ctx.method_name(call) not in ("reduce", "reduceRight") or binding.path:
            return False
        args = ctx.arguments(call)
        if not args or node_key(ctx.unwrap(args[0])) != node_key(function) or \
                ctx.taint._parameter_index(function, binding.node) != 0:
            return False
        returned = ctx.taint.returned_values(function)
        return any(self._member_step(value, ctx, binding.name) for value in returned)

    @staticmethod
    def _from_parameter(definitions: list[Node], function: Node, ctx: RuleContext) -> bool:
        """`const target = args[0]` / `var target = arguments[0] || {}`: a variable holding a parameter's value
        itself (not a copy made by a call: `deepClone(arguments[0])`)."""
        key = ctx.taint.function_key(function)
        for value in definitions:
            value = ctx.unwrap(value)
            if value.type == "binary_expression":
                operator = value.child_by_field_name("operator")
                if operator is None or ctx.text(operator) not in CHAIN_OPERATORS:
                    continue
                value = ctx.unwrap(value.child_by_field_name("left") or value)
            if value.type in ("identifier", "subscript_expression", "member_expression") and any(
                    o.kind == PARAM and o.function == key for o in ctx.taint.taint_of(value)):
                return True
        return False

    def _walks(self, call: Node, ctx: RuleContext) -> bool:
        """A call whose result is reached by stepping into computed members: a local function returning
        `cur` after `cur = cur[key]` in a loop (or `obj[key]`), or `keys.reduce((o, k) => o[k] ..., obj)`."""
        if ctx.method_name(call) == "reduce":
            args = ctx.arguments(call)
            reducer = ctx.unwrap(args[0]) if args else None
            function = reducer if reducer is not None and reducer.type in FUNCTION_TYPES else None
        else:
            function = self._local_callee(call, ctx)
        if function is None:
            return False
        returned = ctx.taint.returned_values(function)
        for value in returned:
            value = ctx.unwrap(value)
            if self._member_step(value, ctx):
                return True
            if value.type == "identifier":
                binding = ctx.model.resolve(value)
                if binding is not None and any(self._member_step(d, ctx) for d in self._definitions(binding, ctx)):
                    return True
        return False

    def _imported_walk(self, call: Node, ctx: RuleContext) -> bool:
        """A function of another module of the package given an object and a path or key from outside:
        `namespace(obj, parts[1])`, `getOrCreate(store, name)`. Its body is not known here; what it returns is
        taken to be found by stepping from the object along the path, as such helpers do."""
        callee = ctx.unwrap(call.child_by_field_name("function") or call)
        qualified = ctx.model.qualified_name(callee) if callee.type in ("identifier", "member_expression") else None
        if qualified is None or not qualified.startswith("."):
            return False
        args = ctx.arguments(call)
        return len(args) >= 2 and ctx.unwrap(args[0]).type == "identifier" and \
            any(not ctx.is_constant(a) and self._dirty(a, ctx) for a in args[1:])

    def _definitions(self, binding: Binding, ctx: RuleContext) -> list[Node]:
        values = [binding.value] if binding.value is not None and not binding.path else []
        table: dict[int, list[Node]] | None = ctx.shared.get("NW112.assignments")  # type: ignore[assignment]
        if table is None:
            table = {}
            found = ctx.model.captures("(assignment_expression left: (identifier) @left)")
            for left in found.get("left", []):
                assigned = ctx.model.resolve(left)
                right = left.parent.child_by_field_name("right") if left.parent is not None else None
                if assigned is not None and right is not None:
                    table.setdefault(node_key(assigned.node), []).append(right)
            ctx.shared["NW112.assignments"] = table
        values.extend(table.get(node_key(binding.node), []))
        return values

    def _member_step(self, value: Node, ctx: RuleContext, base: str | None = None) -> bool:
        """`cur[k]`, `cur[k] || {}`, `cur[k] = cur[k] || {}`, `cond ? cur[k] : x` with a non-constant k
        (and, with `base`, `cur` written as `base`)."""
        value = ctx.unwrap(value)
        if value.type == "subscript_expression":
            index = value.child_by_field_name("index")
            obj = value.child_by_field_name("object")
            if base is not None and (obj is None or ctx.text(ctx.unwrap(obj)) != base):
                return False
            return index is not None and index.type not in ("number", "string") and self._dirty(index, ctx)
        if value.type == "binary_expression":
            operator = value.child_by_field_name("operator")
            if operator is None or ctx.text(operator) not in CHAIN_OPERATORS:
                return False
            return any(self._member_step(c, ctx, base) for c in (value.child_by_field_name("left"),
                                                           value.child_by_field_name("right")) if c is not None)
        if value.type == "ternary_expression":
            return any(self._member_step(c, ctx, base) for c in (value.child_by_field_name("consequence"),
                                                           value.child_by_field_name("alternative")) if c is not None)
        if value.type == "assignment_expression":
            left = value.child_by_field_name("left")
            right = value.child_by_field_name("right")
            return any(self._member_step(c, ctx, base) for c in (left, right) if c is not None)
        return False

    def _recursive_calls(self, function: Node, ctx: RuleContext, base: str) -> list[Node]:
        """Calls by which `function` calls itself (directly or through one local function) with an
        argument taken from a computed member of `base`, the written object (`merge(target[key], source[key])`):
        the recursion descends into the target, not only into the source (`copy[key] = clone(input[key])`).
        In an anonymous callback (`Object.keys(src).reduce((acc, key) => ...)`) the recursion is of the named
        function around it. A function received as a parameter and given `target[key]` and `source[key]` is a
        merge step of the caller's recursion (`acc[key] = merge(acc[key], source[key])`)."""
        named = function
        while ctx.taint.function_name(named) == "<anonymous>" and named.parent is not None and \
                named.parent.type == "arguments" and (outer := ctx.taint.enclosing_function(named)) is not None:
            named = outer
        name = ctx.taint.function_name(named).split(".")[-1]  # Merge.prototype.traverse -> traverse
        calls = []
        for call in _descendants(function, frozenset({"call_expression"})):
            if not self._has_member_argument(call, ctx, base):
                continue
            if name != "<anonymous>" and self._calls(call, named, name, ctx):
                calls.append(call)
                continue
            if self._merge_callback(call, ctx):
                calls.append(call)
                continue
            helper = self._local_callee(call, ctx)
            if name != "<anonymous>" and helper is not None and node_key(helper) != node_key(named) and any(
                self._calls(inner, named, name, ctx)
                for inner in _descendants(helper, frozenset({"call_expression"}))
            ):
                calls.append(call)
        return calls

    def _merge_callback(self, call: Node, ctx: RuleContext) -> bool:
        """`merge(acc[key], source[key])` where `merge` is a parameter: two members at computed keys handed to a
        function the caller chose."""
        callee = ctx.unwrap(call.child_by_field_name("function") or call)
        binding = ctx.model.resolve(callee) if callee.type == "identifier" else None
        if binding is None or binding.kind != "param":
            return False
        members = [a for a in ctx.arguments(call) if ctx.unwrap(a).type == "subscript_expression" and
                   not ctx.is_constant(ctx.unwrap(a).child_by_field_name("index") or a)]
        return len(members) >= 2

    def _has_member_argument(self, call: Node, ctx: RuleContext, base: str) -> bool:
        return any(self._holds_member(argument, ctx, base, 0) for argument in ctx.arguments(call))

    def _holds_member(self, value: Node, ctx: RuleContext, base: str, depth: int) -> bool:
        """`target[key]`, or a variable, list or choice holding it: `src = target[key]; clone = src && ok(src) ?
        src : {}; extend([clone, copy])` (jQuery-style extend)."""
        value = ctx.unwrap(value)
        if self._member_step(value, ctx, base):
            return True
        if depth >= 5:
            return False
        if value.type == "array":
            return any(self._holds_member(c, ctx, base, depth + 1) for c in value.named_children)
        if value.type == "ternary_expression":
            return any(c is not None and self._holds_member(c, ctx, base, depth + 1) for c in (
                value.child_by_field_name("consequence"), value.child_by_field_name("alternative")))
        if value.type == "binary_expression":  # `src || {}`: either side may be the value
            operator = value.child_by_field_name("operator")
            return operator is not None and ctx.text(operator) in CHAIN_OPERATORS and any(
                side is not None and self._holds_member(side, ctx, base, depth + 1)
                for side in (value.child_by_field_name("left"), value.child_by_field_name("right")))
        if value.type == "identifier":
            binding = ctx.model.resolve(value)
            return binding is not None and any(self._holds_member(d, ctx, base, depth + 1)
                                               for d in self._definitions(binding, ctx))
        return False

    @staticmethod
    def _calls(call: Node, function: Node, name: str, ctx: RuleContext) -> bool:
        callee = ctx.unwrap(call.child_by_field_name("function") or call)
        if callee.type == "identifier":
            if ctx.text(callee) != name:
                return False
            binding = ctx.model.resolve(callee)
            return binding is None or binding.value is None or node_key(binding.value) == node_key(function) or (
                node_key(ctx.unwrap(binding.value)) == node_key(function)) or binding.kind == "function"
        if callee.type == "member_expression":
            prop = ctx.model.member_property(callee)
            obj = callee.child_by_field_name("object")
            if prop in ("call", "apply") and obj is not None and ctx.unwrap(obj).type in ("identifier",
                                                                                        "member_expression"):
                return PrototypePollution._calls_name(ctx.unwrap(obj), name, ctx)  # merge.call(this, a, b)
            return prop == name
        return False

    @staticmethod
    def _calls_name(callee: Node, name: str, ctx: RuleContext) -> bool:
        if callee.type == "identifier":
            return ctx.text(callee) == name
        return ctx.model.member_property(callee) == name

    @staticmethod
    def _local_callee(call: Node, ctx: RuleContext) -> Node | None:
        callee = ctx.unwrap(call.child_by_field_name("function") or call)
        if callee.type != "identifier":
            return None
        binding = ctx.model.resolve(callee)
        if binding is None or binding.value is None:
            return None
        value = ctx.unwrap(binding.value)
        return value if value.type in FUNCTION_TYPES else None

    # ----- guards -------------------------------------------------------------------------------

    def _functions_around(self, node: Node, descents: list[Node], ctx: RuleContext) -> list[tuple[Node, Node | None]]:
        """Where a guard of the key may be: the functions enclosing `node`, the other functions of a
        recursion, and the local functions they call (two levels: `if (!isValidKey(k))`). For a loop
        (not a recursion) also the local callers and their helpers (the path may be parsed and checked
        there); a recursion's caller sees only the first level of keys, so it does not count."""
        around: list[Node] = []
        current = ctx.taint.enclosing_function(node)
        while current is not None:
            around.append(current)
            current = ctx.taint.enclosing_function(current)
        if not around:
            return [(ctx.model.tree.root_node, node)]
        # Functions around the one holding the write: only their own code, the nested function of the write
        # and predicate callbacks.
        outer = {node_key(f) for f in around[1:]}
        recursive = any(d.type == "call_expression" for d in descents)
        for call in descents:
            if call.type == "call_expression" and (callee := self._local_callee(call, ctx)) is not None:
                around.append(callee)
        callers = [] if recursive else self._callers(around[0], ctx)
        outer |= {node_key(f) for f in callers}  # their own code (a wrapper can be a caller)
        around.extend(callers)
        seen = {node_key(f) for f in around}
        result = [(f, node if node_key(f) in outer else None) for f in around]
        frontier = list(result)
        for _ in range(2):
            found: list[tuple[Node, Node | None]] = []
            for function, keep in frontier:
                for call in _scope_nodes(function, frozenset({"call_expression"}), keep):
                    helper = self._local_callee(call, ctx)
                    if helper is not None and node_key(helper) not in seen:
                        seen.add(node_key(helper))
                        found.append((helper, None))
            result.extend(found)
            frontier = found
        return result

    def _callers(self, function: Node, ctx: RuleContext) -> list[Node]:
        """The functions of this file that call `function` by name."""
        while function.parent is not None and function.parent.type == "arguments":  # a callback
            outer = ctx.taint.enclosing_function(function)
            if outer is None:
                break
            function = outer
        callers: list[Node] = []
        memo = ctx.shared.get("NW112.calls")
        if not isinstance(memo, list):
            memo = ctx.model.captures("(call_expression) @c").get("c", [])
            ctx.shared["NW112.calls"] = memo
        for call in memo:
            callee = self._local_callee(call, ctx)
            if callee is not None and node_key(callee) == node_key(function):
                caller = ctx.taint.enclosing_function(call)
                if caller is not None and all(node_key(caller) != node_key(c) for c in callers):
                    callers.append(caller)
        return callers

    @staticmethod
    def _rejected_keys(functions: list[tuple[Node, Node | None]], ctx: RuleContext) -> set[str]:
        """The dangerous keys the code around the write mentions (in a comparison, a list, a regex...)."""
        mentioned: set[str] = set()
        for scope, keep in functions:
            for literal in _scope_nodes(scope, frozenset({"string", "regex", "template_string", "identifier"}),
                                        keep):
                if literal.type == "identifier":  # a constant list of the keys: BLOCKED.includes(key)
                    binding = ctx.model.resolve(literal)
                    if binding is None or binding.value is None or binding.kind != "const" or \
                            ctx.unwrap(binding.value).type not in ("array", "object", "new_expression"):
                        continue
                    literal = binding.value
                    if next(_descendants(literal, FUNCTION_TYPES), None) is not None:
                        continue  # an object of methods (`const api = {...}`), not a list of keys
                text = ctx.text(literal)
                mentioned.update(k for k in DANGEROUS_KEYS if k in text)
        # `__proto__` alone is the classic incomplete fix: `constructor.prototype` reaches the same object
        # unless the walk enters plain objects only (see _descends_into_plain_objects).
        return mentioned

    @staticmethod
    def _walked_values(functions: list[tuple[Node, Node | None]], steps: list[Node], target: Node, key: Node,
                       ctx: RuleContext) -> set[str]:
        """How the code names the value it steps into (compacted text): the members of `target` in `steps` (the
        write and the nodes that step into members: `cur = cur[part]`, `merge(target[key], ...)`) and the
        variables holding `target[key]` (`var src = target[key]`)."""
        target_text, key_text = _compact(ctx.text(target)), _compact(ctx.text(key))
        walked = {_compact(ctx.text(member)) for step in steps
                  for member in _descendants(step, frozenset({"subscript_expression"}))
                  if _compact(ctx.text(member.child_by_field_name("object") or member)) == target_text}
        for scope, keep in functions:
            for declarator in _scope_nodes(scope, frozenset({"variable_declarator", "assignment_expression"}), keep):
                name = declarator.child_by_field_name("name") or declarator.child_by_field_name("left")
                value = declarator.child_by_field_name("value") or declarator.child_by_field_name("right")
                if name is None or value is None or name.type != "identifier":
                    continue
                value = ctx.unwrap(value)
                if value.type == "subscript_expression" and _compact(ctx.text(value)) == f"{target_text}[{key_text}]":
                    walked.add(ctx.text(name))
        return walked

    def _descends_into_plain_objects(self, functions: list[tuple[Node, Node | None]], walked: set[str],
                                     ctx: RuleContext) -> bool:
        """The value at the key is tested to be a plain object (or array) before the code steps into it:
        `isPlainObject(target[key])`, `toString.call(src) === "[object Object]"`, `typeof src === "object"`,
        `src.constructor === Object`, with `src = target[key]`. `target.constructor` is the function `Object`,
        which fails every such test, so `constructor.prototype` cannot be walked."""
        for scope, keep in functions:
            for test in _scope_nodes(scope, frozenset({"call_expression", "binary_expression"}), keep):
                tested = self._plain_object_test(test, ctx)
                if tested is not None and _compact(ctx.text(tested)) in walked:
                    return True
        return False

    def _enters_functions(self, functions: list[tuple[Node, Node | None]], walked: set[str],
                          ctx: RuleContext) -> bool:
        """The value stepped into is tested to be a function, or given to a local helper that accepts functions
        (`isObject(obj)` with `typeof val === "function" || ...`)."""
        for scope, keep in functions:
            for test in _scope_nodes(scope, frozenset({"call_expression", "binary_expression"}), keep):
                if test.type == "binary_expression":
                    subject = self._function_test(test, ctx)
                    if subject is not None and _compact(ctx.text(subject)) in walked:
                        return True
                    continue
                args = ctx.arguments(test)
                helper = self._local_callee(test, ctx)
                if helper is None or not args or _compact(ctx.text(args[0])) not in walked:
                    continue
                params = ctx.taint._parameter_names(helper)
                if params and any(
                        (subject := self._function_test(inner, ctx)) is not None and ctx.text(subject) == params[0]
                        for inner in _descendants(helper, frozenset({"binary_expression"}))):
                    return True
        return False

    @staticmethod
    def _function_test(test: Node, ctx: RuleContext) -> Node | None:
        """`x` of `typeof x === "function"`."""
        operator = test.child_by_field_name("operator")
        left = test.child_by_field_name("left")
        right = test.child_by_field_name("right")
        if operator is None or left is None or right is None or ctx.text(operator) not in ("===", "=="):
            return None
        for one, other in ((left, right), (right, left)):
            one = ctx.unwrap(one)
            if one.type == "unary_expression" and ctx.text(one).startswith("typeof") and one.named_children and \
                    ctx.string_value(ctx.unwrap(other)) == "function":
                return ctx.unwrap(one.named_children[-1])
        return None

    @staticmethod
    def _plain_object_test(test: Node, ctx: RuleContext) -> Node | None:
        """The value a plain-object test is about, or None when `test` is not one."""
        if test.type == "call_expression":
            args = ctx.arguments(test)
            callee = ctx.text(ctx.unwrap(test.child_by_field_name("function") or test))
            if args and callee.split(".")[-1] == "isPlainObject":
                return ctx.unwrap(args[0])
            if args and callee.endswith("toString.call"):  # Object.prototype.toString.call(x) === "[object Object]"
                return ctx.unwrap(args[0])
            return None
        operator = test.child_by_field_name("operator")
        left = test.child_by_field_name("left")
        right = test.child_by_field_name("right")
        if operator is None or left is None or right is None or ctx.text(operator) not in ("===", "==", "!==", "!="):
            return None
        for one, other in ((left, right), (right, left)):
            one, other = ctx.unwrap(one), ctx.unwrap(other)
            if one.type == "unary_expression" and ctx.text(one).startswith("typeof") and \
                    ctx.string_value(other) == "object" and one.named_children:
                return ctx.unwrap(one.named_children[-1])
            if one.type == "member_expression" and ctx.model.member_property(one) == "constructor" and \
                    ctx.text(other) == "Object":
                holder = one.child_by_field_name("object")
                return ctx.unwrap(holder) if holder is not None else None
        return None

    def _checks_own_property(self, functions: list[tuple[Node, Node | None]], assignment: Node, target: Node,
                             key: Node,
                             descents: list[Node], ctx: RuleContext) -> bool:
        """`Object.hasOwn(target, key)` / `target.hasOwnProperty(key)` / `key in target` deciding whether
        the code descends or writes."""
        target_text = ctx.text(target)
        key_texts = {ctx.text(key)}
        for scope, keep in functions:
            for check in _scope_nodes(scope, frozenset({"call_expression", "binary_expression"}), keep):
                if not self._is_own_check(check, target_text, key_texts, ctx):
                    continue
                if self._decides(check, [assignment, *descents]):
                    return True
        return False

    @staticmethod
    def _is_own_check(check: Node, target_text: str, key_texts: set[str], ctx: RuleContext) -> bool:
        if check.type == "binary_expression":
            operator = check.child_by_field_name("operator")
            left = check.child_by_field_name("left")
            right = check.child_by_field_name("right")
            return (operator is not None and ctx.text(operator) == "in" and left is not None and right is not None
                    and ctx.text(right) == target_text and ctx.text(left) in key_texts)
        method = ctx.method_name(check)
        texts = [ctx.text(a) for a in ctx.arguments(check)]
        callee = ctx.unwrap(check.child_by_field_name("function") or check)
        if method in HAS_OWN_METHODS or ctx.call_name(check) in ("Object.hasOwn", "has"):
            receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
            if receiver is not None and ctx.text(receiver) == target_text:
                return any(t in key_texts for t in texts)
            return target_text in texts and any(t in key_texts for t in texts)
        if method in ("call", "apply") and "hasOwnProperty" in ctx.text(callee):
            return target_text in texts and any(t in key_texts for t in texts)
        if callee.type == "identifier" and "own" in ctx.text(callee).lower():
            return target_text in texts and any(t in key_texts for t in texts)
        return False

    @staticmethod
    def _decides(check: Node, guarded: list[Node]) -> bool:
        """The check is the condition of an `if`, ternary or `&&` that holds a guarded node, or of an
        `if` that leaves the loop or function."""
        current = check
        while current.parent is not None and current.type not in FUNCTION_TYPES:
            parent = current.parent
            if parent.type == "if_statement" and parent.child_by_field_name("condition") == current:
                consequence = parent.child_by_field_name("consequence")
                if consequence is not None and (consequence.type in JUMPS or any(
                        c.type in JUMPS for c in consequence.named_children)):
                    return True
                return any(_contains(parent, node) for node in guarded)
            if parent.type == "ternary_expression" and parent.child_by_field_name("condition") == current:
                return any(_contains(parent, node) for node in guarded)
            if parent.type == "binary_expression" and parent.child_by_field_name("left") == current and any(
                    _contains(parent, node) for node in guarded):
                return True
            if parent.type in ("expression_statement", "statement_block", "lexical_declaration",
                               "variable_declaration"):
                return False
            current = parent
        return False

    # ----- known polluting APIs ---------------------------------------------------------------

    def _polluting_api(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name is None:
            return
        positions = POLLUTING_APIS.get(name)
        if positions is None:
            return
        args = ctx.arguments(node)
        chosen = args[1:] if positions == (-1,) else [args[i] for i in positions if i < len(args)]
        for argument in chosen:
            if ctx.is_constant(argument):
                continue
            sources = sorted((o for o in ctx.taint.taint_of(argument)
                              if o.kind == SOURCE and not o.clean_for(self.sink_class)),
                             key=Origin.reading_order)
            if not sources:
                continue
            source = sources[0]
            kind = source.steps[0].description.split(":")[0] if source.steps else "input"
            description = f"`{name}` (merges or sets by path; versions without a prototype guard exist)"
            step = TraceStep(ctx.taint.location(node), f"reaches {description}")
            yield ctx.report(
                node, f"{kind} `{shorten(source.label)}` (line {source.location.start_line}) reaches {description}",
                confidence=Confidence.HIGH, trace=(*source.steps, step),
            )
            return
