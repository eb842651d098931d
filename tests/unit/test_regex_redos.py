"""Tests for the JavaScript ReDoS analysis (nodeward.lang.regex_redos)."""

from __future__ import annotations

import pytest

from nodeward.lang.regex_redos import RedosIssue, analyze

NESTED = ("nested-quantifier", True)
ALTERNATION = ("overlapping-alternation", True)
POLY = ("overlapping-adjacent", False)

SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
EMAIL_VULNERABLE = (
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
    r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$"
)
EMAIL_HTML5 = (
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)
URL_VULNERABLE = r"^(https?:\/\/)?([\da-z\.-]+)\.([a-z\.]{2,6})([\/\w \.-]*)*\/?$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

CASES: list[tuple[str, str, tuple[str, bool] | None]] = [
    # --- exponential: nested quantifiers
    (r"^(a+)+$", "", NESTED),
    (r"(a+)+", "", NESTED),
    (r"(a*)*", "", NESTED),
    (r"(x+x+)+y", "", NESTED),
    (r"^(\w+\s?)*$", "", NESTED),
    (r"(\w+\s?)+", "", NESTED),
    (r"(\d+|\d+\.\d+)*", "", NESTED),
    (r"^(([a-z])+.)+[A-Z]([a-z])+$", "", NESTED),
    (r"(.*a){20}", "", NESTED),  # bounded, but 20 nested `.*` splits are a degree-20 polynomial
    (EMAIL_VULNERABLE, "", NESTED),
    (URL_VULNERABLE, "", NESTED),
    (r"^(a+?)+?$", "", NESTED),  # laziness changes the order of attempts, not their number
    (r"^(?=(a+)+$)", "", NESTED),  # loops inside lookarounds are analysed too
    # --- exponential: overlapping alternatives
    (r"(a|a)*", "", ALTERNATION),
    (r"(a|a?)+", "", ALTERNATION),
    (r"^(?:a|b|ab)*$", "", ALTERNATION),  # "ab" is one `ab` or `a` then `b`
    (r'"(?:[^"]|\\.)*"', "", ALTERNATION),  # `[^"]` also matches the backslash
    (r"^(\w|\d)+$", "", ALTERNATION),
    # --- unambiguous loop bodies
    (r"(a|ab)*", "", None),
    (r"(ab+)+", "", None),  # every iteration starts with `a`
    (r"(a+b)+", "", None),  # `b` separates iterations
    (r"(ab)+", "", None),
    (r"^(a|b)*$", "", None),
    (r'"(?:[^"\\]|\\.)*"', "", None),
    (r"^(\d|[a-z])+$", "", None),  # \d does not overlap [a-z]
    (r"^(?:[^\s@,]+,)+$", "", None),
    (r"^(?:[^\s@]+,)+$", "", NESTED),  # the negated class also matches ',': ",,,," splits many ways
    # --- polynomial: adjacent overlapping loops that can fail afterwards
    (r"\d+\d+$", "", POLY),
    (r"^\d+\.?\d+$", "", POLY),  # the optional `\.` can be skipped
    (r".*.*=.*", "", POLY),
    (r"\s*#?\s*$", "", POLY),
    (r"^[^\s@]+@[^\s@]+\.[^\s@]+$", "", POLY),  # a run of dots: `[^\s@]` accepts '.'
    (r"^(a+){3}$", "", POLY),  # three copies of `a+` in a row: cubic
    # `\d+\d+` alone always succeeds once two digits are seen, so nothing can fail after the loops.
    (r"\d+\d+", "", None),
    (r"^\d+\.\d+$", "", None),  # the mandatory '.' separates the runs
    # --- polynomial: unanchored run followed by `$` is rescanned from every start (CVE-2020-7753, trim)
    (r"\s+$", "", POLY),
    (r"^\s+|\s+$", "g", POLY),  # the classic trim: the second alternative is quadratic
    (r"^\s*|\s*$", "g", POLY),
    (r"\s+$", "y", None),  # sticky: only one start position is tried
    (r"^\s+$", "", None),  # anchored at the start
    (r"foo\s+$", "", None),  # "foo" must precede the run: only one start position can reach it
    (r"\s+", "g", None),  # nothing after the run can fail
    # --- real-world safe patterns
    (r"^[a-z]+$", "", None),
    (r"^\d{3}-\d{4}$", "", None),
    (r"^\/api\/users\/(\d+)$", "", None),
    (r"^#[0-9a-f]{6}$", "i", None),
    (r"^[\w.-]+@[\w-]+\.[a-z]+$", "", None),  # `[\w-]` excludes '.', `[a-z]` excludes '-' and '_'
    (EMAIL_HTML5, "", None),
    (SEMVER, "", None),
    (ISO_DATE, "", None),
    (UUID, "i", None),
    (r"^https?:\/\/[^\s/$.?#].[^\s]*$", "i", None),
    (r"^(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{8,}$", "", None),
    (r"\{\{\s*([\w.]+)\s*\}\}", "g", None),
    (r"^(?:\d{1,3}\.){3}\d{1,3}$", "", None),
    (r"^\d{1,3}\d{1,3}\d{1,3}$", "", None),  # small bounded repeats never blow up
    (r"(['\"])(?:(?=(\\?))\2.)*?\1", "", None),  # backreferences alone are not reported
    (r"^(a)\1*$", "", None),
    (r"^(?<y>\d{4})-(?<m>\d{2})$", "u", None),
    # --- flags
    (r"^(a|A)+$", "", None),
    (r"^(a|A)+$", "i", ALTERNATION),  # `i` folds case: both alternatives match 'a'
    (r"^(.|\n)*$", "", None),  # without `s`, `.` does not match a newline
    (r"^(.|\n)*$", "s", ALTERNATION),
    (r"^(\p{L}|a)+$", "u", ALTERNATION),  # \p{L} contains 'a'
    (r"^(\p{L}|a)+$", "", None),  # without `u`, `\p{L}` is the literal text "p{L}"
    (r"^(\p{Lu}|\p{Ll})+$", "u", None),
    (r"^(\P{L}|\d)+$", "u", ALTERNATION),
    (r"^([\p{L}--[a-z]]|[a-c])+$", "v", None),  # set difference removes the overlap
    (r"^(?i:a|A)+$", "", ALTERNATION),  # inline modifiers
    # --- escapes in character sets
    (r"^(\u0061|a)+$", "", ALTERNATION),
    (r"^(\x61|a)+$", "", ALTERNATION),
    (r"^(\u{61}|a)+$", "u", ALTERNATION),
    (r"^([^\W\d]|_)+$", "", ALTERNATION),  # [^\W\d] is word characters minus digits, includes '_'
    (r"^([^\W\d_]|\d)+$", "", None),
    (r"^(\s|\S)+$", "", None),
    (r"^(\D|\d)+$", "", None),
    # --- malformed
    (r"(", "", None),
    (r"[", "", None),
    (r"a{2,1}", "", None),
    ("\\", "", None),
    (r")", "", None),
    (r"(a+)+**", "", None),
    (r"*(a+)+", "", None),
    (r"(?<=(a+)+)*", "", None),  # quantified lookbehind
    (r"[z-a](a+)+", "", None),
    (r"(a+)+\q", "u", None),  # unknown identity escape in unicode mode
    (r"(a+)+", "x", None),  # unknown flag
    (r"(a+)+", "uv", None),
    (r"(?P<n>a+)+", "", None),
]


