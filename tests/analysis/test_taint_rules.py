"""The classic "non-constant argument" rules as taint rules: request data is reported with high confidence and a
trace, sanitized data not at all, values of unknown origin with the rule's own confidence."""

from __future__ import annotations

import pytest

from nodeward.findings import Confidence, Finding
from nodeward.lang.js import parser
from nodeward.lang.js.model import SemanticModel
from nodeward.scanners.code import CodeScanner

_SCANNER = CodeScanner()


def findings(source: str, rule: str, dialect: str = "javascript") -> list[Finding]:
    result = _SCANNER.scan_source("input.js" if dialect == "javascript" else "input.ts", source.encode(), dialect)
    return sorted((f for f in result.findings if f.rule_id == rule), key=lambda f: f.location.start_line)


HANDLER = "const app = require('express')();\napp.get('/x', (req, res) => {{\n{body}\n}});\n"


@pytest.mark.parametrize(
    ("rule", "prelude", "line", "source_label"),
    [
        ("NW102", "", "eval('(' + req.query.expr + ')');", "req.query.expr"),
        ("NW102", "const vm = require('vm');", "vm.runInNewContext(req.body.code, {});", "req.body.code"),
        ("NW103", "", "require('./plugins/' + req.params.name);", "req.params.name"),
        ("NW104", "", "new RegExp('^' + req.query.prefix);", "req.query.prefix"),
        ("NW401", "const fs = require('fs');", "fs.readFileSync('/data/' + req.query.file);", "req.query.file"),
        ("NW401", "", "res.sendFile(req.params.file);", "req.params.file"),
    ],
)
def test_request_data_is_high_confidence_with_trace(rule: str, prelude: str, line: str, source_label: str) -> None:
    found = findings(prelude + "\n" + HANDLER.format(body=line), rule)
    assert len(found) == 1
    finding = found[0]
    assert finding.confidence is Confidence.HIGH
    assert source_label in finding.message
    assert len(finding.trace) >= 2
    assert finding.trace[-1].location.start_line == finding.location.start_line


@pytest.mark.parametrize(
    ("rule", "prelude", "line"),
    [
        ("NW102", "", "eval(Number(req.query.n) + 1);"),
        ("NW104", "const esc = require('escape-string-regexp');", "new RegExp(esc(req.query.q));"),
        ("NW401", "const fs = require('fs'); const path = require('path');",
         "fs.readFileSync(path.join(__dirname, path.basename(req.query.file)));"),
        ("NW401", "const fs = require('fs'); const clean = require('sanitize-filename');",
         "fs.readFileSync('/srv/' + clean(req.query.file));"),
        ("NW103", "const TABLE = { a: './a', b: './b' };", "require(TABLE[req.query.kind]);"),
    ],
)
def test_sanitized_request_data_is_not_reported(rule: str, prelude: str, line: str) -> None:
    assert findings(prelude + "\n" + HANDLER.format(body=line), rule) == []


@pytest.mark.parametrize(
    ("rule", "source", "confidence"),
    [
        ("NW102", "function run(code) { return eval(code); }", Confidence.MEDIUM),
        ("NW103", "function load(name) { return require(name); }", Confidence.MEDIUM),
        ("NW104", "function match(p) { return new RegExp(p); }", Confidence.LOW),
        ("NW401", "const fs = require('fs'); function read(f) { return fs.readFileSync(f); }", Confidence.LOW),
    ],
)
def test_unknown_origin_keeps_the_rule_confidence(rule: str, source: str, confidence: Confidence) -> None:
    found = findings(source, rule)
    assert [f.confidence for f in found] == [confidence]
    assert found[0].trace == ()


def test_one_finding_per_sink_node() -> None:
    source = "const app = require('express')();\napp.get('/', (req) => new Function(req.query.a, req.query.b));\n"
    assert len(findings(source, "NW102")) == 1


def test_created_require_is_a_module_loader() -> None:
    source = (
        "import { createRequire } from 'node:module';\n"
        "const require = createRequire(import.meta.url);\n"
        "const cp = require('child_process');\n"
        "export function run(req) { cp.exec(req.query.cmd); return require(req.query.mod); }\n"
    )
    assert [f.location.start_line for f in findings(source, "NW101", "typescript")] == [4]
    assert [f.confidence for f in findings(source, "NW103", "typescript")] == [Confidence.HIGH]


def _model(source: str) -> SemanticModel:
    data = source.encode()
    return SemanticModel(parser.parse(data, "javascript"), data, "javascript")


