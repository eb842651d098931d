"""The semantic model: every spelling of a module function resolves to one name; constants stay constant."""

from __future__ import annotations

import pytest
from tree_sitter import Node

from nodeward.lang.js import parser
from nodeward.lang.js.model import FILE_QUERIES, UNKNOWN, SemanticModel, prefixed_query


def model_of(source: str, dialect: str = "javascript") -> SemanticModel:
    data = source.encode()
    return SemanticModel(parser.parse(data, dialect), data, dialect)


def last_call(model: SemanticModel) -> Node:
    calls = parser.captures(model.dialect, "(call_expression) @c (new_expression) @c", model.tree.root_node)["c"]
    return max(calls, key=lambda n: n.start_byte)


def marked_value(model: SemanticModel) -> Node:
    """The first argument of the call `use(<expr>)` in the snippet."""
    calls = parser.captures(model.dialect, "(call_expression) @c", model.tree.root_node)["c"]
    use = next(c for c in calls if model.text(c.child_by_field_name("function") or c) == "use")
    return model.arguments(use)[0]


@pytest.mark.parametrize(
    ("source", "dialect", "expected"),
    [
        ("const cp = require('child_process'); cp.exec(x)", "javascript", "child_process.exec"),
        ("const cp = require('node:child_process'); cp.exec(x)", "javascript", "child_process.exec"),
        ("const { exec: run } = require('child_process'); run(x)", "javascript", "child_process.exec"),
        ("const { exec } = require('child_process'); exec(x)", "javascript", "child_process.exec"),
        ("import cp from 'child_process'; cp.execSync(x)", "javascript", "child_process.execSync"),
        ("import * as cp from 'child_process'; cp.spawn(x)", "javascript", "child_process.spawn"),
        ("import { exec as run } from 'child_process'; run(x)", "javascript", "child_process.exec"),
        ("import cp = require('child_process'); cp.exec(x)", "typescript", "child_process.exec"),
        ("const cp = require('child_process'); const run = cp.execSync; run(x)", "javascript",
         "child_process.execSync"),
        ("const fs = require('fs/promises'); fs.readFile(x)", "javascript", "fs.promises.readFile"),
        ("const fs = require('fs'); fs.promises.readFile(x)", "javascript", "fs.promises.readFile"),
        ("const { promises: fsp } = require('fs'); fsp.readFile(x)", "javascript", "fs.promises.readFile"),
        ("import { readFile } from 'node:fs/promises'; readFile(x)", "javascript", "fs.promises.readFile"),
        ("const fse = require('fs-extra'); fse.outputFile(x)", "javascript", "fs-extra.outputFile"),
        ("const util = require('util'); const e = util.promisify(require('child_process').exec); e(x)",
         "javascript", "child_process.exec"),
        ("require('child_process').exec(x)", "javascript", "child_process.exec"),
        ("eval(x)", "javascript", "eval"),
        ("new Function(x)", "javascript", "Function"),
        ("const vm = require('vm'); new vm.Script(x)", "javascript", "vm.Script"),
        ("(cp as any).exec(x); import * as cp from 'child_process'", "typescript", "child_process.exec"),
        ("const yaml_1 = require('js-yaml'); yaml_1.default.load(x)", "javascript", "js-yaml.load"),
        ("const set_1 = require('lodash.set'); set_1.default(o, p, v)", "javascript", "lodash.set"),
        # compiled code calls an imported function without a `this`: `(0, _mod.fn)(...)`
        ("var _cp = require('child_process'); (0, _cp.exec)(x)", "javascript", "child_process.exec"),
    ],
)
def test_qualified_names_resolve_every_spelling(source: str, dialect: str, expected: str) -> None:
    model = model_of(source, dialect)
    calls = parser.captures(dialect, "(call_expression) @c (new_expression) @c", model.tree.root_node)["c"]
    names = {model.call_name(call) for call in calls}
    assert expected in names


