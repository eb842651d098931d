"""Inline expectations in fixture files: `expect: NW101`, `ok: NW101`, `todo-expect: NW101`, `todo-ok: NW101`.

`expect-next-line: NW101` puts the expectation on the following line (for lines that cannot hold a
comment, such as the inside of a template literal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = re.compile(r"\b(todo-expect|todo-ok|expect-next-line|expect|ok):\s*((?:NW\d{3}[,\s]*)+)")


@dataclass
class Expectations:
    expected: set[tuple[int, str]] = field(default_factory=set)
    ok: set[tuple[int, str]] = field(default_factory=set)
    todo: set[tuple[int, str]] = field(default_factory=set)  # lines whose outcome may go either way


def parse_expectations(text: str) -> Expectations:
    result = Expectations()
    for number, line in enumerate(text.splitlines(), start=1):
        for mark, ids in _MARK.findall(line):
            for rule_id in re.findall(r"NW\d{3}", ids):
                if mark == "expect":
                    result.expected.add((number, rule_id))
                elif mark == "expect-next-line":
                    result.expected.add((number + 1, rule_id))
                elif mark == "ok":
                    result.ok.add((number, rule_id))
                else:
                    result.todo.add((number, rule_id))
    return result
