r"""## What it finds
Regular expressions that can take exponential or polynomial time to fail a match (catastrophic backtracking):
nested quantifiers such as `(a+)+`, repeated alternatives that overlap such as `(a|ab)*`, and adjacent runs
that compete for the same characters such as `\s+$` or `.*,.*=`. It checks regex literals and `RegExp` calls
whose pattern is a constant; patterns built from outside values are reported by `non-literal-regexp` (NW104).
Exponential patterns have high confidence; polynomial ones low (they need long crafted inputs, and
`regex-denial-of-service`, NW113, reports those that input reaches) unless the module exports the pattern
(`module.exports = /.../`, or a function returning it, as packages of ready-made patterns do: their users
match their own input against it), and none where the value matched right there has a limited length (`if
(s.length > 300) return; /\s+$/.test(s)`, `s.slice(0, 300).match(/\s+$/)`).

## Why it matters
JavaScript's regular expression engine backtracks: on an input that almost matches, it tries every
way of splitting the text between the competing quantifiers before giving up. For an exponential
pattern thirty characters can take minutes; for a polynomial one a few tens of kilobytes can take
seconds. Node.js runs the match on the event loop, so while it runs the server answers nobody: one
crafted request is a denial of service (ReDoS).

## How to fix
Make every part of the input matchable in only one way: remove the nested quantifier (`(a+)+` is
`a+`), make alternatives mutually exclusive, give adjacent runs disjoint character sets (`[^,]*,`
instead of `.*,`), anchor the pattern, and limit the length of the input before matching. For
patterns that must stay ambiguous, use a linear-time engine such as `re2`.

## Bad
```js
function isValidEmail(input) {
  return /^([a-zA-Z0-9_.-]+)+@[a-zA-Z0-9-]+\.[a-z]+$/.test(input);
}
```

## Good
```js
function isValidEmail(input) {
  return input.length <= 254 && /^[a-zA-Z0-9_.-]+@[a-zA-Z0-9-]+\.[a-z]+$/.test(input);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.guards import Guards, guarded_uses, length_classes, truncation_limit
from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.lang.js.parser import node_key
from nodeward.lang.regex_redos import RedosIssue, analyze
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext

REGEX_METHODS = frozenset({"test", "exec"})  # RE.method(input)
STRING_METHODS = frozenset({"match", "matchAll", "replace", "replaceAll", "split", "search"})  # input.method(RE)
REGEXP_CONSTRUCTORS = frozenset(f"{prefix}RegExp" for prefix in ("", "window.", "globalThis.", "global.", "self."))



class UnsafeRegex(Rule):
    # CWE-1333: Inefficient Regular Expression Complexity. OWASP A04 (Insecure Design): the flaw is in
    # the pattern as written, whatever data reaches it; no outside syntax is injected (unlike NW104).
    id = "NW105"
    name = "unsafe-regex"
    title = "Regular expression vulnerable to catastrophic backtracking (ReDoS)"
    cwe = (1333,)
    owasp = "A04"
    severity = Severity.MEDIUM
    # LOW for polynomial backtracking (see _report): such a pattern needs tens of kilobytes of crafted input to
    # hurt, and whether input reaches it is what NW113 reports (MEDIUM when a source or an API parameter does).
    confidence = Confidence.HIGH
    fix = "Rewrite the pattern so each input can match only one way, limit the input length, or use re2."
    visits = ("regex", "call_expression", "new_expression")
    call_names = last_names(REGEXP_CONSTRUCTORS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        if node.type == "regex":
            pattern_node = node.child_by_field_name("pattern")
            flags_node = node.child_by_field_name("flags")
            if pattern_node is None:
                return
            # The literal's text is regex syntax already: no string unescaping.
            candidates = [(ctx.text(pattern_node), ctx.text(flags_node) if flags_node is not None else "", "")]
        else:
            candidates = list(self._constructor_patterns(node, ctx))
        for pattern, flags, origin in candidates:
            issue = analyze(pattern, flags)
            if issue is not None and not self._bounded_subject(node, issue, ctx):
                yield self._report(node, issue, f"/{shorten(pattern, 60)}/{flags}", origin, ctx)
                return

    @staticmethod
    def _constructor_patterns(node: Node, ctx: RuleContext) -> Iterator[tuple[str, str, str]]:
        """(pattern, flags, origin) for `RegExp(constant)`; one per entry for `RegExp(TABLE[key])`."""
        if ctx.call_name(node) not in REGEXP_CONSTRUCTORS:
            return
        args = ctx.arguments(node)
        if not args or args[0].type == "spread_element":
            return
        source = ctx.unwrap(args[0])
        if source.type == "regex":
            return  # the literal is checked on its own
        flags = ""
        if len(args) > 1:
            flags = ctx.string_value(args[1]) or ""  # unknown flags: analyse with none
        pattern = ctx.string_value(source)  # string escapes undone: "\\d" is the pattern \d
        if pattern is not None:
            yield pattern, flags, ""
            return
        if source.type == "subscript_expression":
            # `new RegExp(PATTERNS[kind])`: any pattern of the constant table may be chosen.
            table = source.child_by_field_name("object")
            value = ctx.model.evaluate(table) if table is not None else None
            if table is None or value is None:
                return
            entries = value.value.values() if isinstance(value.value, dict) else value.value
            if not isinstance(entries, list) and not isinstance(value.value, dict):
                return
            origin = f" (one of the patterns of `{shorten(ctx.text(table), 30)}`)"
            for entry in entries:
                if isinstance(entry, str):
                    yield entry, flags, origin

    @staticmethod
    def _bounded_subject(node: Node, issue: RedosIssue, ctx: RuleContext) -> bool:
        """True when the pattern is used right where it is written (`/re/.test(x)`, `x.match(/re/)`) on a value
        whose length a dominating check (`if (x.length > 300) return`) or a truncation (`x.slice(0, 300)`)
        limits enough for this kind of backtracking: the match cannot take long."""
        current = node
        while current.parent is not None and current.parent.type == "parenthesized_expression":
            current = current.parent
        parent = current.parent
        call: Node | None = None
        subject: Node | None = None
        if parent is not None and parent.type == "member_expression" and parent.parent is not None \
                and parent.parent.type == "call_expression" and ctx.method_name(parent.parent) in REGEX_METHODS:
            call = parent.parent
            args = ctx.arguments(call)
            subject = args[0] if args else None
        elif parent is not None and parent.type == "arguments" and parent.parent is not None \
                and parent.parent.type == "call_expression" and ctx.method_name(parent.parent) in STRING_METHODS:
            call = parent.parent
            args = ctx.arguments(call)
            callee = ctx.unwrap(call.child_by_field_name("function") or call)
            if args and node_key(ctx.unwrap(args[0])) == node_key(node) and callee.type == "member_expression":
                subject = callee.child_by_field_name("object")
        if call is None or subject is None:
            return False
        subject = ctx.unwrap(subject)
        needed = "redos" if issue.exponential else "redos-polynomial"
        truncated = subject
        if truncated.type == "identifier":  # const short = input.slice(0, 300)
            binding = ctx.model.resolve(truncated)
            if binding is not None and binding.value is not None and binding.is_stable and not binding.path:
                truncated = ctx.unwrap(binding.value)
        limit = truncation_limit(ctx.model, truncated)
        if limit is not None and needed in length_classes(limit):
            return True
        guards = ctx.shared.get("unsafe-regex:guards")
        if not isinstance(guards, Guards):
            guards = ctx.shared["unsafe-regex:guards"] = Guards(ctx.model)
        checks = guards.at(call)
        return any(node_key(used) == node_key(subject) and needed in checks[key]
                   for used, key in guarded_uses(ctx.model, subject, checks))

    def _report(self, node: Node, issue: RedosIssue, shown: str, origin: str, ctx: RuleContext) -> Finding:
        growth = "exponential" if issue.exponential else "polynomial"
        exported = not issue.exponential and _exported(node, ctx)
        return ctx.report(
            node,
            f"`{shown}`{origin} can take {growth} time to fail on a crafted input because of "
            f"`{issue.fragment}`: {issue.explanation}"
            + ("; the module exports it, so its users match their own input against it" if exported else ""),
            confidence=Confidence.HIGH if issue.exponential else Confidence.MEDIUM if exported else Confidence.LOW,
        )


def _exported(node: Node, ctx: RuleContext) -> bool:
    """The regular expression is what the module exports (`module.exports = /.../`, `export default`), or what an
    exported function returns (`module.exports = (options) => new RegExp(pattern, "g")`): the package's purpose
    is to be matched against its users' input."""
    value = _outermost(node)
    parent = value.parent
    if parent is not None and (parent.type == "return_statement" or (
            parent.type == "arrow_function" and parent.child_by_field_name("body") == value)):
        function = ctx.taint.enclosing_function(value)
        if function is None:
            return False
        value = _outermost(function)
        parent = value.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == value:
        target = ctx.text(parent.child_by_field_name("left") or parent)
        return target in ("module.exports", "exports") or target.startswith(("module.exports.", "exports."))
    if parent.type == "export_statement":
        return True
    declarator = parent if parent.type == "variable_declarator" else None
    statement = declarator.parent if declarator is not None else None
    return statement is not None and statement.parent is not None and statement.parent.type == "export_statement"


def _outermost(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node
