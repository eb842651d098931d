"""What a code rule sees: the parsed file, its semantic model, and a way to report a finding."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tree_sitter import Node

from nodeward.analysis.taint.engine import PARAM, SOURCE, Origin, TaintAnalysis, location_data
from nodeward.findings import Confidence, Finding, Location, SecretSpan, Severity, TraceStep, shorten
from nodeward.lang.js.model import SemanticModel, object_literal, unwrap
from nodeward.rules.base import Rule, Sink, TaintRule, make_finding
from nodeward.secrets.redact import worth_masking


@dataclass
class RuleContext:
    """Per-file state shared by all rules; `rule` is set by the engine before each dispatch."""

    display_path: str
    model: SemanticModel
    lines: list[str]
    rule: type[Rule] | None = None
    #: The file on disk and the directory scanned (None for source given as text): the only part of the disk a
    #: rule may look at, for facts about the file's package (which js-yaml it installs); rules read them as
    #: `file_path` and `scan_root`, which notes that the results depend on more than the file.
    disk_file: Path | None = None
    disk_root: Path | None = None
    #: Whether a rule asked where the file is (to read the files around it): the result cache keeps such results
    #: for no later scan.
    read_other_files: bool = False
    shared: dict[str, object] = field(default_factory=dict)  # per-file memo for rules of one family
    _taint: TaintAnalysis | None = None
    #: Parameters of this file's functions that reach a sink: plain data for the cross-file phase.
    param_sinks: list[dict[str, Any]] = field(default_factory=list)
    dto_sinks: list[dict[str, Any]] = field(default_factory=list)  # sinks reached by validated DTO fields only
    #: Evidence for the practices scorecard (a limiter registered here, a password hashed there): plain data.
    practice_evidence: list[dict[str, Any]] = field(default_factory=list)
    #: Secrets the rules saw written in the code (a JWT key, a session secret): reports mask them everywhere.
    secrets: list[SecretSpan] = field(default_factory=list)

    @property
    def file_path(self) -> Path | None:
        self.read_other_files = True
        return self.disk_file

    @property
    def scan_root(self) -> Path | None:
        self.read_other_files = True
        return self.disk_root

    def record_secret(self, node: Node, value: str) -> None:
        """Note that ``value``, written at ``node``, is a secret: no report will show it."""
        if worth_masking(value):
            self.secrets.append(SecretSpan(self.display_path, node.start_point[0] + 1, node.end_point[0] + 1, value))

    def record_practice(self, practice: str, status: str, node: Node, evidence: str) -> None:
        """Note evidence for the scorecard: `practice` (e.g. "rate-limiting"), `status` ("in-place", "missing",
        "partly", "not-applicable"), where, and a short human description ("express-rate-limit on app")."""
        self.practice_evidence.append({
            "practice": practice, "status": status, "evidence": evidence,
            "path": self.display_path, "line": node.start_point[0] + 1,
        })

    @property
    def taint(self) -> TaintAnalysis:
        if self._taint is None:
            self._taint = TaintAnalysis(self.model, self.display_path)
        return self._taint

    @property
    def has_taint_analysis(self) -> bool:
        return self._taint is not None

    # Shortcuts to the model, so rules read as questions about the code.
    def text(self, node: Node) -> str:
        return self.model.text(node)

    def call_name(self, call: Node) -> str | None:
        return self.model.call_name(call)

    def method_name(self, call: Node) -> str | None:
        return self.model.method_name(call)

    def qualified_name(self, node: Node) -> str | None:
        return self.model.qualified_name(node)

    def arguments(self, call: Node) -> list[Node]:
        return self.model.arguments(call)

    def is_constant(self, node: Node) -> bool:
        return self.model.is_constant(node)

    def string_value(self, node: Node) -> str | None:
        return self.model.string_value(node)

    @staticmethod
    def unwrap(node: Node) -> Node:
        return unwrap(node)

    def object_property(self, obj: Node, key: str) -> Node | None:
        """The value node of property `key` in an object literal (following a const alias)."""
        literal = self.resolve_object(obj)
        if literal is None:
            return None
        for child in literal.named_children:
            if child.type == "pair":
                name = child.child_by_field_name("key")
                if name is not None and self.model._property_key(name) == key:
                    return child.child_by_field_name("value")
            elif child.type == "shorthand_property_identifier" and self.text(child) == key:
                return child
        return None

    def resolve_object(self, node: Node) -> Node | None:
        """An object literal, directly or through a stable `const` binding to one."""
        return object_literal(self.model, node)

    def _character_column(self, byte_offset: int, byte_column: int) -> int:
        # tree-sitter counts bytes; editors and SARIF count characters.
        prefix = self.model.source[byte_offset - byte_column : byte_offset]
        return len(prefix.decode("utf-8", "replace")) if not prefix.isascii() else byte_column

    def report(
        self,
        node: Node,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        trace: tuple[TraceStep, ...] = (),
    ) -> Finding:
        rule = self.rule
        assert rule is not None, "the engine sets the rule before calling check()"
        start_row, start_col = node.start_point
        end_row, end_col = node.end_point
        start_col = self._character_column(node.start_byte, start_col)
        end_col = self._character_column(node.end_byte, end_col)
        snippet = self.lines[start_row] if start_row < len(self.lines) else ""
        return make_finding(
            rule,
            message,
            Location(self.display_path, start_row + 1, start_col + 1, end_row + 1, end_col + 1),
            snippet.rstrip("\r\n"),
            severity=severity,
            confidence=confidence,
            trace=trace,
        )

    def evaluate_sink(self, rule: TaintRule, sink: Sink, *, sink_class: str | None = None) -> Iterator[Finding]:
        """Report a sink according to where its value comes from (see TaintRule). `sink_class` replaces the
        rule's own class for this sink (a rule whose sinks differ in what makes a value safe there)."""
        if self.is_constant(sink.value):
            return
        sink_class = sink_class or rule.sink_class
        taint = self.taint.sink_taint(sink.value, sink.node)
        harmless = rule.harmless_sources
        dirty = [o for o in taint if not o.clean_for(sink_class)
                 and (o.kind != SOURCE or (o.tag in rule.source_tags
                                           and (harmless is None or not harmless.search(o.label))))]
        # Data another rule is about (names of archive entries) reaching this sink: that rule reports it.
        foreign = any(o.kind == SOURCE and o.tag not in rule.source_tags and not o.clean_for(sink_class)
                      for o in taint)
        sources = sorted((o for o in dirty if o.kind == SOURCE), key=Origin.reading_order)
        sink_step = TraceStep(self.taint.location(sink.node), f"reaches {sink.description}")
        # Fields of a NestJS DTO of another module: whether their validators make them safe is known in phase 2.
        deferred = [o for o in sources if o.dto and o.member and "[]" not in o.member.split("|")]
        if deferred and len(deferred) == len(sources):
            for origin in deferred:
                self.dto_sinks.append({
                    "origin": origin.to_data(), "rule": rule.id, "sink_class": sink_class,
                    "location": location_data(self.taint.location(sink.node)), "snippet": self._snippet(sink.node),
                    "description": sink.description,
                    "steps": [[location_data(sink_step.location), sink_step.description]],
                })
            sources = []
            dirty = [o for o in dirty if o not in deferred]
        for origin in (o for o in dirty if o.kind == PARAM):
            self.param_sinks.append({
                "function": origin.function, "index": origin.index, "rule": rule.id, "sink_class": sink_class,
                "location": location_data(self.taint.location(sink.node)),
                "snippet": self._snippet(sink.node), "description": sink.description,
                "steps": [[location_data(s.location), s.description] for s in (*origin.steps, sink_step)],
                "parameter": origin.label, "member": origin.member,
            })
        if sources:
            source = sources[0]
            kind = source.steps[0].description.split(":")[0] if source.steps else "input"
            where = f"line {source.location.start_line}"
            message = f"{kind} `{shorten(source.label, 50)}` ({where}) reaches {sink.description}"
            confidence = Confidence.HIGH if rule.flow_confidence is None else rule.flow_confidence
            yield self.report(sink.node, message, confidence=confidence, trace=(*source.steps, sink_step))
        elif not foreign and (rule.reports_unknown_origin if sink.reports_unknown_origin is None
                              else sink.reports_unknown_origin) \
                and dirty:  # a parameter or a value of unknown origin, not sanitized for this sink
            message = sink.unknown_origin_message or f"a non-constant value reaches {sink.description}"
            yield self.report(sink.node, message, confidence=sink.unknown_origin_confidence)

    def _snippet(self, node: Node) -> str:
        row = node.start_point[0]
        return self.lines[row].rstrip("\r\n") if row < len(self.lines) else ""

