"""Guards that dominate a sink: allow-list checks and containment tests of resolved paths sanitize the value there."""

from __future__ import annotations

import pytest

from nodeward.analysis.taint.engine import TaintAnalysis
from nodeward.analysis.taint.guards import allow_list_regex_classes, deny_list_classes
from nodeward.lang.js import parser
from nodeward.lang.js.model import SemanticModel

PRELUDE = "const fs = require('fs'); const path = require('path'); const ROOT = '/srv/files';\n"
ALLOWED = "const ALLOWED = ['a.txt', 'b.txt']; const NAMES = new Set(['x', 'y']);\n"


def sink_origins(body: str, sink_class: str = "path") -> list[str]:
    """Labels of the origins not sanitized for `sink_class` at the `sink(...)` call of an Express handler."""
    source = PRELUDE + ALLOWED + "app.get('/f', (req, res) => {\n" + body + "\n});\n"
    data = source.encode()
    model = SemanticModel(parser.parse(data, "javascript"), data, "javascript")
    analysis = TaintAnalysis(model, "x.js")
    calls = parser.captures(model.dialect, "(call_expression) @c", model.tree.root_node)["c"]
    sink = next(c for c in calls if model.text(c.child_by_field_name("function") or c) == "sink")
    taint = analysis.sink_taint(model.arguments(sink)[0], sink)
    return sorted(o.label for o in taint if not o.clean_for(sink_class))


@pytest.mark.parametrize(
    "body",
    [
        # allow-lists: early exits, enclosing ifs, else branches, &&
        "const name = req.query.name;\nif (!ALLOWED.includes(name)) return;\nsink(name);",
        "const name = req.query.name;\nif (!ALLOWED.includes(name)) { res.sendStatus(404); return; }\n"
        "sink(path.join(ROOT, name));",
        "const name = req.query.name;\nif (ALLOWED.includes(name)) { sink(name); }",
        "const name = req.query.name;\nif (!NAMES.has(name)) { throw new Error('no'); } else { sink(name); }",
        "const name = req.query.name;\nif (NAMES.has(name)) { sink(name); }",
        "const name = req.query.name;\nif (ALLOWED.indexOf(name) === -1) return;\nsink(name);",
        "const name = req.query.name;\nif (ALLOWED.indexOf(name) > -1) sink(name);",
        "const name = req.query.name;\nif (name !== 'a.txt' && name !== 'b.txt') return;\nsink(name);",
        "const name = req.query.name;\nif (name === 'a.txt' || name === 'b.txt') { sink(name); }",
        "const name = req.query.name;\nALLOWED.includes(name) && sink(name);",
        "if (!ALLOWED.includes(req.query.name)) return;\nsink(req.query.name);",
        "const name = req.query.name;\nif (!/^[a-z0-9_-]+$/i.test(name)) return;\nsink(name);",
        "const name = req.query.name;\nconst file = path.join(ROOT, name);\nif (!ALLOWED.includes(name)) return;\n"
        "sink(file);",
        # containment of a resolved path
        "const target = path.resolve(ROOT, req.query.name);\nif (!target.startsWith(ROOT + path.sep)) {\n"
        "  throw new Error('outside');\n}\nsink(target);",
        "const target = path.join(ROOT, req.query.name);\nif (target.startsWith(ROOT)) { sink(target); }",
        "const target = path.resolve(ROOT, req.query.name);\nconst rel = path.relative(ROOT, target);\n"
        "if (rel.startsWith('..') || path.isAbsolute(rel)) return;\nsink(target);",
        "const name = req.query.name;\nif (name.includes('..')) return;\nsink(path.join(ROOT, name));",
        # the resolved form checked, the path itself used (the file system resolves it the same way)
        "const file = path.join(ROOT, req.query.name);\nconst abs = path.resolve(file);\n"
        "if (abs.indexOf(ROOT) !== 0) return;\nsink(file);",
        # a callback made after the check, and the folder of the checked path
        "const file = path.resolve(ROOT, req.query.name);\nif (!file.startsWith(ROOT)) return;\n"
        "fs.stat(file, (err) => {\n  const dir = path.dirname(file);\n  sink(file);\n});",
        "let file = path.join(ROOT, req.query.name);\nconst abs = path.resolve(file);\n"
        "if (!abs.startsWith(ROOT)) return;\nfile = path.dirname(file);\nsink(file);",
        "for (const name of req.body.files) {\n  if (!ALLOWED.includes(name)) continue;\n  sink(name);\n}",
    ],
)
def test_guarded_values_are_clean(body: str) -> None:
    assert sink_origins(body) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # no guard, or a guard that does not protect the sink
        ("sink(req.query.name);", ["req.query.name"]),
        # a callback registered before the check
        ("const file = path.resolve(ROOT, req.query.name);\nwatch(() => sink(file));\n"
         "if (!file.startsWith(ROOT)) return;", ["req.query.name"]),
        ("const file = path.join(ROOT, req.query.name);\nconst abs = path.resolve(file);\n"
         "if (abs.indexOf(ROOT) === -1) return;\nsink(file);", ["req.query.name"]),  # contains, not starts with
        ("const name = req.query.name;\nif (ALLOWED.includes(name)) { log(name); }\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (!ALLOWED.includes(name)) { log(name); }\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (ALLOWED.includes(name)) return;\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (!ALLOWED.includes(name) && name) return;\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (name === 'a' || other) { sink(name); }", ["req.query.name"]),
        ("const name = req.query.name;\nconst other = req.query.other;\nif (!ALLOWED.includes(other)) return;\n"
         "sink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (!list.includes(name)) return;\nsink(name);", ["req.query.name"]),
        # a prefix test of an unresolved path: `ROOT/../etc` starts with ROOT
        ("const target = ROOT + '/' + req.query.name;\nif (!target.startsWith(ROOT)) return;\nsink(target);",
         ["req.query.name"]),
        ("const name = req.query.name;\nif (!/[a-z]+/.test(name)) return;\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (!/^[\\w.-]+$/.test(name)) return;\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (!/^.+$/.test(name)) return;\nsink(name);", ["req.query.name"]),
        ("const name = req.query.name;\nif (name.includes('..')) { log(); }\nsink(name);", ["req.query.name"]),
    ],
)
def test_unguarded_values_stay_tainted(body: str, expected: list[str]) -> None:
    assert sink_origins(body) == expected


