r"""## What it finds
Regular expressions compiled from a non-constant pattern: `new RegExp(x)` and `RegExp(x)` where the
pattern is not built only from constants. Patterns whose variable parts are escaped first
(`_.escapeRegExp`, `escape-string-regexp`, `RegExp.escape`, a function whose name says it escapes for
regular expressions, or the usual `.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")`), patterns taken from an
existing regular expression (`re.source`) and patterns chosen from a constant set
(`PATTERNS[kind]`) are not reported. Constant patterns are checked by `unsafe-regex` (NW105).

## Why it matters
The characters of the value are interpreted as regular expression syntax. Whoever controls it can
change what the expression matches (a search for `.*` matches everything, which can bypass a filter
or leak records) and, with nested quantifiers such as `(a+)+$`, make a single match take seconds or
hours: Node.js runs regular expressions on the event loop, so one request stops the whole server
(ReDoS).

## How to fix
Escape the value before putting it in a pattern (`RegExp.escape` on recent Node.js, `escape-string-regexp`
or `_.escapeRegExp` otherwise), or avoid regular expressions for plain text search (`includes`,
`startsWith`, `indexOf`). If users really must supply patterns, run them with a linear-time engine
such as `re2`.

## Bad
```js
function search(req, items) {
  const matcher = new RegExp(req.query.q, "i");
  return items.filter((item) => matcher.test(item.name));
}
```

## Good
```js
const escapeStringRegexp = require("escape-string-regexp");
function search(req, items) {
  const matcher = new RegExp(escapeStringRegexp(req.query.q), "i");
  return items.filter((item) => matcher.test(item.name));
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Severity, shorten
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext

REGEXP_CONSTRUCTORS = frozenset(f"{prefix}RegExp" for prefix in ("", "window.", "globalThis.", "global.", "self."))
# escapeRegExp, escape-string-regexp, lodash.escaperegexp, escapeRegex, escape_regexp, ...
ESCAPER_NAME = re.compile(r"escape.*reg|quote.*reg|^quotemeta$", re.IGNORECASE)
ESCAPER_QUALIFIED_NAMES = frozenset({"RegExp.escape"})
# Characters an escaping character class must hold to neutralise every operator that changes structure.
ESCAPED_METACHARACTERS = frozenset(".*+?()[|\\{^$")
# Names of variables that hold a RegExp object: `re.source`, `WORD_RE.source`, `tokenRegex.source`.
REGEXP_VARIABLE = re.compile(r"^(re|rx|regexp?|pattern)$|(_re|Re|RE|reg[eE]xp?|Reg[eE]xp?|REGEXP?|Pattern|PATTERN)$")
# `\W`, `\W+`, `[^a-z0-9_-]+`: a search for every character outside a set; `kept` is that set.
SANITISING_SEARCH = re.compile(r"(?:\\W|\[\^(?P<kept>(?:[^\]\\]|\\.)*)\])[+*]?")
# Items of a kept set that cannot form regular expression syntax: letters, digits, `_`, `-`, spaces.
SAFE_CLASS_ITEM = re.compile(r"[A-Za-z0-9]-[A-Za-z0-9]|\\[wds\-]|[A-Za-z0-9_ -]")
HARMLESS_TEXT = re.compile(r"[A-Za-z0-9_ .-]*")
STRING_COMBINATORS = frozenset({"+", "||", "??", "&&"})
# Values that are numbers: their text (digits, `.`, `-`, `e`) cannot change the structure of a pattern.
NUMBER_CALLS = frozenset(
    {
        "Math.random", "Math.floor", "Math.ceil", "Math.round", "Math.trunc", "Math.abs", "Math.max", "Math.min",
        "Date.now", "Number", "parseInt", "parseFloat", "Number.parseInt", "Number.parseFloat", "performance.now",
    }
)
ARITHMETIC_OPERATORS = frozenset({"-", "*", "/", "%", "**", "|", "&", "^", "<<", ">>", ">>>"})
MAX_DEPTH = 10



class NonLiteralRegexp(TaintRule):
    # CWE-1333 (inefficient regular expression complexity) is the denial of service; CWE-185
    # (incorrect regular expression) is the changed meaning when metacharacters are interpreted.
    # OWASP A03 (Injection): outside data is interpreted as syntax of the regular expression language.
    id = "NW104"
    name = "non-literal-regexp"
    title = "Regular expression compiled from a non-constant pattern"
    cwe = (1333, 185)
    owasp = "A03"
    severity = Severity.MEDIUM
    # The confidence of a pattern of unknown origin (like NW401's paths): most such patterns are built from the
    # program's own data (a table, an option, a word list). Request data reaching one is HIGH; a parameter of a
    # package's API, MEDIUM (catalog.LIBRARY_API_CONFIDENCE: callers pass patterns to such APIs by design).
    confidence = Confidence.LOW
    fix = "Escape values before putting them in a pattern (RegExp.escape, escape-string-regexp), or use re2."
    visits = ("call_expression", "new_expression")
    call_names = last_names(REGEXP_CONSTRUCTORS)
    sink_class = "regex"
    reports_unknown_origin = True

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        if ctx.call_name(node) not in REGEXP_CONSTRUCTORS:
            return
        args = ctx.arguments(node)
        if not args or args[0].type == "spread_element":
            return
        pattern = args[0]
        if _is_safe_pattern(pattern, ctx, 0):
            return
        yield Sink(
            node, pattern, "`RegExp` (a regular expression pattern)",
            f"`RegExp` compiles the non-constant pattern `{shorten(ctx.text(pattern))}`: its metacharacters "
            "are interpreted, which can change what it matches or make matching take exponential time",
        )


def _is_safe_pattern(node: Node, ctx: RuleContext, depth: int) -> bool:
    """True when every variable part of the pattern is escaped, a RegExp's source, or constant."""
    if depth > MAX_DEPTH:
        return False
    if ctx.model.is_constant_choice(node) or _is_number(node, ctx, depth):
        return True
    node = ctx.unwrap(node)
    kind = node.type
    if kind == "call_expression":
        return _is_escaping_call(node, ctx, depth)
    if kind == "member_expression":
        obj = node.child_by_field_name("object")
        return ctx.model.member_property(node) == "source" and obj is not None and _names_a_regexp(obj, ctx)
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is None or ctx.text(operator) not in STRING_COMBINATORS:
            return False
        sides = [node.child_by_field_name(f) for f in ("left", "right")]
        return all(s is not None and _is_safe_pattern(s, ctx, depth + 1) for s in sides)
    if kind == "ternary_expression":
        branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
        return all(b is not None and _is_safe_pattern(b, ctx, depth + 1) for b in branches)
    if kind == "template_string":
        return all(
            _is_safe_pattern(part.named_children[0], ctx, depth + 1)
            for part in node.named_children
            if part.type == "template_substitution" and part.named_children
        )
    if kind == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None:
            return False
        if _annotation(binding.node, ctx) == "RegExp":
            return True  # `new RegExp(re, "g")` copies a RegExp object
        if binding.value is None or binding.path or not binding.is_stable:
            return False
        return _is_safe_pattern(binding.value, ctx, depth + 1)
    return False


