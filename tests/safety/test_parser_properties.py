"""Every reader of what a scanned tree holds fails only in the way it documents, whatever the input.

Property tests: each parser gets arbitrary text and mutants of real inputs (the fixtures: lockfiles,
manifests, Dockerfiles, Compose and Kubernetes YAML, .npmrc, .env, .gitignore-style globs, regexes)
with pieces inserted, cut, repeated thousands of times or nested thousands deep, and must either
return or raise its own error (which the scanner turns into a notice for that file). Anything else
would end the scan with "internal error". Examples are derived from the test (``derandomize``), so a
run is reproducible and CI never meets a new example by chance; bench/hostile.py covers whole scans.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# A venv made before hypothesis joined the test dependencies skips these rather than failing to collect
# (`pip install -e '.[test]'` brings it); CI installs it.
pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from nodeward.config.load import ConfigError, load_config
from nodeward.datafiles import DataFileError, load_json, load_toml, load_yaml, load_yaml_documents
from nodeward.deploy.dockerfile import parse_dockerfile
from nodeward.deploy.dockerignore import is_excluded, parse_dockerignore
from nodeward.deploy.emit import Emitter
from nodeward.deploy.npm import check_npmrc, check_package_json
from nodeward.deploy.yamldoc import load_documents
from nodeward.deps import semver
from nodeward.deps.lockfiles import parse_lockfile
from nodeward.deps.model import LockfileError
from nodeward.lang.regex_redos import analyze
from nodeward.secrets.hygiene import parse_env
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: What nesting looks like in each syntax: inserted thousands of times, it tests every depth limit.
OPENERS = ("[", "{", '{"a":', "- ", "  ", "a:\n  ", "[[", "(", "{a=", "\\\n", "- [", "? ")


def fixture_texts(*patterns: str) -> list[str]:
    texts = []
    for pattern in patterns:
        texts += [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob(pattern)) if path.is_file()]
    assert texts, patterns
    return texts


@st.composite
def mutant(draw: st.DrawFn, seed: str) -> str:
    """``seed`` after a few edits: text inserted, a piece cut, a piece repeated, deep nesting, a character
    replaced by any other (control characters, surrogates' neighbours, NUL)."""
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(("insert", "cut", "repeat", "nest", "replace")))
        if operation == "insert":
            text = text[:position] + draw(st.text(max_size=30)) + text[position:]
        elif operation == "cut":
            text = text[:position] + text[draw(st.integers(position, len(text))):]
        elif operation == "repeat":
            end = draw(st.integers(position, min(len(text), position + 200)))
            text = text[:position] + text[position:end] * draw(st.integers(2, 2_000)) + text[position:]
        elif operation == "nest":
            opener = draw(st.sampled_from(OPENERS))
            text = text[:position] + opener * draw(st.integers(100, 5_000)) + text[position:]
        elif text:
            position = min(position, len(text) - 1)
            text = text[:position] + draw(st.characters(blacklist_categories=("Cs",))) + text[position + 1:]
    return text


def inputs(seeds: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=300), st.sampled_from(seeds).flatmap(mutant))


def only_raises(call: Callable[[], object], *documented: type[BaseException]) -> None:
    """Run ``call``: it may return or raise one of ``documented``; anything else fails the test."""
    with contextlib.suppress(*documented):
        call()


JSON_SEEDS = fixture_texts("deps/*/package-lock.json", "deps/*/npm-shrinkwrap.json", "deps/*/package.json")
YAML_SEEDS = fixture_texts("deps/*/pnpm-lock.yaml", "config/*.yml", "config/*.yaml", "secrets/compose.yml")
TOML_SEEDS = ['exclude = ["dist/", "test/fixtures/"]\nfile-timeout = 30\n\n[per-path-ignores]\n"scripts/**" = '
              '["NW101"]\n\n[severity]\nNW201 = "high"\n\n[dependencies]\nignore = [{ id = "CVE-2018-3721", '
              'reason = "only in tests", expires = 2027-01-31 }]\n']


@PROPERTY
@given(text=inputs(JSON_SEEDS))
def test_json_reader(text: str) -> None:
    only_raises(lambda: load_json(text), DataFileError)


