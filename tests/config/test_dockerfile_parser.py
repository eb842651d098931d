"""The Dockerfile parser: continuations, comments inside them, heredocs, JSON and shell forms, directives,
stages and ARG expansion of the base image."""

from __future__ import annotations

from nodeward.deploy.dockerfile import expand, key_values, parse_dockerfile


def test_continuation_lines_join_and_remember_their_physical_lines() -> None:
    parsed = parse_dockerfile("FROM alpine\nRUN apk add curl \\\n# a comment inside\n\n    && echo done\n")
    run = parsed.instructions[1]
    assert run.keyword == "RUN" and (run.line, run.end_line) == (2, 5)
    assert " ".join(run.args.split()) == "apk add curl && echo done"
    assert run.line_at(run.args.index("echo")) == 5


def test_escape_directive_changes_the_continuation_character() -> None:
    parsed = parse_dockerfile("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n    && echo hi\n")
    assert parsed.escape == "`"
    assert parsed.instructions[1].args.startswith("dir C:\\")
    assert "echo hi" in parsed.instructions[1].args


def test_heredocs_several_per_instruction_with_dash_and_quotes() -> None:
    text = "FROM alpine\nRUN <<-EOT bash\n\techo one\n\tEOT\nCOPY <<'A' <<\"B\" /dest/\nfirst\nA\nsecond\nB\nUSER app\n"
    parsed = parse_dockerfile(text)
    run, copy, user = parsed.instructions[1:]
    assert [h.body for h in run.heredocs] == ["echo one"] and run.end_line == 4
    assert [(h.delimiter, h.body, h.line) for h in copy.heredocs] == [("A", "first", 6), ("B", "second", 8)]
    assert user.keyword == "USER" and user.line == 10
    assert not parsed.problems


def test_unterminated_heredoc_is_a_problem_not_an_exception() -> None:
    parsed = parse_dockerfile("FROM alpine\nRUN <<EOF\necho never closed\n")
    assert parsed.problems == [(2, "heredoc `EOF` is not terminated")]


def test_json_form_only_for_arrays_of_strings() -> None:
    parsed = parse_dockerfile('FROM a\nCMD ["node", "server.js"]\nCMD [node, server.js]\nENTRYPOINT ["x", 1]\n')
    assert parsed.instructions[1].exec_form == ["node", "server.js"]
    assert parsed.instructions[2].exec_form is None  # not JSON: Docker runs it through a shell
    assert parsed.instructions[3].exec_form is None


def test_flags_are_split_from_the_arguments() -> None:
    copy = parse_dockerfile("FROM a\nCOPY --from=build --chown=node:node --link /app /app\n").instructions[1]
    assert copy.flags == {"from": "build", "chown": "node:node", "link": ""}
    assert copy.rest == "/app /app"


def test_stages_global_args_and_inheritance() -> None:
    text = (
        "ARG NODE=22\nARG VARIANT\nFROM node:${NODE}-alpine AS base\nENV NODE_ENV=production\n"
        "FROM base AS runtime\nFROM node:${MISSING:-20}\nFROM node:${VARIANT}\n"
    )
    parsed = parse_dockerfile(text)
    base, runtime, third, fourth = parsed.stages
    assert base.base == "node:22-alpine" and base.resolved and base.variables == {"NODE_ENV": "production"}
    assert runtime.parent is base and runtime.external_base == "node:22-alpine"
    assert [i.keyword for i in runtime.all_instructions()] == ["FROM", "ENV", "FROM"]
    assert third.base == "node:20"
    assert not fourth.resolved  # ARG without a value: the tag is unknown


def test_env_forms_and_arg_without_default() -> None:
    parsed = parse_dockerfile('FROM a\nENV A=1 B="two words" \\\n    C=3\nENV LEGACY value with spaces\nARG TOKEN\n')
    env, legacy, arg = parsed.instructions[1:]
    assert key_values(env) == [("A", "1", 2), ("B", "two words", 2), ("C", "3", 3)]
    assert key_values(legacy) == [("LEGACY", "value with spaces", 4)]
    assert key_values(arg) == [("TOKEN", None, 5)]


def test_expand_forms() -> None:
    variables: dict[str, str | None] = {"A": "x", "EMPTY": ""}
    assert expand("$A-${A}-${EMPTY:-d}-${A:+alt}-${NONE:+alt}", variables) == ("x-x-d-alt-", True)
    assert expand("${NONE}", variables) == ("", False)


def test_not_an_instruction_and_unknown_instruction_are_problems() -> None:
    parsed = parse_dockerfile("FROM a\nthis is prose\nRUNN echo\n-- dashes\n")
    assert [line for line, _ in parsed.problems] == [2, 3, 4]
    assert len(parsed.instructions) == 1