@pytest.mark.parametrize(("pattern", "flags", "expected"), CASES)
def test_analyze_table(pattern: str, flags: str, expected: tuple[str, bool] | None) -> None:
    issue = analyze(pattern, flags)
    if expected is None:
        assert issue is None, issue
    else:
        assert issue is not None
        assert (issue.kind, issue.exponential) == expected, issue


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert sum(1 for *_, e in CASES if e is None) >= 20
    assert sum(1 for *_, e in CASES if e is not None) >= 20


def test_nested_fragment_and_explanation() -> None:
    issue = analyze(r"^(a+)+$")
    assert issue == RedosIssue(
        kind="nested-quantifier",
        fragment="(a+)+",
        explanation="the inner `a+` and the outer `+` can split the same run of 'a' in exponentially many ways",
        exponential=True,
    )


def test_fragment_points_at_the_ambiguous_loop() -> None:
    issue = analyze(EMAIL_VULNERABLE)
    assert issue is not None
    assert issue.fragment == r"(([\-.]|[_]+)?([a-zA-Z0-9]+))*"
    assert "`[a-zA-Z0-9]+`" in issue.explanation


def test_alternation_fragment() -> None:
    issue = analyze(r"^x(a|a?)+y$")
    assert issue is not None
    assert issue.fragment == "(a|a?)+"
    assert "`a|a?`" in issue.explanation


