"""Guards: checks that dominate a sink and make a value safe there, though the value itself is not changed.

Evaluated only at sinks. Walking up from the sink to its function, a guard is
- an enclosing `if` whose condition holds (or, in the `else` branch, fails) for the sink to run;
- an earlier `if (cond) return/throw/continue/break` in the same or an enclosing block (cond must fail);
- the left side of `check && sink(...)`.
A condition makes a variable (or a member path such as `req.query.name`) safe when it is:
- an allow-list test: `ALLOWED.includes(x)`, `ALLOWED.has(x)` (a constant array or Set),
  `ALLOWED.indexOf(x) !== -1`, `x === "constant"`, an anchored allow-list regex `/^[a-z0-9_-]+$/.test(x)`:
  safe for every sink class (a regex that allows `.` is not safe for paths: `..`);
- a containment test of a resolved path: `target.startsWith(root)` (or `target.indexOf(root) === 0`) where
  `target` is made by
  `path.resolve`/`path.join`/`path.normalize`/`realpath`, or `path.relative(root, target).startsWith("..")`
  failing, or `x.includes("..")` failing: safe for paths;
- a deny-list test that fails: `/[;&|`$]/.test(x)` (also `x.match(RE)`, `RE.exec(x)`, `x.search(RE) === -1`)
  where the character class holds the shell's command separators and substitutions `;`, `&`, `|`, `` ` ``
  and `$`: safe for shell commands (a new line is not required: a known gap of such lists, accepted because
  the check is the developer's deliberate sanitizer); a negated class (`/[^a-z0-9.-]/.test(x)` failing) is an
  allow-list of the remaining characters and counts as the anchored allow-list regex above;
- an upper bound on the length: `x.length > 300` failing (or `x.length <= 300` holding): matching `x`
  against a regular expression with polynomial backtracking cannot take long then (sink class
  `redos-polynomial`, up to 10,000 characters); for exponential backtracking only a bound of 20 helps
  (`redos`). Truncating the value (`x.slice(0, 300)`, see `truncation_limit`) does the same, as a sanitizer.
`!`, `&&` and `||` combine them. A check holds for the value a name had when it was checked: a variable or
member path assigned again between the check and the sink (`if (!f.includes("..")) { f = decodeURIComponent(f);
read(f) }`) is not made safe by it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tree_sitter import Node

from nodeward.lang.js.model import FUNCTION_SCOPES, SemanticModel, unwrap
from nodeward.lang.js.parser import node_key

if TYPE_CHECKING:
    from nodeward.analysis.taint.engine import Taint

ALL = frozenset({"*"})
PATH = frozenset({"path"})
EXITS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})
BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "else_clause"})
# Calls whose result is a normalised path: `..` segments are resolved, so a prefix test is meaningful.
RESOLVING_CALLS = frozenset({
    "path.resolve", "path.join", "path.normalize", "path.posix.resolve", "path.posix.join", "path.posix.normalize",
    "path.win32.resolve", "path.win32.join", "path.win32.normalize", "fs.realpathSync", "fs.realpath",
    "fs.promises.realpath", "fs.realpathSync.native", "fs-extra.realpath", "fs-extra.realpathSync",
})
RELATIVE_CALLS = frozenset({"path.relative", "path.posix.relative", "path.win32.relative"})
_FUNCTIONS = FUNCTION_SCOPES - {"program"}
# Items of an allow-list character class: letters, digits, `_`, `-`, space, `\d`, `\w`, ranges of them.
_CLASS_ITEM = re.compile(r"\\[dw]|[A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9_ -]|\\-|\\\.|\.")
_ATOM = re.compile(r"\[((?:[^\]\\]|\\.)+)\]|\\[dw]|[A-Za-z0-9_-]|\\\.")
_QUANTIFIER = re.compile(r"[+*?]|\{\d+(?:,\d*)?\}")

# Shell metacharacters a deny-list must reject for a value to be safe in a shell command line.
SHELL_DENIED = frozenset(";&|`$")
COMMAND = frozenset({"command"})
# Longest values for which a backtracking match stays fast: polynomial (quadratic) and exponential growth.
# A quadratic match over 10,000 characters is some 5 * 10^7 steps: tens of milliseconds.
POLYNOMIAL_SAFE_LENGTH = 10_000
EXPONENTIAL_SAFE_LENGTH = 20
_DENY_CLASS = re.compile(r"^\[(\^?)((?:[^\]\\]|\\.)+)\][+*]?$")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}

Key = tuple[str, int | str]  # ("binding", id of the declaring node) or ("member", text of the access)
Checks = dict[Key, frozenset[str]]


def _merge_all(first: Checks, second: Checks) -> Checks:
    """Both hold: what either makes safe."""
    result = dict(first)
    for key, classes in second.items():
        result[key] = result.get(key, frozenset()) | classes
    return result


def _merge_any(first: Checks, second: Checks) -> Checks:
    """One of them holds: only what both make safe."""
    return {key: first[key] & second[key] for key in first.keys() & second.keys() if first[key] & second[key]}


def allow_list_regex_classes(pattern: str) -> frozenset[str]:
    """The sink classes an anchored allow-list pattern (`^[a-z0-9_-]+$`) makes a value safe for."""
    if not (pattern.startswith("^") and pattern.endswith("$")) or pattern.endswith("\\$"):
        return frozenset()
    body = pattern[1:-1]
    position, dotted = 0, False
    while position < len(body):
        atom = _ATOM.match(body, position)
        if atom is None:
            return frozenset()
        if atom.group(1) is not None:
            items = atom.group(1)
            if items.startswith("^") or _CLASS_ITEM.sub("", items):
                return frozenset()
            dotted = dotted or "." in items
        elif atom.group(0) == "\\.":
            dotted = True
        position = atom.end()
        quantifier = _QUANTIFIER.match(body, position)
        if quantifier is not None:
            position = quantifier.end()
    if not body:
        return frozenset()
    return frozenset({"*"}) if not dotted else frozenset({"command", "code", "sql", "nosql", "xss", "ssrf", "redirect",
                                                          "header", "regex", "require", "deserialization",
                                                          "prototype", "xxe"})


def length_classes(limit: float) -> frozenset[str]:
    """The regular expression sink classes a value of at most `limit` characters is safe for."""
    if limit < 0:
        return frozenset()
    if limit <= EXPONENTIAL_SAFE_LENGTH:
        return frozenset({"redos", "redos-polynomial"})
    if limit <= POLYNOMIAL_SAFE_LENGTH:
        return frozenset({"redos-polynomial"})
    return frozenset()


def truncation_limit(model: SemanticModel, call: Node) -> int | None:
    """The most characters `x.slice(0, N)`, `x.substring(0, N)`, `x.substr(i, N)` or `x.slice(-N)` can return."""
    if call.type != "call_expression":
        return None
    method = model.method_name(call)
    if method not in ("slice", "substring", "substr"):
        return None
    numbers: list[int] = []
    for arg in model.arguments(call):
        number = _constant_integer(model, arg)
        if number is None:
            return None
        numbers.append(number)
    if method == "slice" and len(numbers) == 1 and numbers[0] < 0:
        return -numbers[0]
    if len(numbers) != 2:
        return None
    start, end = numbers
    if method == "substr":
        return max(end, 0)
    if start == 0 and end >= 0:
        return end
    return None


def _constant_integer(model: SemanticModel, node: Node) -> int | None:
    node = unwrap(node)
    negative = node.type == "unary_expression" and model.text(node).startswith("-")
    if negative:
        argument = node.child_by_field_name("argument")
        if argument is None:
            return None
        node = unwrap(argument)
    value = model.evaluate(node)
    if value is None or isinstance(value.value, bool) or not isinstance(value.value, int):
        return None
    return -value.value if negative else value.value


def deny_list_classes(pattern: str) -> frozenset[str]:
    """The sink classes a value is safe for when it does not match `pattern`, an unanchored search for one
    character of a class: `[;&|`$]` (the shell's metacharacters: commands), `[^a-z0-9_-]` (every character
    outside a set: an allow-list of that set)."""
    match = _DENY_CLASS.match(pattern)
    if match is None:
        return frozenset()
    negated, items = match.group(1), match.group(2)
    if negated:
        return allow_list_regex_classes(f"^[{items}]*$")
    characters = set()
    position = 0
    while position < len(items):
        if items[position] == "\\" and position + 1 < len(items):
            escaped = items[position + 1]
            characters.add(_SIMPLE_ESCAPES.get(escaped, escaped))
            position += 2
        else:
            characters.add(items[position])
            position += 1
    return COMMAND if characters >= SHELL_DENIED else frozenset()


@dataclass
class Guards:
    model: SemanticModel
    _checks: dict[tuple[int, bool], Checks] = field(default_factory=dict)

    # ----- what a sink is guarded by ---------------------------------------------------------

    def at(self, sink: Node) -> Checks:
        """Variables and member paths made safe by the checks that dominate `sink`."""
        result: Checks = {}
        node = sink
        # A callback (`fs.readFile(file, (err) => sink(file))`) is made where the call is: the checks before
        # that call hold in it too.
        crossed = False  # inside a callback: it may run after any later statement of the outer function
        while node.parent is not None and (node.type not in _FUNCTIONS or node.parent.type == "arguments"):
            crossed = crossed or node.type in _FUNCTIONS
            parent = node.parent
            if parent.type == "if_statement":
                condition = parent.child_by_field_name("condition")
                if condition is not None:
                    if node == parent.child_by_field_name("consequence"):
                        result = _merge_all(result, self._until(self.checks(condition, True), condition, sink, crossed))
                    elif node == parent.child_by_field_name("alternative"):
                        held = self._until(self.checks(condition, False), condition, sink, crossed)
                        result = _merge_all(result, held)
            elif parent.type == "binary_expression" and node == parent.child_by_field_name("right"):
                operator = parent.child_by_field_name("operator")
                left = parent.child_by_field_name("left")
                if operator is not None and left is not None and self.model.text(operator) in ("&&", "||"):
                    result = _merge_all(result, self.checks(left, self.model.text(operator) == "&&"))
            if parent.type in BLOCKS:
                for statement in parent.named_children:
                    if statement.start_byte >= node.start_byte:
                        break
                    if statement.type == "if_statement" and statement.child_by_field_name("alternative") is None \
                            and _exits(statement.child_by_field_name("consequence")):
                        condition = statement.child_by_field_name("condition")
                        if condition is not None:
                            held = self._until(self.checks(condition, False), condition, sink, crossed)
                            result = _merge_all(result, held)
            node = parent
        return result

    def _until(self, checks: Checks, condition: Node, sink: Node, anywhere_after: bool = False) -> Checks:
        """The checks of `condition` that still hold at `sink`: those of names not assigned in between (with
        `anywhere_after`, for a sink in a callback, not assigned anywhere after the check)."""
        if not checks:
            return checks
        function = condition
        while function.parent is not None and function.type not in _FUNCTIONS:
            function = function.parent
        assigned: set[Key] = set()
        stack = [function]
        while stack:
            node = stack.pop()
            if node.end_byte <= condition.end_byte or (node.start_byte >= sink.start_byte and not anywhere_after):
                continue
            if node.type in ("assignment_expression", "augmented_assignment_expression") \
                    and node.start_byte >= condition.end_byte:
                left = node.child_by_field_name("left")
                key = self._key(left) if left is not None else None
                if key is not None and not self._parent_directory(node, key):
                    assigned.add(key)
            stack.extend(node.named_children)
        return {key: classes for key, classes in checks.items() if key not in assigned} if assigned else checks

    def _parent_directory(self, assignment: Node, key: Key) -> bool:
        """`file = path.dirname(file)`: the folder of a checked path is inside the same root."""
        right = assignment.child_by_field_name("right")
        if right is None or assignment.type != "assignment_expression":
            return False
        right = unwrap(right)
        if right.type != "call_expression" or self.model.call_name(right) not in ("path.dirname", "path.posix.dirname"):
            return False
        args = self.model.arguments(right)
        return bool(args) and self._key(args[0]) == key

    # ----- what a condition checks ------------------------------------------------------------

    def checks(self, condition: Node, holds: bool) -> Checks:
        """What is safe when `condition` evaluates to `holds`."""
        key = (node_key(condition), holds)
        cached = self._checks.get(key)
        if cached is None:
            cached = self._checks[key] = self._evaluate(unwrap(condition), holds)
        return cached

    def _evaluate(self, node: Node, holds: bool) -> Checks:
        kind = node.type
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            argument = node.child_by_field_name("argument")
            if operator is not None and argument is not None and self.model.text(operator) == "!":
                return self.checks(argument, not holds)
            return {}
        if kind == "binary_expression":
            return self._binary(node, holds)
        if kind == "call_expression":
            return self._call(node, holds)
        return {}

    def _binary(self, node: Node, holds: bool) -> Checks:
        operator_node = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator_node is None or left is None or right is None:
            return {}
        operator = self.model.text(operator_node)
        if operator == "&&":
            parts = (self.checks(left, holds), self.checks(right, holds))
            return _merge_all(*parts) if holds else _merge_any(*parts)
        if operator == "||":
            parts = (self.checks(left, holds), self.checks(right, holds))
            return _merge_any(*parts) if holds else _merge_all(*parts)
        if operator in ("===", "==", "!==", "!="):
            equal = operator in ("===", "==")
            left, right = unwrap(left), unwrap(right)
            index_test = self._index_test(left, right) or self._index_test(right, left)
            if index_test is not None:  # ALLOWED.indexOf(x) === -1
                return self.checks(index_test, not holds if equal else holds)
            for call, other in ((left, right), (right, left)):  # abs.indexOf(root) === 0: abs.startsWith(root)
                if call.type == "call_expression" and self.model.method_name(call) == "indexOf" and \
                        _integer(self.model.text(other)) == 0:
                    args = self.model.arguments(call)
                    callee = unwrap(call.child_by_field_name("function") or call)
                    receiver = callee.child_by_field_name("object")
                    if args and receiver is not None:
                        return self._prefix_test(unwrap(receiver), unwrap(args[0]), holds == equal)
            search = left if left.type == "call_expression" and self.model.method_name(left) == "search" else None
            if search is not None and _integer(self.model.text(right)) == -1:  # x.search(RE) === -1
                return self._regex_match(search, not holds if equal else holds)
            if holds != equal:
                return {}
            for variable, constant in ((left, right), (right, left)):
                if self.model.is_constant(constant) and not self.model.is_constant(variable):
                    key = self._key(variable)
                    return {key: ALL} if key is not None else {}
            return {}
        if operator in (">", ">=", "<", "<="):
            left, right = unwrap(left), unwrap(right)
            bounded = self._length_bound(left, operator, right, holds)
            if bounded:
                return bounded
            if operator in ("<", ">") and right.type == "call_expression" \
                    and self.model.method_name(right) == "search":  # -1 < x.search(RE): a match
                return self._regex_match(right, holds == (operator == "<"))
            number = _integer(self.model.text(right))
            if left.type == "call_expression" and self.model.method_name(left) == "search" and number is not None:
                matched = (operator == ">" and number >= -1) or (operator == ">=" and number >= 0)
                missing = (operator == "<" and number <= 0) or (operator == "<=" and number <= -1)
                if matched or missing:
                    return self._regex_match(left, holds if matched else not holds)
            if left.type == "call_expression" and self.model.method_name(left) == "indexOf" and number is not None:
                found = (operator == ">" and number >= -1) or (operator == ">=" and number >= 0)
                missing = (operator == "<" and number <= 0) or (operator == "<=" and number <= -1)
                if found or missing:
                    return self.checks(left, holds if found else not holds)
        return {}

    def _index_test(self, call: Node, constant: Node) -> Node | None:
        """`x.indexOf(y)` compared with -1: the call, read as "contains"."""
        if call.type != "call_expression" or self.model.method_name(call) != "indexOf":
            return None
        return call if _integer(self.model.text(constant)) == -1 else None

    def _call(self, node: Node, holds: bool) -> Checks:
        method = self.model.method_name(node)
        args = self.model.arguments(node)
        callee = unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object")
        if method is None or receiver is None or not args:
            return {}
        receiver = unwrap(receiver)
        first = unwrap(args[0])
        if method in ("includes", "has", "indexOf"):
            if self._constant_collection(receiver):  # ALLOWED.includes(x)
                key = self._key(first)
                return {key: ALL} if holds and key is not None else {}
            if self.model.string_value(first) in ("..", "../", "..\\") and not holds:  # x.includes("..") fails
                key = self._key(receiver)
                return {key: PATH} if key is not None else {}
            return {}
        if method == "test" and self._allow_list_regex(receiver) and holds:
            key = self._key(first)
            classes = allow_list_regex_classes(self._regex_pattern(receiver) or "")
            return {key: classes} if key is not None and classes else {}
        if method in ("test", "exec", "match") and not holds:
            return self._regex_match(node, False)
        if method == "startsWith":
            return self._prefix_test(receiver, first, holds)
        return {}

    def _prefix_test(self, receiver: Node, first: Node, holds: bool) -> Checks:
        """`receiver.startsWith(first)` (or `receiver.indexOf(first) === 0`) holding or not."""
        prefix = self.model.string_value(first)
        if prefix is not None and prefix.startswith(".."):  # path.relative(root, target).startsWith("..")
            if holds:
                return {}
            return {key: PATH for key in self._relative_targets(receiver)}
        if holds and prefix not in ("", "/") and self._resolved(receiver):
            return {key: PATH for key in self._resolved_targets(receiver)}
        return {}

    def _resolved_targets(self, node: Node) -> Iterator[Key]:
        """`abs` of `abs = path.resolve(file)`, and `file` itself: the file system resolves it the same way."""
        own = self._key(node)
        if own is not None:
            yield own
        value = self._value(node)
        if value.type == "call_expression" and self.model.call_name(value) in ("path.resolve", "path.normalize"):
            args = self.model.arguments(value)
            if len(args) == 1:
                target = self._key(args[0])
                if target is not None:
                    yield target

    def _regex_match(self, call: Node, holds: bool) -> Checks:
        """`RE.test(x)`, `RE.exec(x)`, `x.match(RE)`, `x.search(RE)` read as "x matches RE": when it does not
        and RE looks for forbidden characters, x holds none of them (a deny-list)."""
        if holds:
            return {}
        method = self.model.method_name(call)
        callee = unwrap(call.child_by_field_name("function") or call)
        receiver = callee.child_by_field_name("object")
        args = self.model.arguments(call)
        if receiver is None or not args:
            return {}
        regex, value = (receiver, args[0]) if method in ("test", "exec") else (args[0], receiver)
        pattern = self._regex_pattern(regex)
        key = self._key(value)
        if pattern is None or key is None:
            return {}
        classes = deny_list_classes(pattern)
        return {key: classes} if classes else {}

    def _length_bound(self, left: Node, operator: str, right: Node, holds: bool) -> Checks:
        """`x.length > 300` failing, `x.length <= 300` holding (either side): x is short."""
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
        if self._length_of(left) is None:
            left, right, operator = right, left, flipped[operator]
        subject = self._length_of(left)
        value = self.model.evaluate(right)
        if subject is None or value is None or isinstance(value.value, bool) \
                or not isinstance(value.value, (int, float)):
            return {}
        limit = value.value
        if not holds:  # the negation: `> N` fails means `<= N`
            operator = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}[operator]
        if operator == "<":
            limit -= 1
        elif operator != "<=":
            return {}
        key = self._key(subject)
        classes = length_classes(limit)
        return {key: classes} if key is not None and classes else {}

    def _length_of(self, node: Node) -> Node | None:
        """`x` of `x.length`."""
        node = unwrap(node)
        if node.type == "member_expression" and self.model.member_property(node) == "length":
            obj = node.child_by_field_name("object")
            return unwrap(obj) if obj is not None else None
        return None

    # ----- helpers ----------------------------------------------------------------------------

    def _key(self, node: Node) -> Key | None:
        node = unwrap(node)
        if node.type == "identifier":
            binding = self.model.resolve(node)
            return ("binding", node_key(binding.node)) if binding is not None else None
        if node.type in ("member_expression", "subscript_expression"):
            return ("member", self.model.text(node))
        return None

    def _value(self, node: Node) -> Node:
        """A stable variable's value (one step), else the node itself."""
        node = unwrap(node)
        if node.type == "identifier":
            binding = self.model.resolve(node)
            if binding is not None and binding.value is not None and not binding.path and binding.is_stable:
                return unwrap(binding.value)
        return node

    def _constant_collection(self, node: Node) -> bool:
        value = self._value(node)
        if self.model.is_constant(value):
            return True
        constructor = value.child_by_field_name("constructor") if value.type == "new_expression" else None
        if constructor is not None and any(self.model.is_global(constructor, name) for name in ("Set", "Map")):
            args = self.model.arguments(value)
            return not args or self.model.is_constant(args[0])
        return False

    def _regex_pattern(self, node: Node) -> str | None:
        value = self._value(node)
        if value.type != "regex":
            return None
        pattern = value.child_by_field_name("pattern")
        return self.model.text(pattern) if pattern is not None else None

    def _allow_list_regex(self, node: Node) -> bool:
        return self._regex_pattern(node) is not None

    def _resolved(self, node: Node) -> bool:
        value = self._value(node)
        if value.type == "await_expression" and value.named_children:
            value = unwrap(value.named_children[0])
        return value.type == "call_expression" and self.model.call_name(value) in RESOLVING_CALLS

    def _relative_targets(self, node: Node) -> Iterator[Key]:
        """`rel` of `rel = path.relative(root, target)`: the variable itself and the target."""
        own = self._key(node)
        if own is not None:
            yield own
        value = self._value(node)
        if value.type == "call_expression" and self.model.call_name(value) in RELATIVE_CALLS:
            args = self.model.arguments(value)
            if len(args) >= 2:
                target = self._key(args[1])
                if target is not None:
                    yield target


def _integer(text: str) -> int | None:
    try:
        return int(text.replace(" ", ""))
    except ValueError:
        return None


def _exits(statement: Node | None) -> bool:
    """True when the statement always leaves the block: return, throw, continue, break (or a block ending so)."""
    if statement is None:
        return False
    if statement.type in EXITS:
        return True
    if statement.type == "statement_block":
        children = [c for c in statement.named_children if c.type != "comment"]
        return bool(children) and _exits(children[-1])
    return False


def guarded_uses(model: SemanticModel, value: Node, checks: Checks, depth: int = 0) -> Iterator[tuple[Node, Key]]:
    """The identifiers and member accesses in `value` (and in the definitions of its stable variables) that
    `checks` makes safe."""
    if depth > 2 or not checks:
        return
    stack = [value]
    while stack:
        node = stack.pop()
        if node.type in ("identifier", "member_expression", "subscript_expression"):
            key: Key | None = None
            if node.type == "identifier":
                binding = model.resolve(node)
                if binding is not None:
                    key = ("binding", node_key(binding.node))
                    if key not in checks and binding.value is not None and binding.is_stable and not binding.path \
                            and binding.kind in ("const", "let", "var"):
                        yield from guarded_uses(model, binding.value, checks, depth + 1)
            else:
                key = ("member", model.text(node))
            if key is not None and key in checks:
                yield node, key
                continue
        if node.type in _FUNCTIONS:
            continue
        stack.extend(node.named_children)


def apply_guards(model: SemanticModel, taint_of: Callable[[Node], Taint], taint: Taint, value: Node,
                 checks: Checks) -> Taint:
    """Mark the origins that reach `value` through a guarded variable as sanitized for the guard's classes."""
    marks: dict[tuple[str, str, str, int, int], frozenset[str]] = {}
    for node, key in guarded_uses(model, value, checks):
        for origin in taint_of(node):
            identity = origin.identity()
            marks[identity] = marks.get(identity, frozenset()) | checks[key]
    if not marks:
        return taint
    return frozenset(
        replace(o, sanitized=o.sanitized | marks[o.identity()]) if o.identity() in marks else o for o in taint
    )
