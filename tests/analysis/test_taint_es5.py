"""Taint through ES5 idioms: `arguments`, `f.call`/`f.apply`, `Array.prototype.slice.call(arguments)`, arrays
filled element by element, and the exports of UMD factories and of functions with members attached."""

from __future__ import annotations

from tree_sitter import Node

from nodeward.analysis.taint.engine import ANY_ARGUMENT, PARAM, SOURCE, TaintAnalysis
from nodeward.analysis.taint.exports import collect_exports
from nodeward.lang.js import parser
from nodeward.lang.js.model import SemanticModel


def _analysis(source: str) -> TaintAnalysis:
    data = source.encode()
    return TaintAnalysis(SemanticModel(parser.parse(data, "javascript"), data, "javascript"), "input.js")


def _returned(analysis: TaintAnalysis, name: str) -> Node:
    """The expression of the last `return` of the function `name`."""
    for statement in parser.captures("javascript", "(return_statement) @r", analysis.model.tree.root_node)["r"]:
        function = analysis.enclosing_function(statement)
        if function is not None and analysis.function_name(function) == name:
            returned = statement
    return returned.named_children[0]


def test_arguments_is_every_parameter() -> None:
    analysis = _analysis("function merge(target) { var s = arguments[1]; return s; }\n")
    [origin] = analysis.taint_of(_returned(analysis, "merge"))
    assert (origin.kind, origin.label, origin.index) == (PARAM, "arguments", ANY_ARGUMENT)


def test_arrow_functions_see_the_arguments_of_their_function() -> None:
    analysis = _analysis("function outer(a) { const f = () => arguments[0]; return f(); }\n"
                         "function g() { return 1; }\n")
    origins = analysis.taint_of(_returned(analysis, "outer"))
    assert {(o.kind, o.index) for o in origins} == {(PARAM, ANY_ARGUMENT)}
    assert all(o.function == analysis.function_key(analysis.enclosing_function(_returned(analysis, "outer")))
               for o in origins)


def test_slice_call_of_arguments_propagates() -> None:
    analysis = _analysis("var slice = Array.prototype.slice;\n"
                         "function a() { return Array.prototype.slice.call(arguments, 1); }\n"
                         "function b() { return slice.call(arguments, 1); }\n")
    for name in ("a", "b"):
        assert {o.label for o in analysis.taint_of(_returned(analysis, name))} == {"arguments"}


def test_call_and_apply_run_the_function_with_the_arguments() -> None:
    source = (
        "const app = require('express')();\n"
        "function id(x) { return x; }\n"
        "function viaCall(req) { return id.call(null, req.query.a); }\n"
        "function viaApply(req) { return id.apply(null, [req.query.b]); }\n"
        "function constant(req) { return id.call(req.query.c, 'fixed'); }\n"
        "app.get('/', viaCall); app.get('/b', viaApply); app.get('/c', constant);\n"
    )
    analysis = _analysis(source)
    assert {o.kind for o in analysis.taint_of(_returned(analysis, "viaCall"))} == {SOURCE}
    assert {o.kind for o in analysis.taint_of(_returned(analysis, "viaApply"))} == {SOURCE}
    assert analysis.taint_of(_returned(analysis, "constant")) == frozenset()  # `this`, not an argument


def test_apply_with_arguments_is_recorded_for_phase_two() -> None:
    analysis = _analysis("function set(o, p, v) { o[p] = v; }\n"
                         "function deep() { return set.apply(null, arguments); }\n")
    calls = parser.captures("javascript", "(call_expression) @c", analysis.model.tree.root_node)["c"]
    analysis.record_project_calls(calls)
    [site] = analysis.call_sites
    assert len(site["args"]) == 3  # one per parameter of `set`, each any argument of `deep`
    assert all(arg[0]["label"] == "arguments" and arg[0]["index"] == ANY_ARGUMENT for arg in site["args"])


def test_element_writes_fill_the_array() -> None:
    analysis = _analysis("function copy() { var items = []; for (var i = 0; i < 3; i++) items[i] = arguments[i];"
                         " return items; }\n"
                         "function later() { var list = [1]; list[0] = 2; var x = list; return x; }\n")
    assert "arguments" in {o.label for o in analysis.taint_of(_returned(analysis, "copy"))}
    assert all(o.kind != PARAM for o in analysis.taint_of(_returned(analysis, "later")))