def _used(model: SemanticModel) -> list[bool]:
    calls = parser.captures(model.dialect, "(call_expression) @c", model.tree.root_node)["c"]
    uses = sorted((c for c in calls if model.text(c.child_by_field_name("function") or c) == "use"),
                  key=lambda c: c.start_byte)
    return [model.is_constant_choice(model.arguments(c)[0]) for c in uses]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("const path = require('path'); use(path.sep); use('a' + path.delimiter);", [True, True]),
        ("import { sep } from 'node:path'; import { EOL } from 'os'; use(sep + EOL);", [True]),
        ("const { posix, win32 } = require('path'); use(posix.sep); use(win32.delimiter);", [True, True]),
        ("const path = require('path'); use(path.other);", [False]),
        ("const T = { a: 1 }; use(T[x]); use(c ? 'a' : 'b'); use(x);", [True, True, False]),
        ("for (const m of ['a', 'b']) use(m); ['a'].forEach((n) => use(n)); list.forEach((n) => use(n));",
         [True, True, False]),
    ],
)
def test_model_constant_choices_and_platform_constants(source: str, expected: list[bool]) -> None:
    assert _used(_model(source)) == expected


@pytest.mark.parametrize(
    ("source", "confidence"),
    [
        ("const RE = /^(a+)+$/;", Confidence.HIGH),  # exponential: dangerous wherever it is used
        ("const RE = /\\s+$/;", Confidence.LOW),  # polynomial: NW113 says whether input reaches it
        # A pattern the module exports: its users match their own input against it.
        ("module.exports = /\\s+$/;", Confidence.MEDIUM),
        ("module.exports = (opts) => new RegExp(['[;?]*(?:;[a-z]*)*\\u0007', 'x'].join('|'), 'g');", Confidence.MEDIUM),
        ("export default function trailing() { return /\\s+$/g; }", Confidence.MEDIUM),
        ("module.exports = function strip(s) { return s.replace(/\\s+$/, ''); };", Confidence.LOW),
    ],
)
def test_unsafe_regex_confidence_follows_the_growth(source: str, confidence: Confidence) -> None:
    assert [f.confidence for f in findings(source, "NW105")] == [confidence]


@pytest.mark.parametrize(
    ("line", "confidence"),
    [
        ("res.json(/^(a+)+$/.test(req.query.q));", Confidence.HIGH),
        ("res.json(/\\s+$/.test(req.query.q));", Confidence.MEDIUM),
        ("if (req.query.q.length > 12) return;\nres.json(/^(a+)+$/.test(req.query.q));", None),
        ("if (req.query.q.length > 300) return;\nres.json(/^(a+)+$/.test(req.query.q));", Confidence.HIGH),
        ("if (req.query.q.length > 300) return;\nres.json(/\\s+$/.test(req.query.q));", None),
    ],
)
def test_regex_denial_of_service_knows_length_limits(line: str, confidence: Confidence | None) -> None:
    found = findings(HANDLER.format(body=line), "NW113")
    assert [f.confidence for f in found] == ([confidence] if confidence else [])


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("port = parseInt(port, 10);\n  cp.execSync('lsof -t -i:' + port);", False),
        ("port = Number(port);\n  return () => cp.execSync('lsof -t -i:' + port);", False),
        ("port = String(port).trim();\n  cp.execSync('lsof -t -i:' + port);", True),
        ("if (typeof port === 'string') port = parseInt(port, 10);\n  cp.execSync('lsof -t -i:' + port);", True),
        ("cp.execSync('lsof -t -i:' + port);\n  port = parseInt(port, 10);", True),
        ("port = parseInt(port, 10);\n  if (!port) { port = other; }\n  cp.execSync('lsof -t -i:' + port);", True),
    ],
)
def test_parameters_reassigned_before_use_take_the_new_value(body: str, reported: bool) -> None:
    source = (f"const cp = require('child_process');\nfunction kill(port, other) {{\n  {body}\n}}\n"
              "module.exports = kill;\n")
    assert bool(findings(source, "NW101")) is reported


WALK = """let node = {{}};
const parts = req.body.path.split(".");
for (const part of parts.slice(0, -1)) {{
  if (part === "__proto__") return;
  {step}
}}
node[parts[parts.length - 1]] = req.body.value;"""


@pytest.mark.parametrize(
    ("step", "confidence"),
    [
        ("node = node[part] || (node[part] = {});", Confidence.LOW),  # constructor.prototype is left
        ("if (typeof node[part] !== 'object') node[part] = {}; node = node[part];", None),  # functions not entered
        ("if (!Object.prototype.toString.call(node[part]).includes('Object')) node[part] = {}; node = node[part];",
         None),
        # Functions entered on purpose: `constructor` (the function Object) then `prototype`.
        ("node = typeof node[part] === 'function' ? node[part] : (node[part] = node[part] || {});", Confidence.HIGH),
    ],
)
def test_a_proto_only_guard_leaves_a_low_confidence_finding(step: str, confidence: Confidence | None) -> None:
    found = findings(HANDLER.format(body=WALK.format(step=step)), "NW112")
    assert [f.confidence for f in found] == ([confidence] if confidence is not None else [])
