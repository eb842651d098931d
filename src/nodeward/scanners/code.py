"""The code scanner: parse a JS/TS file, build its model, run the rules on the nodes they visit.

One tree-sitter query per dialect captures every node type some rule visits, so finding candidate
nodes runs in C; Python work is spent only on those candidates.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from typing import Any

from tree_sitter import Node

from nodeward.analysis.taint.engine import location_data
from nodeward.analysis.taint.exports import EXPORTS_QUERY, collect_exports
from nodeward.analysis.taint.injection import collect_injection
from nodeward.analysis.views import render_calls
from nodeward.findings import LIMIT_NOTICE, FileNotice, Finding
from nodeward.lang.js import parser
from nodeward.lang.js.model import DECLARATIONS_QUERY, SemanticModel, file_queries, prefixed_query, unwrap
from nodeward.practices.collect import collect_app_facts
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext
from nodeward.rules.registry import all_rules
from nodeward.scanners import FileResult
from nodeward.scanners.prefilter import TextPrefilter
from nodeward.sources.discover import CODE_KINDS, FileKind, SourceFile, scan_root_of

#: Levels of syntax tree below which code is not analysed: walking up from a node takes time in proportion
#: to its depth, so deeper nesting makes the analysis quadratic. Real code stays far above it (the deepest
#: file of the speed corpus, a generated schema validator, reaches 171).
MAX_NESTING = 500
DIALECT_OF_KIND = {FileKind.JAVASCRIPT: "javascript", FileKind.TYPESCRIPT: "typescript", FileKind.TSX: "tsx"}


def code_rules(selected: frozenset[str] | None = None) -> list[type[Rule]]:
    return [rule for rule in all_rules() if rule.visits and (selected is None or rule.id in selected)]


class CodeScanner:
    """Runs the selected code rules over single JS/TS files; one instance per worker process."""

    name = "code"
    kinds = CODE_KINDS

    def __init__(self, selected: frozenset[str] | None = None, *, dispatch_by_name: bool = True) -> None:
        """`dispatch_by_name=False` hands every call to every rule that visits calls, whatever names the rules
        declare (`Rule.call_names`): the reference the name dispatch is tested against."""
        self.rules = [rule() for rule in code_rules(selected)]
        self.dispatch_by_name = dispatch_by_name
        self.dispatch: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            for node_type in rule.visits:
                self.dispatch[node_type].append(rule)
        self.prefilter = TextPrefilter(self.rules)
        self.base_queries = {
            dialect: "\n".join((parser.node_type_query(dialect, frozenset(self.dispatch)), DECLARATIONS_QUERY,
                                 EXPORTS_QUERY))
            for dialect in parser.DIALECTS
        }
        self._combined: dict[str, tuple[frozenset[str], str]] = {}
        self._files_since_rebuild = 0

    def file_query(self, dialect: str) -> tuple[frozenset[str], str]:
        """The one query run per file: the nodes rules visit, declarations, exports, and every whole-file query
        asked of a model so far (`FILE_QUERIES`), with the set of those included."""
        included, text = self._combined.get(dialect, (frozenset(), ""))
        self._files_since_rebuild += 1
        # Compiling the combined query takes a while: new queries join it in batches, not one by one.
        if not text or self._files_since_rebuild >= REBUILD_EVERY:
            self._files_since_rebuild = 0
            asked = file_queries(dialect)
            if not text or len(asked) != len(included):
                included = frozenset(asked)
                text = "\n".join((self.base_queries[dialect],
                                  *(prefixed_query(query, asked[query]) for query in sorted(included))))
                self._combined[dialect] = (included, text)
        return included, text

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        return self.scan_source(file.display_path, data, DIALECT_OF_KIND[file.kind], text, file=file)

    def scan_source(self, display_path: str, source: bytes, dialect: str, text: str | None = None,
                    file: SourceFile | None = None) -> FileResult:
        """Findings of the code rules for one file (before suppressions, which the caller applies)."""
        result = FileResult()
        lines = (text if text is not None else source.decode("utf-8", "replace")).splitlines()
        tree = parser.parse(source, dialect)
        error_line = parser.first_error_line(tree.root_node)
        if error_line is not None:
            result.notices.append(
                FileNotice(
                    display_path,
                    "partial-parse",
                    f"syntax error near line {error_line}: rules ran on the parts that parsed",
                    error_line,
                )
            )
        # One query per file finds the nodes the rules visit, the declarations and the exports: one walk
        # of the tree in C instead of one per consumer.
        too_deep = parser.too_deep(tree.root_node, MAX_NESTING)
        if too_deep:
            first = too_deep[0].start_point[0] + 1
            result.notices.append(FileNotice(
                display_path, LIMIT_NOTICE,
                f"analysis limited: nesting deeper than {MAX_NESTING} levels of syntax; the code below that "
                f"depth (from line {first}) was not analysed", first))
        indexed, query = self.file_query(dialect)
        candidates = parser.captures(dialect, query, tree.root_node, too_deep)
        model = SemanticModel(tree, source, dialect, index=candidates, outside=tuple(too_deep), indexed=indexed)
        context = RuleContext(display_path, model, lines, disk_file=file.path if file is not None else None,
                              disk_root=scan_root_of(file) if file is not None else None)
        findings: list[Finding] = []
        if self.dispatch:
            skipped = self.prefilter.skipped(source)
            for capture, all_nodes in candidates.items():
                if not capture.startswith(parser.VISIT_PREFIX):
                    continue
                node_type = capture[len(parser.VISIT_PREFIX):]
                by_name = CallsByName(model, all_nodes) if node_type in CALL_TYPES and self.dispatch_by_name else None
                for rule in self.dispatch.get(node_type, ()):
                    if rule.id in skipped:
                        continue
                    nodes = all_nodes if by_name is None or rule.call_names is None else by_name.named(rule.call_names)
                    context.rule = type(rule)
                    for node in nodes:
                        try:
                            findings.extend(rule.check(node, context))
                        except Exception as error:  # a rule bug must not end the scan
                            where = traceback.extract_tb(error.__traceback__)[-1]
                            result.notices.append(
                                FileNotice(
                                    display_path,
                                    "error",
                                    f"internal error in rule {rule.id} at line {node.start_point[0] + 1}: "
                                    f"{type(error).__name__}: {error} ({where.filename}:{where.lineno}); "
                                    "please report it",
                                    node.start_point[0] + 1,
                                )
                            )
        result.findings = _unique(findings)
        calls = candidates.get(f"{parser.VISIT_PREFIX}call_expression")
        if calls:
            context.taint.record_project_calls(calls, {record["function"] for record in context.param_sinks})
            renders = render_calls(model, calls)
            if renders:
                result.summaries["views"] = renders
        summary = taint_summary(context, source)
        if summary:
            result.summaries["taint"] = summary
        app_facts = collect_app_facts(context.taint, lines)
        if app_facts:
            result.summaries["app"] = app_facts
        if context.practice_evidence:
            result.summaries["practices"] = context.practice_evidence
        result.secrets = context.secrets
        result.cacheable = not context.read_other_files
        return result


#: Files scanned between two rebuilds of the combined per-file query when new whole-file queries were asked.
REBUILD_EVERY = 20
CALL_TYPES = frozenset({"call_expression", "new_expression"})


class CallsByName:
    """The calls of one file by the names of their callees (`Rule.call_names`), built once per file."""

    def __init__(self, model: SemanticModel, calls: list[Node]) -> None:
        self.calls = calls
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, call in enumerate(calls):
            for name in callee_names(model, call):
                self.positions[name].append(position)

    def named(self, names: frozenset[str]) -> list[Node]:
        """The calls of any of `names`, in document order."""
        found = [self.positions[name] for name in names if name in self.positions]
        if not found:
            return []
        positions = found[0] if len(found) == 1 else sorted(set().union(*found))
        return [self.calls[position] for position in positions]


def callee_names(model: SemanticModel, call: Node) -> set[str]:
    """The names a call is known by: the last part of its callee as written and as resolved to a module."""
    names = set()
    qualified = model.call_name(call)
    if qualified is not None:
        names.add(qualified.rsplit(".", 1)[-1])
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if callee is not None:
        callee = unwrap(callee)
        written = model.text(callee) if callee.type == "identifier" else model.member_property(callee)
        if written is not None:
            names.add(written)
    return names


SERVER_MARKERS = (b"createServer", b".listen(", b"express()", b"Router(", b"new Koa", b"fastify(", b"@Controller",
                  b"Hapi.server", b"new Hapi")


def taint_summary(context: RuleContext, source: bytes) -> dict[str, Any]:
    """What phase 2 needs of this module: flows from parameters to sinks, calls, exports (plain data)."""
    analysis = context.taint
    exports = collect_exports(analysis)
    injection = collect_injection(analysis)
    if not (context.param_sinks or analysis.call_sites or exports or injection or context.dto_sinks):
        return {}
    exported = {key for keys in exports.get("names", {}).values() for key in keys}
    # before the table below: evaluating what a function returns can register more functions
    returns = {key: analysis.return_summary(info.node) for key, info in list(analysis.functions.items())
               if key in exported}
    return {
        "param_sinks": context.param_sinks,
        "dto_sinks": context.dto_sinks,
        "calls": analysis.call_sites,
        "exports": exports,
        "injection": injection,
        "functions": {
            key: {"name": info.name, "params": info.params, "location": location_data(analysis.location(info.node)),
                  **returns.get(key, {})}
            for key, info in analysis.functions.items()
        },
        "serves_http": any(marker in source for marker in SERVER_MARKERS),
    }


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and range: two visits of the same construct report it once."""
    seen: set[tuple[str, int, int, int, int]] = set()
    unique = []
    for finding in findings:
        loc = finding.location
        key = (finding.rule_id, loc.start_line, loc.start_column, loc.end_line, loc.end_column)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
