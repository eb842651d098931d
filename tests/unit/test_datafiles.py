"""The one reader of JSON, YAML and TOML: data or DataFileError, whatever the file holds."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given

from nodeward.datafiles import (
    MAX_NESTING,
    SAFE_YAML_LOADER,
    DataFileError,
    check_nesting,
    load_json,
    load_toml,
    load_yaml,
    load_yaml_documents,
)
from nodeward.deploy.yamldoc import LineDict, LineList, load_documents
from nodeward.deploy.yamldoc import _Loader as LineLoader
from tests.conftest import ROOT
from tests.safety.test_parser_properties import PROPERTY, inputs

DEEP = 10_000


def nested_json(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize(("text", "line"), [
    (nested_json(DEEP), 1),
    ("[" * DEEP + "]" * DEEP, 1),
    (nested_json(MAX_NESTING + 1), 1),  # parses in Python, but code reading it could recurse past the limit
    ('{"x": "[[[[",\n "y": ' + "[" * DEEP + "]" * DEEP + "}", 2),
])
def test_json_nested_too_deep_is_a_data_file_error(text: str, line: int) -> None:
    with pytest.raises(DataFileError, match=f"nested more than {MAX_NESTING} levels deep") as caught:
        load_json(text)
    assert caught.value.line == line


def test_json_at_the_limit_and_strings_full_of_brackets_are_read() -> None:
    assert load_json(nested_json(MAX_NESTING - 1)) is not None
    assert load_json('{"a": "' + "[" * DEEP + '"}') == {"a": "[" * DEEP}


def test_malformed_json_says_where() -> None:
    with pytest.raises(DataFileError, match="invalid JSON: Expecting") as caught:
        load_json('{\n  "a": 1,\n  "b": \n}')
    assert caught.value.line == 4
    assert isinstance(caught.value, ValueError)  # callers that caught json's ValueError keep working


@pytest.mark.parametrize(("text", "problem"), [
    ("a = " + "[" * 5000 + "]" * 5000, "`a`: nested more than"),
    ("x = 1\n[t]\nb = " + "{a = " * 300 + "1" + "}" * 300, "`t`: nested more than"),
    ("a." * 3000 + "b = 1", "`a`: nested more than"),  # dotted keys nest without brackets
    ("x = [1,", "invalid TOML"),
])
def test_toml_problems(text: str, problem: str) -> None:
    with pytest.raises(DataFileError, match=problem):
        load_toml(text)


def test_toml_deep_array_names_its_line() -> None:
    with pytest.raises(DataFileError) as caught:
        load_toml("x = 1\ny = 2\nz = " + "[" * 5000 + "]" * 5000)
    assert caught.value.line == 3 and "`z`" in str(caught.value)


@pytest.mark.parametrize(("text", "problem"), [
    ("a: " + "[" * DEEP + "]" * DEEP, "nest"),  # libyaml's own limit: "exceeded maximum nesting depth"
    ("a: " + "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5), "nested more than"),
    ("a: &x [*x]", "contains itself"),
    ("a: [1", "invalid YAML"),
    ("when: 2020-13-01", "invalid YAML: ValueError"),
    ("? [a]\n: b", "invalid YAML"),
])
def test_yaml_problems(text: str, problem: str) -> None:
    with pytest.raises(DataFileError, match=problem):
        load_yaml(text)


def test_yaml_aliases_are_measured_once() -> None:
    """A "billion laughs" document: nine levels of aliases, each ten times the one before."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    document = load_yaml("\n".join(lines))
    assert len(document["a9"]) == 10 and document["a9"][0] is document["a8"]


def test_yaml_documents_before_a_broken_one_are_kept() -> None:
    seen = []
    with pytest.raises(DataFileError) as caught:
        for document in load_yaml_documents("a: 1\n---\nb: 2\n---\nc: [\n"):
            seen.append(document)
    assert seen == [{"a": 1}, {"b": 2}] and caught.value.line is not None


YAML_SAMPLES = [path.read_text() for pattern in ("deps/*/pnpm-lock.yaml", "deps/berry/yarn.lock", "config/*.y*ml")
                for path in sorted((ROOT / "tests" / "fixtures").glob(pattern))]
YAML_SAMPLES += ["a: 1\nb: true\nc: ~\nd: 2020-01-01\ne: 1.5\nf: '9.0'\ng: 0x1F\nh: .inf\ni: [1, {x: y}]\nj: !!str 5\n"
                 "k: ''\nl:\n1: 2\n2.5: x\nnull: 3\n2020-01-01: d\nm: &a {k: v}\nn: *a\n'<<': 1\no: {<<: *a, p: 1}\n"]


def _safe_load(text: str) -> Any:
    try:
        return ("value", yaml.load(text, Loader=SAFE_YAML_LOADER))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return ("error", None)


@pytest.mark.parametrize("text", [text for text in YAML_SAMPLES if _safe_load(text)[0] == "value"])
def test_yaml_values_are_the_safe_loaders(text: str) -> None:
    """load_yaml builds plain data from the parser's events (five times faster on large lockfiles); what it
    returns must be exactly what PyYAML's safe loader builds, types of scalars and shared aliases included."""
    assert load_yaml(text) == yaml.load(text, Loader=SAFE_YAML_LOADER)


@PROPERTY
@given(text=inputs(YAML_SAMPLES))
def test_yaml_values_are_the_safe_loaders_on_mutants(text: str) -> None:
    expected = _safe_load(text)
    try:
        got = ("value", load_yaml(text))
    except DataFileError:
        got = ("error", None)
    if expected[0] == "value" and got[0] == "error":  # refused: nested too deep or containing itself
        with pytest.raises(DataFileError):
            check_nesting(expected[1])
    else:
        assert got == expected


def _with_lines(value: Any) -> Any:
    if isinstance(value, LineDict):
        return (value.line, dict(value.key_lines), {key: _with_lines(item) for key, item in value.items()})
    if isinstance(value, LineList):
        return (value.line, list(value.item_lines), [_with_lines(item) for item in value])
    return value


@PROPERTY
@given(text=inputs(YAML_SAMPLES))
def test_compose_and_kubernetes_documents_keep_the_loaders_values_and_lines(text: str) -> None:
    """The deployment checks' reader (lines of every key and item) gives what its PyYAML loader gives."""
    stream = load_documents(text)
    expected: list[Any] = []
    try:
        for document in yaml.load_all(text, Loader=LineLoader):
            expected.append(document)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        assert stream.error
        return
    if not stream.error:
        assert [_with_lines(d) for d in stream.documents] == [_with_lines(d) for d in expected]