def _is_escaping_call(call: Node, ctx: RuleContext, depth: int) -> bool:
    if _is_escaper(call.child_by_field_name("function"), ctx):
        return True
    method = ctx.method_name(call)
    callee = ctx.unwrap(call.child_by_field_name("function") or call)
    receiver = callee.child_by_field_name("object")
    args = ctx.arguments(call)
    if method in ("replace", "replaceAll") and len(args) == 2:
        return _is_escaping_replace(args[0], args[1], ctx)
    if method == "join" and receiver is not None:
        return _is_escaped_list(receiver, ctx, depth + 1)
    return False


def _is_escaper(callee: Node | None, ctx: RuleContext) -> bool:
    """A function that escapes regular expression syntax, judged by its name."""
    if callee is None:
        return False
    callee = ctx.unwrap(callee)
    qualified = ctx.qualified_name(callee)
    if qualified in ESCAPER_QUALIFIED_NAMES:
        return True
    names: list[str | None] = [qualified]
    if callee.type == "identifier":
        names.append(ctx.text(callee))
    elif callee.type in ("member_expression", "subscript_expression"):
        names.append(ctx.model.member_property(callee))
    return any(name is not None and ESCAPER_NAME.search(re.split(r"[./]", name)[-1]) for name in names)


def _is_escaping_replace(search: Node, replacement: Node, ctx: RuleContext) -> bool:
    r"""A global `replace` that escapes or removes every metacharacter.

    Escaping: `s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")` puts a backslash before each one.
    Sanitising: `s.replace(/\W/g, ".")` or `s.replace(/[^a-z0-9-]/gi, "")` keeps only harmless
    characters and puts a harmless constant in place of the others.
    """
    search = ctx.unwrap(search)
    if search.type != "regex":
        return False
    pattern_node = search.child_by_field_name("pattern")
    flags_node = search.child_by_field_name("flags")
    if pattern_node is None or flags_node is None or "g" not in ctx.text(flags_node):
        return False
    pattern = ctx.text(pattern_node)
    replaced_by = ctx.string_value(replacement)
    if replaced_by is None:
        return False
    sanitised = SANITISING_SEARCH.fullmatch(pattern)
    if sanitised is not None:
        kept = SAFE_CLASS_ITEM.sub("", sanitised.group("kept") or "")
        return not kept and HARMLESS_TEXT.fullmatch(replaced_by) is not None
    if not (pattern.startswith("[") and pattern.endswith("]")) or pattern.startswith("[^"):
        return False
    return set(pattern) >= ESCAPED_METACHARACTERS and replaced_by == "\\$&"