def test_polynomial_fragment_covers_both_loops() -> None:
    issue = analyze(r"^key\s*=\s*(\d+)\.?(\d+)$")
    assert issue is not None
    assert (issue.kind, issue.exponential) == POLY
    assert issue.fragment == r"(\d+)\.?(\d+)"
    assert "digits" in issue.explanation


def test_trim_fragment() -> None:
    issue = analyze(r"^\s+|\s+$", "g")
    assert issue is not None
    assert issue.fragment == r"\s+"
    assert "whitespace" in issue.explanation


def test_bounded_large_repeat_mentions_degree() -> None:
    issue = analyze(r"(.*a){20}")
    assert issue is not None
    assert issue.fragment == "(.*a){20}"
    assert "n^20" in issue.explanation


def test_explanations_are_single_sentences() -> None:
    for pattern, flags, expected in CASES:
        issue = analyze(pattern, flags)
        if expected is not None:
            assert issue is not None
            assert issue.explanation and "\n" not in issue.explanation
            assert issue.explanation.count(". ") == 0


@pytest.mark.parametrize(
    "pattern",
    [
        "(" * 3000 + "a" + ")" * 3000,
        "[" * 200,
        "\\u{" * 100,
        "(?<" * 100,
        "a{99999999999999999999}",
        "(?:(?:(?:(?:a|b){1,10}){1,10}){1,10}){1,10}",
    ],
)
def test_pathological_input_never_raises(pattern: str) -> None:
    analyze(pattern)
    analyze(pattern, "u")


def test_pattern_length_cap() -> None:
    # empty groups add length but no automaton states
    assert analyze("(a+)+" + "(?:)" * 1000) is not None
    assert analyze("(a+)+" + "(?:)" * 1300) is None


def test_state_cap_returns_none() -> None:
    # 50 x 50 copies of a bounded body exceed the automaton budget: give up rather than blow up
    pattern = "^(?:(?:a|b){1,10}(?:c|d){1,10}){1,10}(?:(?:e|f){1,10}){1,10}(x+)+$"
    assert analyze(pattern) is None


# `$` without the `m` flag is the end of the input: nothing can follow it, so a loop iteration that ends
# in `$` cannot be followed by another one, and no ambiguity can cross it. With `m` it is a line end, and
# the next character must be a line terminator.
@pytest.mark.parametrize(
    ("pattern", "flags", "exponential"),
    [
        (r"(((\/\/.*$)|(\/\*(\*[^/]|[^*])*\*\/))\s*)*", "", False),  # a comment fragment: `.*$` ends the input
        (r"(?:\w+$\s?)*x", "", None),
        (r"(a+$|b)+c", "", None),
        (r"^(a+)+$", "", True),  # the `$` after the loop changes nothing
        (r"(a*$\n?)*x", "m", True),  # line ends: `a*` runs of many lines can still be split
        (r"(?:\w+(?:$|)\s?)*x", "", True),  # `$` or nothing: guards nothing
        (r"(?:\w+(?:$|b))*d", "", True),  # `$|b`: the `b` way is not guarded
    ],
)
def test_dollar_ends_the_input(pattern: str, flags: str, exponential: bool | None) -> None:
    issue = analyze(pattern, flags)
    if exponential is None:
        assert issue is None, issue
    else:
        assert issue is not None and issue.exponential is exponential, issue


# `^` without the `m` flag is the start of the input: nothing comes before it, so a loop iteration that
# starts with `^` can only be the first one.
@pytest.mark.parametrize(
    ("pattern", "flags", "exponential"),
    [
        (r"(^[.-]|[^a-zA-Z0-9_-])+", "g", None),  # webpack's file-name cleaner: `^[.-]` only at the start
        (r"(?:^a|a)+b", "", None),
        (r"(?:^a|a)+b", "m", None),  # `a` is no line terminator: `^` cannot hold inside the loop
        (r"(?:^a|a|\n)+b", "m", True),  # after a new line `^` holds again, and `a` has two ways
        (r"^(?:[^/.]+(\.[^/]+)+|localhost)$", "", True),  # the `^` outside the loop changes nothing
    ],
)
def test_caret_starts_the_input(pattern: str, flags: str, exponential: bool | None) -> None:
    issue = analyze(pattern, flags)
    if exponential is None:
        assert issue is None, issue
    else:
        assert issue is not None and issue.exponential is exponential, issue
