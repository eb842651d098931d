"""What a rule is: metadata as class attributes, docs as the module docstring, a `check` per node."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from nodeward.findings import Confidence, Finding, Location, Severity, TraceStep
from nodeward.lang.js.parser import node_key

if TYPE_CHECKING:
    from tree_sitter import Node

    from nodeward.rules.context import RuleContext

OWASP_2021 = {
    "A01": "A01:2021 Broken Access Control",
    "A02": "A02:2021 Cryptographic Failures",
    "A03": "A03:2021 Injection",
    "A04": "A04:2021 Insecure Design",
    "A05": "A05:2021 Security Misconfiguration",
    "A06": "A06:2021 Vulnerable and Outdated Components",
    "A07": "A07:2021 Identification and Authentication Failures",
    "A08": "A08:2021 Software and Data Integrity Failures",
    "A09": "A09:2021 Security Logging and Monitoring Failures",
    "A10": "A10:2021 Server-Side Request Forgery",
}

DOC_SECTIONS = ("What it finds", "Why it matters", "How to fix", "Bad", "Good")


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """The documentation of a rule, split into its fixed sections."""

    sections: dict[str, str]

    @property
    def summary(self) -> str:
        """The first sentence of "What it finds": used as the short description."""
        text = " ".join(self.sections.get("What it finds", "").split())
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]

    def example(self, section: str) -> str:
        """The code inside the first fenced block of a section ("Bad" or "Good")."""
        match = re.search(r"```[a-z]*\n(.*?)```", self.sections.get(section, ""), re.DOTALL)
        return match.group(1) if match else ""

    def markdown(self) -> str:
        return "\n\n".join(f"## {name}\n{body.strip()}" for name, body in self.sections.items())


def parse_docs(docstring: str | None) -> RuleDocs:
    sections: dict[str, str] = {}
    current: str | None = None
    for line in (docstring or "").splitlines():
        heading = re.match(r"^##\s+(.*\S)\s*$", line)
        if heading:
            current = heading.group(1)
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return RuleDocs({name: body.strip("\n") for name, body in sections.items()})


class Rule:
    """Base of every rule of every scanner.

    Subclasses set the metadata below. Code rules also set `visits` (tree-sitter node types) and
    implement `check`; the engine calls `check` for every node of those types in a parsed file.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    cwe: ClassVar[tuple[int, ...]]
    owasp: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    fix: ClassVar[str]
    category: ClassVar[str] = "code"
    since: ClassVar[str] = "0.1.0"
    visits: ClassVar[tuple[str, ...]] = ()
    #: Byte strings of which a file must contain at least one for the rule to run on it (empty: always runs).
    #: A cheap C-speed prefilter for rules about specific libraries or options, checked once per file.
    requires_text: ClassVar[tuple[bytes, ...]] = ()
    #: For the call and `new` nodes a code rule visits: the names of the functions it is about, each the last
    #: part of the callee as written (`exec` of `cp.exec(x)`, `run` of `run(x)`) or as resolved (`exec` of an
    #: alias of `child_process.exec`). The code scanner hands a call only to the rules that name one of its
    #: names, and skips a rule on a file that calls none of them. None: every call (the rule asks about more
    #: than the callee's name). Build it with `last_names` from the rule's own tables of qualified names.
    call_names: ClassVar[frozenset[str] | None] = None
    #: About how a deployed application treats its clients (error details, cookies, CORS, limits): in the
    #: source of a web framework or middleware these are defaults for apps to configure, and are not reported.
    app_policy: ClassVar[bool] = False
    #: The rule needs the project around a file (its lockfile), not the file alone: its doc examples and
    #: fixtures are checked inside a project fixture (tests/fixtures/projects/<id>-*).
    needs_project: ClassVar[bool] = False

    @classmethod
    def docs(cls) -> RuleDocs:
        return parse_docs(sys.modules[cls.__module__].__doc__)

    @classmethod
    def owasp_label(cls) -> str:
        return OWASP_2021.get(cls.owasp, cls.owasp)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        """Yield the findings for one node of a type listed in `visits`."""
        return iter(())



def last_names(*groups: Iterable[str]) -> frozenset[str]:
    """The last parts of qualified names ("child_process.exec" -> "exec"): what `Rule.call_names` holds."""
    return frozenset(name.rsplit(".", 1)[-1] for group in groups for name in group)


@dataclass(frozen=True, slots=True)
class Sink:
    """A place where a value must not come from outside (unsanitized for the rule's sink class)."""

    node: Node  # what the finding points at
    value: Node  # the value that must not be tainted
    description: str  # what the sink does, e.g. "`child_process.exec` (a shell command)"
    unknown_origin_message: str = ""  # message when the value is not constant and of unknown origin
    unknown_origin_confidence: Confidence | None = None  # for that message; default: the rule's confidence
    #: Report a value of unknown origin here? None: as the rule says (`reports_unknown_origin`). False for
    #: sinks where a non-constant value is the normal case (a template read from a file).
    reports_unknown_origin: bool | None = None


class TaintRule(Rule):
    """A rule about data reaching a sink: the engine decides where the value at each sink comes from.

    - from a source (request data, CLI arguments, a parameter of a library's exported API): a finding with
      high confidence and the trace from source to sink;
    - from a parameter of the enclosing function: recorded, so that phase 2 can follow call sites
      within the file and across files;
    - not constant and of unknown origin: a finding with the rule's own (lower) confidence only when
      `reports_unknown_origin` is set, as for the classic "non-literal argument" rules;
    - sanitized for `sink_class`, or constant: nothing.
    """

    sink_class: ClassVar[str]
    reports_unknown_origin: ClassVar[bool] = False
    #: Which sources count: "" is plain outside data (requests, CLI, a library's API); other tags name
    #: data a rule of its own is about, such as "archive-entry" (names of archive entries, zip slip).
    source_tags: ClassVar[frozenset[str]] = frozenset({""})
    #: Sources that cannot carry what this sink class is about, by how they read (their label): request
    #: headers hold no line breaks (Node.js's parser rejects them), so they cannot forge a log line.
    harmless_sources: ClassVar[re.Pattern[str] | None] = None
    #: The most a flow from a source is sure of, for sinks that are themselves uncertain (a call that reaches
    #: a vulnerable package, not necessarily its vulnerable function); None: high.
    flow_confidence: ClassVar[Confidence | None] = None

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        return iter(())

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        # Every sink is evaluated (each records its parameter flows for phase 2), but a node gets one
        # finding: the best-informed one (a source before an unknown origin).
        best: dict[int, Finding] = {}
        for sink in self.sinks(node, ctx):
            for finding in ctx.evaluate_sink(self, sink):
                known = best.get(node_key(sink.node))
                if known is None or finding.confidence > known.confidence:
                    best[node_key(sink.node)] = finding
        yield from best.values()


def make_finding(
    rule: type[Rule],
    message: str,
    location: Location,
    snippet: str,
    *,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
    trace: tuple[TraceStep, ...] = (),
    fingerprint: str = "",
    fix: str | None = None,
) -> Finding:
    """A finding of ``rule`` with its metadata filled in; any scanner's findings are built with this.

    ``fix`` replaces the rule's generic advice when the scanner knows the precise one ("upgrade to 4.17.21").
    """
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        title=rule.title,
        severity=severity if severity is not None else rule.severity,
        confidence=confidence if confidence is not None else rule.confidence,
        message=message,
        location=location,
        snippet=snippet,
        cwe=rule.cwe,
        owasp=rule.owasp_label(),
        fix=fix if fix is not None else rule.fix,
        trace=trace,
        fingerprint=fingerprint,
    )