def _is_escaped_list(node: Node, ctx: RuleContext, depth: int) -> bool:
    """`words.map(escapeRegExp)` (joined afterwards): every element escaped."""
    if depth > MAX_DEPTH:
        return False
    if ctx.model.is_constant_choice(node):
        return True
    node = ctx.unwrap(node)
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return False
        return _is_escaped_list(binding.value, ctx, depth + 1)
    if node.type != "call_expression" or ctx.method_name(node) not in ("map", "flatMap"):
        return False
    args = ctx.arguments(node)
    if not args:
        return False
    mapper = ctx.unwrap(args[0])
    if mapper.type in ("arrow_function", "function_expression", "function"):
        body = mapper.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            returns = [c for c in body.named_children if c.type == "return_statement"]
            body = returns[0].named_children[0] if len(returns) == 1 and returns[0].named_children else None
        return body is not None and _is_safe_pattern(body, ctx, depth + 1)
    return _is_escaper(mapper, ctx)


def _names_a_regexp(node: Node, ctx: RuleContext) -> bool:
    """`re`, `WORD_RE`, `this.tokenRegex`, a RegExp literal or construction: `.source` is its pattern.

    `.source` of a string is undefined, so only an object from data (`req.query.source`) is a risk;
    the name of the variable tells the two apart.
    """
    node = ctx.unwrap(node)
    if _is_regexp_value(node, ctx):
        return True
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None:
            if _annotation(binding.node, ctx) == "RegExp":
                return True
            value = binding.value if binding.is_stable and not binding.path else None
            if value is not None and _is_regexp_value(ctx.unwrap(value), ctx):
                return True
        name: str | None = ctx.text(node)
    elif node.type == "member_expression":
        name = ctx.model.member_property(node)
    else:
        return False
    return name is not None and REGEXP_VARIABLE.search(name) is not None


def _is_regexp_value(node: Node, ctx: RuleContext) -> bool:
    return node.type == "regex" or (
        node.type in ("new_expression", "call_expression") and ctx.call_name(node) in REGEXP_CONSTRUCTORS
    )


def _annotation(declared: Node, ctx: RuleContext) -> str | None:
    """The TypeScript type a parameter or variable is declared with (`RegExp`, `number`), if any."""
    parent = declared.parent
    if parent is None or parent.type not in ("required_parameter", "optional_parameter", "variable_declarator"):
        return None
    annotation = parent.child_by_field_name("type")
    return ctx.text(annotation).lstrip(":").strip() if annotation is not None else None


def _is_number(node: Node, ctx: RuleContext, depth: int) -> bool:
    """`Math.random()`, `Date.now()`, `list.length`, `count + 1`, a variable holding one, ..."""
    if depth > MAX_DEPTH:
        return False
    node = ctx.unwrap(node)
    kind = node.type
    if kind == "number":
        return True
    if kind == "call_expression":
        return ctx.call_name(node) in NUMBER_CALLS
    if kind == "member_expression":
        return ctx.model.member_property(node) == "length"
    if kind == "unary_expression":
        operator = node.child_by_field_name("operator")
        argument = node.child_by_field_name("argument")
        return operator is not None and ctx.text(operator) in ("-", "+", "~") and argument is not None
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        sides = [node.child_by_field_name(f) for f in ("left", "right")]
        if operator is None or any(side is None for side in sides):
            return False
        if ctx.text(operator) in ARITHMETIC_OPERATORS:
            return True
        return ctx.text(operator) == "+" and all(s is not None and _is_number(s, ctx, depth + 1) for s in sides)
    if kind == "identifier":
        binding = ctx.model.resolve(node)
        if binding is None:
            return False
        if _annotation(binding.node, ctx) == "number":
            return True
        if binding.value is None or binding.path or not binding.is_stable:
            return False
        return _is_number(binding.value, ctx, depth + 1)
    return False