def test_umd_factory_exports_what_the_factory_returns() -> None:
    source = (
        "(function (root, factory) {\n"
        "  if (typeof module === 'object') module.exports = factory(); else root.lib = factory();\n"
        "})(this, function () {\n"
        "  var api = function () {};\n"
        "  api.set = function (obj, path, value) {};\n"
        "  function unexported(a) {}\n"
        "  return api;\n"
        "});\n"
    )
    names = collect_exports(_analysis(source))["names"]
    assert set(names) == {"default", "set"}


def test_members_attached_to_an_exported_function() -> None:
    source = (
        "function flatten(o) {}\nfunction unflatten(o) {}\nfunction query(o, p) {}\nfunction helper() {}\n"
        "module.exports = flatten;\nflatten.unflatten = unflatten;\n"
        "Object.assign(flatten, { query, other: helper });\n"
    )
    names = collect_exports(_analysis(source))["names"]
    assert set(names) == {"default", "unflatten", "query", "other"}


def test_member_writes_fill_a_local_object() -> None:
    analysis = _analysis("function parse(args) { var options = { depth: 1 };"
                         " options.objects = args; return options; }\n"
                         "function fixed() { var o = {}; o.mode = 'x'; return o; }\n")
    assert {o.label for o in analysis.taint_of(_returned(analysis, "parse"))} >= {"args"}
    assert all(o.kind != PARAM for o in analysis.taint_of(_returned(analysis, "fixed")))


def test_rest_parameters_are_named() -> None:
    analysis = _analysis("function f(first, ...rest) { return rest; }\n")
    function = analysis.enclosing_function(_returned(analysis, "f"))
    assert analysis.function_info(function).params == ["first", "...rest"]


def test_lodash_iteratee_parameters_take_the_collection() -> None:
    analysis = _analysis("const _ = require('lodash');\n"
                         "function keysOf(src) { var last; _.each(src, function (v, k) { last = k; });"
                         " return last; }\n")
    assert "src" in {o.label for o in analysis.taint_of(_returned(analysis, "keysOf"))}


def test_constructor_methods_and_attached_modules_are_exported() -> None:
    source = (
        "function Store() { var self = this; self.set = function (k, v) {}; this.get = function (k) {};"
        " function hidden(x) {} }\n"
        "module.exports = new Store();\n"
        "module.exports.Other = require('./other');\n"
    )
    exports = collect_exports(_analysis(source))
    assert set(exports["names"]) == {"default", "default#this.set", "default#this.get"}
    assert {"name": "Other", "module": "./other", "export": "*"} in exports["reexports"]


def test_callbacks_of_borrowed_iteration_methods() -> None:
    analysis = _analysis("var each = Array.prototype.forEach;\n"
                         "function a(list) { var last; each.call(list, function (x) { last = x; }); return last; }\n"
                         "function b(list) { var last; [].forEach.call(list, function (x) { last = x; });"
                         " return last; }\n")
    for name in ("a", "b"):
        assert "list" in {o.label for o in analysis.taint_of(_returned(analysis, name))}


def test_this_of_a_wrapper_called_with_module_this_is_module_exports() -> None:
    source = ("(function () {\n  var extend = function (obj) {};\n  this.extend = extend;\n}).call(this);\n"
              "(function () { this.hidden = function () {}; })();\n")
    assert set(collect_exports(_analysis(source))["names"]) == {"extend"}


def test_constructions_are_calls_of_the_constructor() -> None:
    analysis = _analysis("const Tree = require('./tree');\n"
                         "class Local { constructor(a) {} other(b) {} }\n"
                         "function Legacy(c) {}\n"
                         "function make(x) { new Tree(x); new Local(x); new Legacy(x); }\n")
    calls = parser.captures("javascript", "(call_expression) @c", analysis.model.tree.root_node)["c"]
    analysis.record_project_calls(calls)
    callees = [site["callee"] for site in analysis.call_sites]
    assert {"module": "./tree", "export": "default", "new": "1"} in callees
    functions = parser.captures("javascript", "[(method_definition) (function_declaration)] @f",
                                analysis.model.tree.root_node)["f"]
    names = {analysis.function_key(f): analysis.function_name(f) for f in functions}
    assert sorted(names[c["local"]] for c in callees if "local" in c) == ["Legacy", "constructor"]


def test_typescript_star_exports_are_reexports() -> None:
    source = ('"use strict";\nfunction __export(m) {\n'
              '  for (var p in m) if (!exports.hasOwnProperty(p)) exports[p] = m[p];\n}\n'
              '__export(require("./merge"));\ntslib_1.__exportStar(require("./clone"), exports);\n')
    reexports = collect_exports(_analysis(source))["reexports"]
    assert [r["module"] for r in reexports] == ["./merge", "./clone"]