@PROPERTY
@given(text=inputs(YAML_SEEDS))
def test_yaml_readers(text: str) -> None:
    only_raises(lambda: load_yaml(text), DataFileError)
    only_raises(lambda: list(load_yaml_documents(text)), DataFileError)
    load_documents(text)  # the deployment scanner's reader reports problems in its result, never raises


@PROPERTY
@given(text=inputs(TOML_SEEDS))
def test_toml_reader(text: str) -> None:
    only_raises(lambda: load_toml(text), DataFileError)


@PROPERTY
@given(text=inputs(TOML_SEEDS))
def test_settings_file(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / ".nodeward.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        only_raises(lambda: load_config(path), ConfigError)


LOCKFILES = {
    name: fixture_texts(f"deps/*/{name}")
    for name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")
}
MANIFEST: dict[str, Any] = {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "^4.17.4"},
                            "devDependencies": {"ms": "0.7.0"}}


@pytest.mark.parametrize("name", sorted(LOCKFILES))
def test_lockfile_parsers(name: str) -> None:
    @PROPERTY
    @given(text=inputs(LOCKFILES[name]), with_manifest=st.booleans())
    def check(text: str, with_manifest: bool) -> None:
        only_raises(lambda: parse_lockfile(f"app/{name}", text, MANIFEST if with_manifest else None), LockfileError)

    check()


DOCKERFILES = fixture_texts("config/*Dockerfile")


@PROPERTY
@given(text=inputs(DOCKERFILES))
def test_dockerfile_parser(text: str) -> None:
    parse_dockerfile(text)  # problems are collected in the result


IGNORE_SEEDS = ["node_modules/\n*.log\n.env\n/dist\n!keep.js\n**/tmp/**\n[Bb]uild/\n# comment\n\\#not-comment\n"]


@PROPERTY
@given(text=inputs(IGNORE_SEEDS), path=st.text(max_size=40))
def test_dockerignore(text: str, path: str) -> None:
    is_excluded(parse_dockerignore(text), path)


NPMRC_SEEDS = fixture_texts("config/scanned-as-npmrc", "secrets/*.npmrc")


@PROPERTY
@given(text=inputs(NPMRC_SEEDS))
def test_npmrc_check(text: str) -> None:
    check_npmrc(text, Emitter(".npmrc", text.splitlines()))


@PROPERTY
@given(text=inputs(fixture_texts("deps/*/package.json")))
def test_package_json_check(text: str) -> None:
    check_package_json(text, Emitter("package.json", text.splitlines()), datetime.date(2026, 1, 1))


@PROPERTY
@given(text=inputs(fixture_texts("secrets/*.env")))
def test_env_parser(text: str) -> None:
    parse_env(text)


RANGES = ["^1.2.3", "~0.6.2 || >=2.0.0-beta.1 <3", "1.x", "*", ">=1.0.0 <1.4.0-0", "1.2.3 - 2.3.4", "latest"]


@PROPERTY
@given(version=inputs(["1.2.3", "0.0.0-alpha.1+build.5", "4.17.21"]), npm_range=inputs(RANGES))
def test_semver(version: str, npm_range: str) -> None:
    semver.version_key(version)
    semver.is_valid_range(npm_range)
    semver.lowest_version(npm_range)
    semver.satisfies(version, npm_range)


REGEXES = [r"^(a+)+$", r"(\d+\.)+\d+", r"^([a-z0-9_\.-]+)@([\da-z\.-]+)\.([a-z\.]{2,6})$", r"(?<=x)[^\]]{2,}?\p{L}",
           r"(?:a|aa)*b", r"[\u{1F600}-\u{1F64F}]+"]


@PROPERTY
@given(pattern=inputs(REGEXES), flags=st.sampled_from(("", "i", "u", "gimsuy", "v")))
def test_regex_analysis(pattern: str, flags: str) -> None:
    analyze(pattern, flags)


def test_the_mutants_reach_the_depth_limits() -> None:
    """The strategy does produce what breaks recursive code (without it these tests could test little), and
    the JSON reader refuses it with its own error."""
    deep = find(mutant(JSON_SEEDS[0]), lambda text: text.count('{"a":') >= 1_000,
                settings=settings(database=None, derandomize=True, max_examples=500))
    with pytest.raises(DataFileError, match="nested"):
        load_json(deep.replace('{"a":', "[") + "]" * 5_000)