def test_containment_guards_only_protect_paths() -> None:
    body = "const target = path.resolve(ROOT, req.query.name);\nif (!target.startsWith(ROOT)) return;\nsink(target);"
    assert sink_origins(body, "path") == []
    assert sink_origins(body, "command") == ["req.query.name"]


def test_dotted_allow_list_regex_is_not_a_path_guard() -> None:
    body = "const name = req.query.name;\nif (!/^[\\w.-]+$/.test(name)) return;\nsink(name);"
    assert sink_origins(body, "command") == []
    assert sink_origins(body, "path") == ["req.query.name"]


def test_guards_hold_in_callbacks_made_after_them() -> None:
    body = "const name = req.query.name;\nif (!ALLOWED.includes(name)) return;\nsetTimeout(() => sink(name), 1);"
    assert sink_origins(body) == []
    # the callback runs later: an assignment after it, in the outer function, may come first
    body = "let name = req.query.name;\nif (!ALLOWED.includes(name)) return;\nsetTimeout(() => sink(name), 1);\n" \
        "name = req.query.other;"
    assert "req.query.name" in sink_origins(body)
    # a function that is not a callback argument (a handler stored for later) does not see the check
    body = "const name = req.query.name;\nif (!ALLOWED.includes(name)) return;\nconst later = () => sink(name);"
    assert sink_origins(body) == ["req.query.name"]


@pytest.mark.parametrize(
    ("pattern", "safe_for_paths", "safe_for_commands"),
    [
        ("^[a-z0-9]+$", True, True),
        ("^[A-Za-z0-9_-]{1,64}$", True, True),
        ("^\\d+$", True, True),
        ("^[\\w-]+\\.json$", False, True),
        ("^[\\w.-]+$", False, True),
        ("[a-z]+", False, False),
        ("^[a-z]+", False, False),
        ("^.*$", False, False),
        ("^[^/]+$", False, False),
        ("^(a|b)$", False, False),
        ("^[a-z/]+$", False, False),
    ],
)
def test_allow_list_regex_classes(pattern: str, safe_for_paths: bool, safe_for_commands: bool) -> None:
    classes = allow_list_regex_classes(pattern)
    assert ("*" in classes or "path" in classes) is safe_for_paths
    assert ("*" in classes or "command" in classes) is safe_for_commands


# ----- deny-lists of shell metacharacters --------------------------------------------------------------------

@pytest.mark.parametrize(
    "body",
    [
        "const cmd = req.query.cmd;\nif (/[`$&{}[;|]/g.test(cmd)) { log('no'); } else { sink(cmd); }",
        "const cmd = req.query.cmd;\nif (/[;&|`$]/.test(cmd)) return;\nsink(cmd);",
        "const cmd = req.query.cmd;\nif (cmd.match(/[;&|`$()<>]/)) throw new Error('bad');\nsink(cmd);",
        "const cmd = req.query.cmd;\nif (cmd.search(/[;&|`$]/) !== -1) return;\nsink(cmd);",
        "const cmd = req.query.cmd;\nif (cmd.search(/[;&|`$]/) === -1) { sink(cmd); }",
        "const cmd = req.query.cmd;\nif (!/[;&|`$\\n]/.test(cmd)) { sink(cmd); }",
        # a negated class: every character outside the set is refused, an allow-list
        "const cmd = req.query.cmd;\nif (/[^a-z0-9_-]/i.test(cmd)) return;\nsink(cmd);",
    ],
)
def test_shell_deny_lists_clean_commands(body: str) -> None:
    assert sink_origins(body, "command") == []


