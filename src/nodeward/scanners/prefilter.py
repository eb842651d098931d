"""Which rules a file can be left out of, by the text they need (`Rule.requires_text`): one pass over the file
for all of them.

Rules about a library or an option can only fire in a file that names it; testing each of their byte
strings in turn cost more than scanning a small file did (tens of searches per file), so all of them are
looked for at once with an Aho-Corasick automaton.
"""

from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from nodeward.rules.base import Rule


class TextPrefilter:
    def __init__(self, rules: Sequence[Rule]) -> None:
        needles = sorted({needle for rule in rules for needle in rule.requires_text})
        number = {needle: position for position, needle in enumerate(needles)}
        self.needs = [(rule.id, frozenset(number[n] for n in rule.requires_text)) for rule in rules
                      if rule.requires_text]
        self.automaton = ahocorasick.Automaton()
        for needle, position in number.items():
            # latin-1 maps each byte to one character: a match of the text is a match of the bytes
            self.automaton.add_word(needle.decode("latin-1"), position)
        if needles:
            self.automaton.make_automaton()
        self.total = len(needles)

    def skipped(self, source: bytes) -> set[str]:
        """The ids of the rules none of whose texts occurs in ``source``."""
        if not self.needs:
            return set()
        found: set[int] = set()
        for _, position in self.automaton.iter(source.decode("latin-1")):
            found.add(position)
            if len(found) == self.total:
                break
        return {rule_id for rule_id, numbers in self.needs if numbers.isdisjoint(found)}
