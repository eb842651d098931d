"""## What it finds
Data from outside matched against a regular expression that can take exponential or polynomial time to
fail: `RE.test(x)`, `RE.exec(x)`, `x.match(RE)`, `x.matchAll(RE)`, `x.replace(RE, …)`, `x.split(RE)`,
`x.search(RE)`, where `RE` is a regex literal, a constant bound to one, or `new RegExp` of a constant,
and the catastrophic-backtracking analysis of nodeward finds the pattern vulnerable. NW105 reports such
patterns wherever they are; this rule reports the ones that input reaches. A check that limits the length
of the value first (`if (email.length > 254) return`) makes a polynomial pattern harmless (up to 10,000
characters); against exponential backtracking only a limit of about 20 characters helps.

## Why it matters
Node.js runs JavaScript on one thread: while a regular expression backtracks through a crafted string of
a few kilobytes, the server answers no other request. One request can keep a process busy for minutes
(regular expression denial of service, CWE-1333).

## How to fix
Rewrite the pattern so that each input can be matched in only one way (no nested or overlapping
quantifiers), limit the length of the input before matching, or use a linear-time engine such as `re2`.

## Bad
```js
const EMAIL = /^([a-zA-Z0-9]+)*@example\\.com$/;
app.post("/signup", (req, res) => {
  res.json({ ok: EMAIL.test(req.body.email) });
});
```

## Good
```js
const EMAIL = /^[a-zA-Z0-9]+@example\\.com$/;
app.post("/signup", (req, res) => {
  res.json({ ok: EMAIL.test(req.body.email) });
});
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.lang.regex_redos import RedosIssue, analyze
from nodeward.rules.base import Sink, TaintRule, last_names
from nodeward.rules.context import RuleContext

REGEX_METHODS = frozenset({"test", "exec"})  # RE.method(input)
STRING_METHODS = frozenset({"match", "matchAll", "replace", "replaceAll", "split", "search"})  # input.method(RE)
REGEXP_CONSTRUCTORS = frozenset({"RegExp", "globalThis.RegExp", "window.RegExp", "global.RegExp"})



def regex_of(node: Node, ctx: RuleContext) -> tuple[str, str] | None:
    """(pattern, flags) of a regex literal, a constant bound to one, or `new RegExp(constant)`."""
    current = ctx.unwrap(node)
    for _ in range(4):
        if current.type == "regex":
            pattern = current.child_by_field_name("pattern")
            flags = current.child_by_field_name("flags")
            if pattern is None:
                return None
            return ctx.text(pattern), ctx.text(flags) if flags is not None else ""
        if current.type in ("new_expression", "call_expression") and ctx.call_name(current) in REGEXP_CONSTRUCTORS:
            args = ctx.arguments(current)
            if not args:
                return None
            if ctx.unwrap(args[0]).type == "regex":
                current = ctx.unwrap(args[0])
                continue
            source = ctx.string_value(args[0])
            flag_text = ctx.string_value(args[1]) if len(args) > 1 else ""
            return (source, flag_text or "") if source is not None else None
        if current.type != "identifier":
            return None
        binding = ctx.model.resolve(current)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        current = ctx.unwrap(binding.value)
    return None


class RegexDenialOfService(TaintRule):
    # CWE-1333 and OWASP A04 like NW105: the flaw is the pattern's design; input only triggers it.
    id = "NW113"
    name = "regex-denial-of-service"
    title = "Input matched against a regular expression vulnerable to catastrophic backtracking"
    cwe = (1333,)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Rewrite the pattern so each input matches only one way, limit the input length, or use re2."
    visits = ("call_expression",)
    call_names = last_names(REGEX_METHODS, STRING_METHODS)
    sink_class = "redos"

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        for sink, issue in self._matches(node, ctx):
            # A length limit on the value makes a polynomial pattern harmless, an exponential one rarely.
            sink_class = self.sink_class if issue.exponential else "redos-polynomial"
            for finding in ctx.evaluate_sink(self, sink, sink_class=sink_class):
                if not issue.exponential and finding.confidence == Confidence.HIGH:
                    finding = dataclasses.replace(finding, confidence=Confidence.MEDIUM)
                yield finding

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        for sink, _ in self._matches(node, ctx):
            yield sink

    def _matches(self, node: Node, ctx: RuleContext) -> Iterator[tuple[Sink, RedosIssue]]:
        method = ctx.method_name(node)
        if method not in REGEX_METHODS and method not in STRING_METHODS:
            return
        args = ctx.arguments(node)
        if not args:
            return
        callee = ctx.unwrap(node.child_by_field_name("function") or node)
        receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        if receiver is None:
            return
        regex_node, value = (receiver, args[0]) if method in REGEX_METHODS else (args[0], receiver)
        regex = regex_of(regex_node, ctx)
        if regex is None:
            return
        issue = analyze(*regex)
        if issue is None:
            return
        growth = "exponential" if issue.exponential else "polynomial"
        shown = f"/{shorten(regex[0])}/{regex[1]}"
        yield Sink(node, value, f"`{shown}` (a regular expression with {growth} backtracking on `{issue.fragment}`)",
                   f"a non-constant value is matched against `{shown}`"), issue