@pytest.mark.parametrize(
    "body",
    [
        # the list misses `$` and the backtick: `$(id)` still runs
        "const cmd = req.query.cmd;\nif (/[;&|]/.test(cmd)) return;\nsink(cmd);",
        # the test holding is not the test failing
        "const cmd = req.query.cmd;\nif (/[;&|`$]/.test(cmd)) { sink(cmd); }",
        "const cmd = req.query.cmd;\nif (/[;&|`$]/.test(cmd)) { log(cmd); }\nsink(cmd);",
        # anchored: only refuses values that START with a metacharacter
        "const cmd = req.query.cmd;\nif (/^[;&|`$]/.test(cmd)) return;\nsink(cmd);",
        # another variable is checked
        "const cmd = req.query.cmd;\nconst other = req.query.other;\nif (/[;&|`$]/.test(other)) return;\nsink(cmd);",
    ],
)
def test_incomplete_or_unrelated_deny_lists_do_not_clean(body: str) -> None:
    assert sink_origins(body, "command") == ["req.query.cmd"]


def test_shell_deny_lists_only_protect_commands() -> None:
    body = "const cmd = req.query.cmd;\nif (/[;&|`$]/.test(cmd)) return;\nsink(cmd);"
    assert sink_origins(body, "path") == ["req.query.cmd"]
    assert sink_origins(body, "code") == ["req.query.cmd"]


@pytest.mark.parametrize(
    ("pattern", "classes"),
    [
        ("[;&|`$]", {"command"}),
        ("[`$&{}[;|]", {"command"}),
        ("[;&|`$\\n]+", {"command"}),
        ("[;&|]", set()),
        ("^[;&|`$]", set()),
        ("[;&|`$]x", set()),
        ("[^a-z0-9]", {"*"}),
    ],
)
def test_deny_list_classes(pattern: str, classes: set[str]) -> None:
    assert set(deny_list_classes(pattern)) == classes


# ----- length limits before a regular expression match ------------------------------------------------------

@pytest.mark.parametrize(
    "body",
    [
        "const email = req.body.email;\nif (email.length > 254) return;\nsink(email);",
        "const email = req.body.email;\nconst MAX = 300;\nif (MAX < email.length) { res.end(); return; }\nsink(email);",
        "const email = req.body.email;\nif (email.length <= 1000) { sink(email); }",
        "const email = req.body.email;\nif (email.length >= 255) { throw new Error('long'); }\nsink(email);",
        "const email = req.body.email;\nif (!email || email.length > 254) return;\nsink(email);",
        "const email = req.body.email;\nemail.length < 100 && sink(email);",
    ],
)
def test_length_limits_clean_polynomial_regex_matches(body: str) -> None:
    assert sink_origins(body, "redos-polynomial") == []
    assert sink_origins(body, "redos") == ["req.body.email"]  # exponential: a few hundred characters suffice
    assert sink_origins(body, "command") == ["req.body.email"]


@pytest.mark.parametrize(
    "body",
    [
        "const email = req.body.email;\nif (email.length > 1000000) return;\nsink(email);",  # too long still
        "const email = req.body.email;\nif (email.length < 254) return;\nsink(email);",  # a lower bound
        "const email = req.body.email;\nif (email.length > 254) { log(email); }\nsink(email);",
        "const email = req.body.email;\nconst other = req.body.other;\nif (other.length > 10) return;\nsink(email);",
        "const email = req.body.email;\nif (email.length > limit) return;\nsink(email);",  # unknown limit
    ],
)
def test_useless_length_checks_do_not_clean(body: str) -> None:
    assert sink_origins(body, "redos-polynomial") == ["req.body.email"]


def test_very_short_limits_also_clean_exponential_matches() -> None:
    body = "const code = req.query.code;\nif (code.length > 12) return;\nsink(code);"
    assert sink_origins(body, "redos") == []


@pytest.mark.parametrize(
    ("body", "polynomial_clean", "exponential_clean"),
    [
        ("sink(req.body.text.slice(0, 300));", True, False),
        ("const text = req.body.text.substring(0, 1000);\nsink(text);", True, False),
        ("sink(req.body.text.substr(5, 16));", True, True),
        ("sink(req.body.text.slice(-200));", True, False),
        ("sink(req.body.text.slice(0, 100000));", False, False),  # too long to help
        ("sink(req.body.text.slice(10));", False, False),  # only drops a prefix
        ("sink(req.body.text.slice(0, n));", False, False),  # unknown length
    ],
)
def test_truncation_limits_regex_matches(body: str, polynomial_clean: bool, exponential_clean: bool) -> None:
    assert (sink_origins(body, "redos-polynomial") == []) is polynomial_clean
    assert (sink_origins(body, "redos") == []) is exponential_clean
    assert "req.body.text" in sink_origins(body, "command")  # a short value is still a command
