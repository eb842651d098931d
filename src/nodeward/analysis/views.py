"""Which data a server template receives: the `res.render(view, data)` calls of the code, matched to the
template files of the same app, so that a raw output of a name the app only ever renders as a constant
(`res.render("index.ejs", { result: "Matched!" })`) is not reported as a place where user input becomes
markup.

Per file (in the workers): the render calls with a constant view name, each with the names of its data
and whether each value is a constant (`render_calls`). Over the project (in the main process):
`constant_only_outputs` lowers NW118 findings of a bare name when every render call of that view in the
template's app passes a constant for it (or nothing). A view rendered with data that is not an object
literal, or never rendered where the code is seen, is left as it is: what reaches it is not known.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tree_sitter import Node

from nodeward.findings import Confidence, Finding
from nodeward.lang.js.model import SemanticModel, object_literal, unwrap

RENDER_METHODS = frozenset({"render"})
VIEW_FOLDERS = frozenset({"views", "templates"})
_BARE_NAME = re.compile(r"(?:EJS|Handlebars|Mustache|Nunjucks|Pug) prints `([A-Za-z_$][\w$]*)` without HTML escaping")
CONSTANT_ONLY = " (the app renders this view with a constant for it only)"


def render_calls(model: SemanticModel, calls: Iterable[Node]) -> list[dict[str, Any]]:
    """`x.render("view", { name: value })`: the view, and for each name whether its value is a constant;
    `opaque` when the data is not an object literal (the names it holds are not known)."""
    found: list[dict[str, Any]] = []
    for call in calls:
        if model.method_name(call) not in RENDER_METHODS:
            continue
        args = model.arguments(call)
        view = model.string_value(args[0]) if args else None
        if view is None:
            continue
        record: dict[str, Any] = {"view": view, "constants": {}, "opaque": False}
        data = object_literal(model, args[1], unmutated=True) if len(args) > 1 else None
        if len(args) > 1 and data is None and unwrap(args[1]).type not in ("arrow_function", "function_expression"):
            record["opaque"] = True
        for pair in data.named_children if data is not None else ():
            if pair.type == "shorthand_property_identifier":
                record["constants"][model.source[pair.start_byte:pair.end_byte].decode()] = model.is_constant(pair)
            elif pair.type == "pair":
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                name = model._property_key(key) if key is not None else None
                if name is not None and value is not None:
                    record["constants"][name] = model.is_constant_choice(value)
            else:  # a spread: names not known
                record["opaque"] = True
        found.append(record)
    return found


def constant_only_outputs(findings: Sequence[Finding], renders: Mapping[str, list[dict[str, Any]]]) -> list[Finding]:
    """``findings`` with NW118 lowered where every render of the template's view passes a constant."""
    if not renders:
        return list(findings)
    return [_judged(f, renders) if f.rule_id == "NW118" else f for f in findings]


def _judged(finding: Finding, renders: Mapping[str, list[dict[str, Any]]]) -> Finding:
    match = _BARE_NAME.match(finding.message)
    parts = finding.path.split("/")
    folders = [i for i, part in enumerate(parts[:-1]) if part in VIEW_FOLDERS]
    if match is None or not folders:
        return finding
    at = folders[-1]
    app = "/".join(parts[:at])
    view = "/".join(parts[at + 1:])
    names = {view, posixpath.splitext(view)[0]}
    calls = [call for path, records in renders.items() if _within(path, app) for call in records
             if call["view"].lstrip("./") in names]
    name = match.group(1)
    if not calls or any(call["opaque"] or not call["constants"].get(name, True) for call in calls):
        return finding
    return replace(finding, confidence=Confidence.LOW, message=finding.message + CONSTANT_ONLY)


def _within(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")