@pytest.mark.parametrize(
    "source",
    [
        "function f(eval) { eval(x) }",
        "const exec = (c) => c; exec(x)",
        "function g() { const require = load; require('child_process').exec(x) }",
        "let cp = require('child_process'); cp = other; cp.exec(x)",
    ],
)
def test_shadowed_or_reassigned_names_do_not_resolve(source: str) -> None:
    model = model_of(source)
    assert model.call_name(last_call(model)) not in ("eval", "child_process.exec")


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("use('a' + 'b')", "ab"),
        ("const A = 'x'; use(`${A}-y`)", "x-y"),
        ("const A = 'x'; const B = A + 1; use(B)", "x1"),
        ("const CFG = { dir: 'logs' }; use(CFG.dir)", "logs"),
        ("const { dir } = { dir: 'logs' }; use(dir)", "logs"),
        ("use('a\\nb')", "a\nb"),
        ("use(__dirname)", UNKNOWN),
        ("const path = require('path'); use(path.join(__dirname, 'x'))", UNKNOWN),
        ("import path from 'node:path'; use(path.resolve(import.meta.dirname, 'x'))", UNKNOWN),
        ("const LANG = 'en'; use(`./locale/${LANG}.json`)", "./locale/en.json"),
        ("use(flag ? 'a' : 'b')", None),  # condition is irrelevant, but flag is undeclared: still constant
        ("let once = 'v'; use(once)", "v"),
        ("use(['a', 'b'].join(' '))", "a b"),  # joined: a regex's alternatives are built so
        ("use(process.cwd())", UNKNOWN),
        ("import { fileURLToPath } from 'node:url'; use(fileURLToPath(new URL('./x', import.meta.url)))", UNKNOWN),
        ("for (const name of ['a', 'b']) { use(name) }", UNKNOWN),
        ("const T = { a: 1 }; for (const k in T) { use(k) }", UNKNOWN),
        ("const T = { a: 'x' }; for (const [k, v] of Object.entries(T)) { use(v) }", UNKNOWN),
        ("const CFG = Object.freeze({ dir: 'd' }); use(CFG.dir)", UNKNOWN),
    ],
)
def test_constant_values(source: str, value: object) -> None:
    model = model_of(source)
    result = model.evaluate(marked_value(model))
    assert result is not None
    if value is not None:
        assert result.value == value or (value is UNKNOWN and result.value is UNKNOWN)


@pytest.mark.parametrize(
    "source",
    [
        "function f(p) { use(p) }",
        "use(req.query.x)",
        "const A = 'x'; use(A + req.body)",
        "let v = 'a'; v = input(); use(v)",
        "use(`${process.env.HOME}/x`)",
        "const path = require('path'); use(path.join(__dirname, name))",
        "for (const f of files) { use(f) }",
        "use(readConfig())",
        "const cfg = { dir: 'a' }; cfg.dir = req.query.x; use(cfg.dir)",
        "for (const name of req.body.names) { use(name) }",
    ],
)
def test_non_constant_values(source: str) -> None:
    model = model_of(source)
    assert model.evaluate(marked_value(model)) is None


def test_web_crypto_global_is_not_the_crypto_module() -> None:
    model = model_of("crypto.getRandomValues(buf)")
    assert model.call_name(last_call(model)) is None
    model = model_of("const crypto = require('crypto'); crypto.pseudoRandomBytes(1)")
    assert model.call_name(last_call(model)) == "crypto.pseudoRandomBytes"


# ----- whole-file queries served from the scanner's combined query -------------------------------------


def test_capture_names_are_prefixed_in_patterns_and_predicates_but_not_in_strings() -> None:
    query = '(call_expression function: (identifier) @f (#eq? @f "@f")) @call'
    assert prefixed_query(query, "q7.") == '(call_expression function: (identifier) @q7.f (#eq? @q7.f "@f")) @q7.call'


def test_a_query_asked_once_is_answered_from_later_files_combined_query_with_the_same_nodes() -> None:
    from nodeward.scanners.code import REBUILD_EVERY, CodeScanner

    asked = '(call_expression function: (member_expression property: (property_identifier) @p (#eq? @p "use"))) @use'
    source = b"app.use(a); app.get(b); router.use(c, d); use(e);\n"
    scanner = CodeScanner()
    for _ in range(REBUILD_EVERY + 1):  # enough files for the scanner to add what was asked to its query
        scanner.scan_source("a.js", source, "javascript")
        tree = parser.parse(source, "javascript")
        SemanticModel(tree, source, "javascript").captures(asked)
    assert asked in FILE_QUERIES
    indexed, query = scanner.file_query("javascript")
    assert asked in indexed
    tree = parser.parse(source, "javascript")
    model = SemanticModel(tree, source, "javascript", index=parser.captures("javascript", query, tree.root_node),
                          indexed=indexed)
    served = {name: [model.text(n) for n in nodes] for name, nodes in model.captures(asked).items()}
    alone = {name: [model.text(n) for n in nodes]
             for name, nodes in parser.captures("javascript", asked, tree.root_node).items()}
    assert served == alone == {"use": ["app.use(a)", "router.use(c, d)"], "p": ["use", "use"]}


def test_the_use_server_directive_is_found_after_comments_and_files_of_many_comments_are_quick() -> None:
    from nodeward.analysis.taint.nextjs import USE_SERVER

    assert USE_SERVER.match(b"/* license */\n// note\n  'use server';\n")
    assert USE_SERVER.match(b'"use server"')
    assert not USE_SERVER.match(b"const a = 1; 'use server'")
    assert not USE_SERVER.match(b"/* never closed 'use server'")
    # 60 comment blocks without the directive: the old pattern backtracked through 2^60 ways to close them.
    assert not USE_SERVER.match(b"/* c */\n" * 60 + b"module.exports = 1;\n")
