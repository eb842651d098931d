"""Catastrophic-backtracking (ReDoS) analysis of JavaScript regular expressions.

The analysis works on an automaton, not on the syntax tree's star height:

1. The pattern is parsed (ECMAScript syntax, including the Annex B leniency of
   non-``u`` patterns) into a small AST whose leaves are *character sets*
   (sorted tuples of code-point ranges), so overlap tests between ``\\d``,
   ``[^"]``, ``.``, ``\\p{L}`` ... are exact up to the range approximation.
2. A Glushkov automaton (one state per character leaf) is built from the AST.
   Unlike the textbook construction it keeps *multiplicities*: if the same
   transition can be produced in two ways (``(a+)+`` makes ``a -> a`` both via
   the inner and the outer loop) it is counted twice, because a backtracking
   matcher explores parse trees, not automaton paths.  JavaScript's rule that a
   loop iteration may not match the empty string is honoured.
3. Exponential blow-up (EDA): for every loop ``E*`` the product automaton of the
   loop's own sub-automaton with itself is explored; if a strongly connected
   component contains a diagonal state ``(q, q)`` together with an off-diagonal
   state (or a doubled diagonal edge), two different paths read the same word
   from ``q`` back to ``q`` and the number of ways to match ``w^n`` grows
   exponentially.
4. Polynomial blow-up (IDA, degree 2 approximation): two different unbounded
   self-looping states ``p`` and ``q`` such that ``q`` is reachable from ``p``
   through states that all accept a common character ``c`` which both loops
   accept, and the pattern can still fail after ``q``.  For patterns that are not
   anchored at the start the implicit "try every start position" loop plays the
   role of ``p``; that case is reported only when the run is followed by ``$``
   (the classic trailing-whitespace trim ``\\s+$``).

Limits: patterns longer than 5,000 characters, automata with more than 500
states, or analyses exceeding an internal work budget give ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NoReturn

__all__ = ["RedosIssue", "analyze"]


@dataclass(frozen=True)
class RedosIssue:
    """A catastrophic-backtracking problem found in a regular expression."""

    kind: str  # "nested-quantifier" | "overlapping-alternation" | "overlapping-adjacent"
    fragment: str  # the part of the pattern responsible
    explanation: str  # one sentence for a user
    exponential: bool  # True: exponential blow-up; False: polynomial (e.g. quadratic)


MAX_PATTERN_LEN = 5000
MAX_STATES = 500
MAX_EDGES = 40_000
MAX_WORK = 200_000
LOOP_THRESHOLD = 10  # bounded repeats with a larger max are analysed as loops
UNBOUNDED = 100  # a max at least this large counts as unbounded
MAX_CP = 0x10FFFF

Ranges = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------- character sets


def _norm(items: list[tuple[int, int]]) -> Ranges:
    if not items:
        return ()
    items.sort()
    out = [items[0]]
    for lo, hi in items[1:]:
        plo, phi = out[-1]
        if lo <= phi + 1:
            if hi > phi:
                out[-1] = (plo, hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(rs: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in rs:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CP:
        out.append((nxt, MAX_CP))
    return tuple(out)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    i = j = 0
    out: list[tuple[int, int]] = []
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _overlaps(a: Ranges, b: Ranges) -> bool:
    i = j = 0
    while i < len(a) and j < len(b):
        if max(a[i][0], b[j][0]) <= min(a[i][1], b[j][1]):
            return True
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return False


def _union(a: Ranges, b: Ranges) -> Ranges:
    return _norm(list(a) + list(b))


def _difference(a: Ranges, b: Ranges) -> Ranges:
    return _intersect(a, _complement(b))


def _single(cp: int) -> Ranges:
    return ((cp, cp),)


def _add_case_variants(out: list[tuple[int, int]], cp: int) -> None:
    ch = chr(cp)
    for var in (ch.lower(), ch.upper()):
        if len(var) == 1 and var != ch:
            v = ord(var)
            out.append((v, v))


@lru_cache(maxsize=4096)
def _fold(rs: Ranges) -> Ranges:
    """Close a set under simple case mapping (approximation for huge ranges)."""
    out = list(rs)
    for lo, hi in rs:
        if hi - lo <= 512:
            for cp in range(lo, hi + 1):
                _add_case_variants(out, cp)
        else:
            for blo, bhi in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xFE)):
                for cp in range(max(lo, blo), min(hi, bhi) + 1):
                    _add_case_variants(out, cp)
    return _norm(out)


DIGIT: Ranges = ((0x30, 0x39),)
WORD: Ranges = _norm([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)])
SPACE: Ranges = _norm(
    [
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ]
)
ANY: Ranges = ((0, MAX_CP),)
DOT: Ranges = _complement(_norm([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]))


def _sample(cs: Ranges) -> int:
    for lo, hi in ((0x61, 0x7A), (0x30, 0x39), (0x41, 0x5A), (0x20, 0x20), (0x21, 0x7E)):
        inter = _intersect(cs, ((lo, hi),))
        if inter:
            return inter[0][0]
    return cs[0][0]


def _describe(cs: Ranges) -> str:
    cp = _sample(cs)
    if _overlaps(_single(cp), SPACE):
        return "whitespace"
    if 0x30 <= cp <= 0x39:
        return "digits"
    if 0x21 <= cp <= 0x7E:
        return f"'{chr(cp)}'"
    return f"U+{cp:04X}"


# --------------------------------------------------------------------------- unicode properties

_GC_NAMES: dict[str, str] = {
    "Letter": "L",
    "Cased_Letter": "LC",
    "Uppercase_Letter": "Lu",
    "Lowercase_Letter": "Ll",
    "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm",
    "Other_Letter": "Lo",
    "Mark": "M",
    "Combining_Mark": "M",
    "Nonspacing_Mark": "Mn",
    "Spacing_Mark": "Mc",
    "Enclosing_Mark": "Me",
    "Number": "N",
    "Decimal_Number": "Nd",
    "digit": "Nd",
    "Letter_Number": "Nl",
    "Other_Number": "No",
    "Punctuation": "P",
    "punct": "P",
    "Connector_Punctuation": "Pc",
    "Dash_Punctuation": "Pd",
    "Open_Punctuation": "Ps",
    "Close_Punctuation": "Pe",
    "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf",
    "Other_Punctuation": "Po",
    "Symbol": "S",
    "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc",
    "Modifier_Symbol": "Sk",
    "Other_Symbol": "So",
    "Separator": "Z",
    "Space_Separator": "Zs",
    "Line_Separator": "Zl",
    "Paragraph_Separator": "Zp",
    "Other": "C",
    "Control": "Cc",
    "cntrl": "Cc",
    "Format": "Cf",
    "Surrogate": "Cs",
    "Private_Use": "Co",
    "Unassigned": "Cn",
}

_SCRIPTS: dict[str, str] = {
    "Latin": "A-Za-z\xaa\xba\xc0-\xd6\xd8-\xf6\xf8-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff"
    "\uff21-\uff3a\uff41-\uff5a",
    "Greek": "\u0370-\u03ff\u1f00-\u1fff",
    "Cyrillic": "\u0400-\u052f\u2de0-\u2dff\ua640-\ua69f",
    "Han": "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f",
    "Hiragana": "\u3041-\u309f",
    "Katakana": "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "Hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "Arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "Hebrew": "\u0590-\u05ff\ufb1d-\ufb4f",
    "Thai": "\u0e00-\u0e7f",
    "Devanagari": "\u0900-\u097f\ua8e0-\ua8ff",
}
_SCRIPT_CODES = {
    "Latn": "Latin",
    "Grek": "Greek",
    "Cyrl": "Cyrillic",
    "Hani": "Han",
    "Hira": "Hiragana",
    "Kana": "Katakana",
    "Hang": "Hangul",
    "Arab": "Arabic",
    "Hebr": "Hebrew",
    "Deva": "Devanagari",
}


def _ranges_from_spec(spec: str) -> Ranges:
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.append((ord(spec[i]), ord(spec[i + 2])))
            i += 3
        else:
            out.append((ord(spec[i]), ord(spec[i])))
            i += 1
    return _norm(out)


@lru_cache(maxsize=1)
def _categories() -> dict[str, Ranges]:
    runs: dict[str, list[tuple[int, int]]] = {}
    category = unicodedata.category

    def scan(lo: int, hi: int) -> None:
        start = lo
        prev = category(chr(lo))
        for cp in range(lo + 1, hi):
            cat = category(chr(cp))
            if cat != prev:
                runs.setdefault(prev, []).append((start, cp - 1))
                start, prev = cp, cat
        runs.setdefault(prev, []).append((start, hi - 1))

    scan(0, 0x10000)
    # Astral planes are approximated (scanning them costs ~0.1 s): mostly letters and symbols (emoji).
    for cat in ("Lo", "So"):
        runs.setdefault(cat, []).append((0x10000, 0x3FFFF))
    runs.setdefault("Co", []).extend([(0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)])
    runs.pop("Cn", None)
    table = {k: _norm(v) for k, v in runs.items()}
    assigned = _norm([r for v in table.values() for r in v])
    table["Cn"] = _complement(assigned)
    for major in "LMNPSZC":
        table[major] = _norm([r for k, v in table.items() if len(k) == 2 and k[0] == major for r in v])
    table["LC"] = _norm(list(table.get("Lu", ())) + list(table.get("Ll", ())) + list(table.get("Lt", ())))
    return table


@lru_cache(maxsize=256)
def _property(name: str, value: str | None) -> Ranges:
    """Approximate the set of a ``\\p{...}`` escape; unknown names over-approximate."""
    if value is not None:
        if name in ("General_Category", "gc"):
            return _property(value, None)
        if name in ("Script", "sc", "Script_Extensions", "scx"):
            script = _SCRIPT_CODES.get(value, value)
            spec = _SCRIPTS.get(script)
            return _ranges_from_spec(spec) if spec else ((0x80, MAX_CP),)
        return ANY
    code = _GC_NAMES.get(name, name)
    table = _categories()
    if code in table:
        return table[code]
    cats = table
    if name == "Any":
        return ANY
    if name == "ASCII":
        return ((0, 0x7F),)
    if name in ("Alphabetic", "Alpha", "ID_Start", "IDS", "XID_Start", "XIDS"):
        return _union(cats["L"], cats["Nl"])
    if name in ("ID_Continue", "IDC", "XID_Continue", "XIDC"):
        return _norm([r for k in ("L", "Nl", "Mn", "Mc", "Nd", "Pc") for r in cats[k]])
    if name in ("Uppercase", "Upper"):
        return cats["Lu"]
    if name in ("Lowercase", "Lower"):
        return cats["Ll"]
    if name in ("White_Space", "space"):
        return SPACE
    if name in ("ASCII_Hex_Digit", "AHex", "Hex_Digit", "Hex"):
        return _norm([(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)])
    if name == "Assigned":
        return _complement(cats["Cn"])
    if name in ("Emoji", "Emoji_Presentation", "EPres", "Extended_Pictographic", "ExtPict"):
        return _norm(
            [(0x23, 0x23), (0x2A, 0x2A), (0x30, 0x39), (0xA9, 0xA9), (0xAE, 0xAE), (0x2000, 0x3300), (0x1F000, 0x1FAFF)]
        )
    return ANY


# --------------------------------------------------------------------------- AST


class _Node:
    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end


class _Char(_Node):
    __slots__ = ("cs",)

    def __init__(self, start: int, end: int, cs: Ranges) -> None:
        self.start = start
        self.end = end
        self.cs = cs


class _Seq(_Node):
    __slots__ = ("items",)

    def __init__(self, start: int, end: int, items: list[_Node]) -> None:
        self.start = start
        self.end = end
        self.items = items


class _Alt(_Node):
    __slots__ = ("options",)

    def __init__(self, start: int, end: int, options: list[_Node]) -> None:
        self.start = start
        self.end = end
        self.options = options


class _Look(_Node):
    __slots__ = ("behind", "body")

    def __init__(self, start: int, end: int, body: _Node, behind: bool) -> None:
        self.start = start
        self.end = end
        self.body = body
        self.behind = behind


class _Assert(_Node):
    __slots__ = ("kind",)

    def __init__(self, start: int, end: int, kind: str) -> None:
        self.start = start
        self.end = end
        self.kind = kind


class _Backref(_Node):
    __slots__ = ()


class _Group(_Node):
    """A parenthesised group; transparent for matching, kept for source spans."""

    __slots__ = ("body",)

    def __init__(self, start: int, end: int, body: _Node) -> None:
        self.start = start
        self.end = end
        self.body = body


def _unwrap(node: _Node) -> _Node:
    while isinstance(node, _Group):
        node = node.body
    return node


class _Repeat(_Node):
    __slots__ = ("body", "lazy", "max", "min", "qstart")

    def __init__(self, start: int, end: int, body: _Node, mn: int, mx: int | None, lazy: bool, qstart: int) -> None:
        self.start = start
        self.end = end
        self.body = body
        self.min = mn
        self.max = mx
        self.lazy = lazy
        self.qstart = qstart

    @property
    def unbounded(self) -> bool:
        return self.max is None or self.max >= UNBOUNDED

    @property
    def loop(self) -> bool:
        return self.max is None or self.max > LOOP_THRESHOLD


# --------------------------------------------------------------------------- parser


class _Malformed(Exception):
    pass


class _TooBig(Exception):
    pass


_QUANT_RE = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_NAME_RE = re.compile(r"[A-Za-z_$\u0080-\U0010FFFF][\w$\u0080-\U0010FFFF]*")
_PROP_RE = re.compile(r"\{([A-Za-z_]+)(?:=([A-Za-z_0-9]+))?\}")
_MODIFIER_RE = re.compile(r"\(\?([ims]*)(?:-([ims]*))?:")
_HEX2_RE = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4_RE = re.compile(r"[0-9A-Fa-f]{4}")
_HEXN_RE = re.compile(r"\{([0-9A-Fa-f]+)\}")
_TRAIL_RE = re.compile(r"\\u([dD][c-fC-F][0-9A-Fa-f]{2})")
_SYNTAX_CHARS = frozenset("^$\\.*+?()[]{}|/")
_DIGITS = frozenset("0123456789")
_OCTAL = frozenset("01234567")
_QUANT_CHARS = frozenset("*+?")
_QUANT_START = frozenset("*+?{")
_SPECIAL = frozenset("^$\\.*+?()[]{}|")
_LITERAL_RUN = re.compile(r"[^$^\\.*+?()\[\]{}|]+")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CONTROL_ESC = {"f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_CLASS_ESC = {"d": DIGIT, "w": WORD, "s": SPACE}


def _count_groups(src: str, vmode: bool) -> tuple[int, bool]:
    count = 0
    named = False
    depth = 0
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if depth:
            if c == "]":
                depth -= 1
            elif c == "[" and vmode:
                depth += 1
        elif c == "[":
            depth = 1
        elif c == "(":
            if not src.startswith("(?", i):
                count += 1
            elif src.startswith("(?<", i) and not src.startswith(("(?<=", "(?<!"), i):
                count += 1
                named = True
        i += 1
    return count, named


def _num(digits: str) -> int:
    return int(digits) if len(digits) <= 9 else 10**9


class _Parser:
    def __init__(self, src: str, flags: str) -> None:
        self.src = src
        self.n = len(src)
        self.pos = 0
        self.vmode = "v" in flags
        self.unicode = "u" in flags or self.vmode
        self.icase = "i" in flags
        self.dotall = "s" in flags
        self._groups: tuple[int, bool] | None = None
        self.unbounded_loops = 0
        self.nested_unbounded = False  # an unbounded loop inside a repeat that iterates more than once
        self.ambiguous_loop = False  # a loop whose body contains an alternation or a quantifier
        self.has_dollar = False
        self.loop_sets: list[Ranges] = []  # characters of each unbounded loop's body

    @property
    def ngroups(self) -> int:
        if self._groups is None:
            self._groups = _count_groups(self.src, self.vmode)
        return self._groups[0]

    @property
    def named(self) -> bool:
        if self._groups is None:
            self._groups = _count_groups(self.src, self.vmode)
        return self._groups[1]

    def error(self) -> NoReturn:
        raise _Malformed

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.src[i] if i < self.n else ""

    def parse(self) -> _Node:
        node = self.disjunction()
        if self.pos < self.n:
            self.error()
        return node

    def disjunction(self) -> _Node:
        start = self.pos
        options = [self.alternative()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.alternative())
        if len(options) == 1:
            return options[0]
        return _Alt(start, self.pos, options)

    def alternative(self) -> _Node:
        src, n = self.src, self.n
        start = self.pos
        items: list[_Node] = []
        append = items.append
        while self.pos < n:
            c = src[self.pos]
            if c == "|" or c == ")":
                break
            if c in _SPECIAL:
                append(self.term())
                continue
            # a run of plain literal characters; the last one may carry a quantifier
            pos = self.pos
            end = _LITERAL_RUN.match(src, pos).end()  # type: ignore[union-attr]
            quantified = end < n and src[end] in _QUANT_START
            plain_end = end - 1 if quantified else end
            icase = self.icase
            for i in range(pos, plain_end):
                cp = ord(src[i])
                append(_Char(i, i + 1, _fold(((cp, cp),)) if icase else ((cp, cp),)))
            self.pos = plain_end
            if quantified:
                append(self.term())
        if len(items) == 1:
            return items[0]
        return _Seq(start, self.pos, items)

    def no_quantifier(self) -> None:
        if self.peek() in _QUANT_CHARS or (self.peek() == "{" and _QUANT_RE.match(self.src, self.pos)):
            self.error()

    def term(self) -> _Node:
        src = self.src
        start = self.pos
        c = src[start]
        if c not in _SPECIAL:
            self.pos = nxt = start + 1
            cs = _fold(_single(ord(c))) if self.icase else _single(ord(c))
            char = _Char(start, nxt, cs)
            if nxt < self.n and src[nxt] in _QUANT_START:
                return self.quantified(char, start)
            return char
        if c in "^$":
            self.pos += 1
            if c == "$":
                self.has_dollar = True
            self.no_quantifier()
            return _Assert(start, self.pos, c)
        if c == "\\" and self.peek(1) in ("b", "B"):
            self.pos += 2
            self.no_quantifier()
            return _Assert(start, self.pos, src[start + 1])
        if src.startswith(("(?=", "(?!", "(?<=", "(?<!"), start):
            behind = src[start + 2] == "<"
            self.pos += 4 if behind else 3
            body = self.disjunction()
            if self.peek() != ")":
                self.error()
            self.pos += 1
            look = _Look(start, self.pos, body, behind)
            if behind or self.unicode:
                self.no_quantifier()
                return look
            return self.quantified(look, start)
        before = self.unbounded_loops
        atom = self.atom()
        node = self.quantified(atom, start)
        if (
            self.unbounded_loops > before
            and isinstance(node, _Repeat)
            and node.body is atom
            and (node.max is None or node.max > 1)
            and not isinstance(_unwrap(atom), _Char)
        ):
            inner_loops = self.unbounded_loops - before - (1 if node.unbounded else 0)
            if inner_loops:
                self.nested_unbounded = True
        return node

    def quantified(self, atom: _Node, start: int) -> _Node:
        qstart = self.pos
        c = self.peek()
        mx: int | None
        if c == "*":
            mn, mx = 0, None
            self.pos += 1
        elif c == "+":
            mn, mx = 1, None
            self.pos += 1
        elif c == "?":
            mn, mx = 0, 1
            self.pos += 1
        elif c == "{":
            m = _QUANT_RE.match(self.src, self.pos)
            if m is None:
                if self.unicode:
                    self.error()
                return atom
            mn = _num(m.group(1))
            if m.group(2) is None:
                mx = mn
            elif m.group(3):
                mx = _num(m.group(3))
            else:
                mx = None
            if mx is not None and mx < mn:
                self.error()
            self.pos = m.end()
        else:
            return atom
        lazy = self.peek() == "?"
        if lazy:
            self.pos += 1
        node = _Repeat(start, self.pos, atom, mn, mx, lazy, qstart)
        if node.unbounded:
            self.unbounded_loops += 1
            body = _unwrap(atom)
            self.loop_sets.append(body.cs if isinstance(body, _Char) else _body_chars(body))
        if node.loop and not isinstance(_unwrap(atom), _Char) and _may_be_ambiguous(atom):
            self.ambiguous_loop = True
        return node

    def literal(self, start: int, cp: int) -> _Char:
        cs = _single(cp)
        if self.icase:
            cs = _fold(cs)
        return _Char(start, self.pos, cs)

    def atom(self) -> _Node:
        src = self.src
        start = self.pos
        c = src[start]
        if c == ".":
            self.pos += 1
            return _Char(start, self.pos, ANY if self.dotall else DOT)
        if c == "(":
            return self.group()
        if c == "[":
            cs = self.class_v() if self.vmode else self.char_class()
            return _Char(start, self.pos, cs)
        if c == "\\":
            return self.atom_escape()
        if c in _QUANT_CHARS:
            self.error()
        if c == "{" and (self.unicode or _QUANT_RE.match(src, start)):
            self.error()
        if c in "]}" and self.unicode:
            self.error()
        self.pos += 1
        return self.literal(start, ord(c))

    def group(self) -> _Node:
        src = self.src
        start = self.pos
        saved = (self.icase, self.dotall)
        if src.startswith("(?:", start):
            self.pos += 3
        elif src.startswith("(?<", start):
            m = _NAME_RE.match(src, start + 3)
            if m is None or not src.startswith(">", m.end()):
                self.error()
            self.pos = m.end() + 1
        elif src.startswith("(?", start):
            mod = _MODIFIER_RE.match(src, start)
            if mod is None:
                self.error()
            on, off = mod.group(1), mod.group(2) or ""
            if "i" in on:
                self.icase = True
            if "s" in on:
                self.dotall = True
            if "i" in off:
                self.icase = False
            if "s" in off:
                self.dotall = False
            self.pos = mod.end()
        else:
            self.pos += 1
        body = self.disjunction()
        self.icase, self.dotall = saved
        if self.peek() != ")":
            self.error()
        self.pos += 1
        return _Group(start, self.pos, body)

    def atom_escape(self) -> _Node:
        src = self.src
        start = self.pos
        self.pos += 1
        if self.pos >= self.n:
            self.error()
        c = src[self.pos]
        if c in _DIGITS and c != "0":
            end = self.pos
            while end < self.n and src[end] in _DIGITS:
                end += 1
            if _num(src[self.pos : end]) <= self.ngroups:
                self.pos = end
                return _Backref(start, self.pos)
            if self.unicode:
                self.error()
            if c in "89":
                self.pos += 1
                return self.literal(start, ord(c))
            return self.literal(start, self.legacy_octal())
        if c == "k" and (self.unicode or self.named):
            if self.peek(1) != "<":
                self.error()
            m = _NAME_RE.match(src, self.pos + 2)
            if m is None or not src.startswith(">", m.end()):
                self.error()
            self.pos = m.end() + 1
            return _Backref(start, self.pos)
        res = self.char_escape(in_class=False)
        if isinstance(res, int):
            return self.literal(start, res)
        return _Char(start, self.pos, _fold(res) if self.icase else res)

    def legacy_octal(self) -> int:
        value = 0
        for _ in range(3):
            d = self.peek()
            if d not in _OCTAL or value * 8 + int(d) > 0o377:
                break
            value = value * 8 + int(d)
            self.pos += 1
        return value

    def char_escape(self, in_class: bool) -> int | Ranges:
        """Parse an escape whose backslash has been consumed; return a code point or a set."""
        src = self.src
        c = src[self.pos]
        u = self.unicode
        low = c.lower()
        if low in _CLASS_ESC:
            self.pos += 1
            base = _CLASS_ESC[low]
            return _complement(base) if c != low else base
        if c in "pP" and u:
            m = _PROP_RE.match(src, self.pos + 1)
            if m is None:
                self.error()
            self.pos = m.end()
            cs = _property(m.group(1), m.group(2))
            return _complement(cs) if c == "P" else cs
        if c in _CONTROL_ESC:
            self.pos += 1
            return _CONTROL_ESC[c]
        if in_class and c == "b":
            self.pos += 1
            return 8
        if in_class and c == "-":
            self.pos += 1
            return 0x2D
        if c == "c":
            nxt = self.peek(1)
            if nxt in _ASCII_LETTERS or (in_class and not u and (nxt in _DIGITS or nxt == "_")):
                self.pos += 2
                return ord(nxt) % 32
            if u:
                self.error()
            return 0x5C  # a lone backslash; the "c" is parsed as the next character
        if c == "0" and self.peek(1) not in _DIGITS:
            self.pos += 1
            return 0
        if c in _DIGITS:
            if u:
                self.error()
            if c in "89":
                self.pos += 1
                return ord(c)
            return self.legacy_octal()
        if c == "x":
            m = _HEX2_RE.match(src, self.pos + 1)
            if m is not None:
                self.pos = m.end()
                return int(m.group(), 16)
            if u:
                self.error()
            self.pos += 1
            return ord("x")
        if c == "u":
            return self.unicode_escape()
        if u and c not in _SYNTAX_CHARS:
            self.error()
        self.pos += 1
        return ord(c)

    def unicode_escape(self) -> int:
        src = self.src
        if self.unicode and self.peek(1) == "{":
            m = _HEXN_RE.match(src, self.pos + 1)
            if m is None or len(m.group(1)) > 8 or int(m.group(1), 16) > MAX_CP:
                self.error()
            self.pos = m.end()
            return int(m.group(1), 16)
        m4 = _HEX4_RE.match(src, self.pos + 1)
        if m4 is not None:
            value = int(m4.group(), 16)
            self.pos = m4.end()
            if self.unicode and 0xD800 <= value <= 0xDBFF:
                trail = _TRAIL_RE.match(src, self.pos)
                if trail is not None:
                    self.pos = trail.end()
                    value = 0x10000 + ((value - 0xD800) << 10) + (int(trail.group(1), 16) - 0xDC00)
            return value
        if self.unicode:
            self.error()
        self.pos += 1
        return ord("u")

    def class_atom(self) -> int | Ranges:
        c = self.src[self.pos]
        self.pos += 1
        if c != "\\":
            return ord(c)
        if self.pos >= self.n:
            self.error()
        return self.char_escape(in_class=True)

    def char_class(self) -> Ranges:
        self.pos += 1
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        items: list[tuple[int, int]] = []

        def add(x: int | Ranges) -> None:
            if isinstance(x, int):
                items.append((x, x))
            else:
                items.extend(x)

        while True:
            if self.pos >= self.n:
                self.error()
            if self.src[self.pos] == "]":
                self.pos += 1
                break
            a = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                b = self.class_atom()
                if isinstance(a, int) and isinstance(b, int):
                    if a > b:
                        self.error()
                    items.append((a, b))
                else:
                    if self.unicode:
                        self.error()
                    add(a)
                    add(0x2D)
                    add(b)
            else:
                add(a)
        cs = _norm(items)
        if self.icase:
            cs = _fold(cs)
        return _complement(cs) if negate else cs

    def class_v(self) -> Ranges:
        """A ``v``-mode class: nesting, ``--`` difference, ``&&`` intersection, ``\\q{...}``."""
        self.pos += 1
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        acc: Ranges = ()
        op = ""
        while True:
            if self.pos >= self.n:
                self.error()
            src = self.src
            if src[self.pos] == "]":
                self.pos += 1
                break
            if src.startswith(("--", "&&"), self.pos):
                op = src[self.pos]
                self.pos += 2
                continue
            operand = self.v_operand()
            if op == "-":
                acc = _difference(acc, operand)
            elif op == "&":
                acc = _intersect(acc, operand)
            else:
                acc = _union(acc, operand)
        if self.icase:
            acc = _fold(acc)
        return _complement(acc) if negate else acc

    def v_operand(self) -> Ranges:
        src = self.src
        if src[self.pos] == "[":
            return self.class_v()
        if src.startswith("\\q{", self.pos):
            end = src.find("}", self.pos)
            if end < 0:
                self.error()
            chars = src[self.pos + 3 : end].replace("\\", "").replace("|", "")
            self.pos = end + 1
            return _norm([(ord(ch), ord(ch)) for ch in chars])
        a = self.class_atom()
        if isinstance(a, int) and self.peek() == "-" and self.peek(1) not in ("-", "]", ""):
            self.pos += 1
            b = self.class_atom()
            if not isinstance(b, int) or a > b:
                self.error()
            return ((a, b),)
        return _single(a) if isinstance(a, int) else a


# --------------------------------------------------------------------------- Glushkov automaton with multiplicities


@dataclass(slots=True)
class _Info:
    first: dict[int, int]  # position -> number of ways to start there (capped at 2)
    last: dict[int, int]
    null: int  # number of ways to match the empty string (capped at 2)
    nf: bool  # can match empty without any assertion ("free")
    nd: bool  # can match empty using only `$` assertions
    flast: frozenset[int]  # positions after which the rest matches empty freely
    dlast: frozenset[int]  # ... matches empty using only `$`
    sfirst: frozenset[int]  # first positions reachable without crossing `^`
    sn: bool  # can be crossed empty without `^`
    # positions of `last` after which every way to the end of the fragment crosses a `$`: what follows them
    # must be the end of the input (or, with the `m` flag, a line terminator)
    guarded: frozenset[int] = frozenset()


_NOTHING: frozenset[int] = frozenset()


def _epsilon(nf: bool, nd: bool, sn: bool) -> _Info:
    return _Info({}, {}, 1, nf, nd, _NOTHING, _NOTHING, _NOTHING, sn)


def _nonempty(b: _Info) -> _Info:
    return _Info(b.first, b.last, 0, False, False, b.flast, b.dlast, b.sfirst, False, b.guarded)


def _optional(b: _Info) -> _Info:
    return _Info(b.first, b.last, 1, True, True, b.flast, b.dlast, b.sfirst, True, b.guarded)


# Characters that can follow a `$` assertion in multiline mode (the line terminators).
_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))


@dataclass(slots=True)
class _LoopInst:
    node: _Repeat
    lo: int  # positions [lo, hi) belong to this loop's iterated body
    hi: int
    e_lo: int  # edges [e_lo, e_hi) are the ones created inside this loop
    e_hi: int


class _Builder:
    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline
        self.labels: list[Ranges] = []
        self.edges: list[tuple[int, int, int, _Node]] = []
        self.loops: list[_LoopInst] = []
        self.free_extra: set[int] = set()

    def new_pos(self, cs: Ranges) -> int:
        if len(self.labels) >= MAX_STATES:
            raise _TooBig
        self.labels.append(cs)
        return len(self.labels) - 1

    def connect(self, last: dict[int, int], first: dict[int, int], creator: _Node,
                guarded: frozenset[int] = _NOTHING, started: frozenset[int] | None = None) -> None:
        """Edges from `last` to `first`; from a `guarded` position (a `$` lies between) only to a line terminator
        in multiline mode, and nowhere otherwise (nothing follows the end of the input). Likewise into a
        position of `first` reached only across a `^` (not in `started`): only from a line terminator in
        multiline mode, and from nowhere otherwise (nothing precedes the start of the input)."""
        if not last or not first:
            return
        if len(self.edges) + len(last) * len(first) > MAX_EDGES:
            raise _TooBig
        append = self.edges.append
        for p, c1 in last.items():
            after_line_end = self.multiline and _overlaps(self.labels[p], _LINE_TERMINATORS)
            for q, c2 in first.items():
                if p in guarded and not (self.multiline and _overlaps(self.labels[q], _LINE_TERMINATORS)):
                    continue
                if started is not None and q not in started and not after_line_end:
                    continue
                append((p, q, 2 if c1 * c2 > 1 else 1, creator))

    def seq(self, a: _Info, b: _Info, creator: _Node) -> _Info:
        self.connect(a.last, b.first, creator, a.guarded, b.sfirst)
        first = a.first
        if a.null and b.first:
            first = dict(first)
            for q, c in b.first.items():
                first[q] = min(2, first.get(q, 0) + a.null * c)
        last = b.last
        if b.null and a.last:
            last = dict(last)
            for p, c in a.last.items():
                last[p] = min(2, last.get(p, 0) + b.null * c)
        guarded = b.guarded
        if b.null and a.last:
            # `b` crossed empty only through `$` guards all of `a`'s last positions; crossed freely, `a`'s own
            carried = frozenset(a.last) if b.nd and not b.nf else a.guarded
            guarded = guarded | carried
        return _Info(
            first,
            last,
            min(2, a.null * b.null),
            a.nf and b.nf,
            a.nd and b.nd,
            b.flast | a.flast if b.nf else b.flast,
            b.dlast | a.dlast if b.nd else b.dlast,
            a.sfirst | b.sfirst if a.sn else a.sfirst,
            a.sn and b.sn,
            guarded,
        )

    def build(self, node: _Node) -> _Info:
        if isinstance(node, _Char):
            p = self.new_pos(node.cs)
            s = frozenset((p,))
            return _Info({p: 1}, {p: 1}, 0, False, False, s, s, s, False)
        if isinstance(node, _Seq):
            info = _epsilon(True, True, True)
            for item in node.items:
                info = self.seq(info, self.build(item), node)
            return info
        if isinstance(node, _Alt):
            return self.build_alt(node)
        if isinstance(node, _Repeat):
            return self.build_repeat(node)
        if isinstance(node, _Group):
            return self.build(node.body)
        if isinstance(node, _Look):
            inner = self.build(node.body)
            # lookarounds are atomic: once the body has matched, the engine never backtracks into it
            self.free_extra |= inner.flast
            return _epsilon(False, False, True)
        if isinstance(node, _Assert):
            return _epsilon(False, node.kind == "$", node.kind != "^")
        return _epsilon(False, False, True)  # backreference: treated as matching the empty string

    def build_alt(self, node: _Alt) -> _Info:
        infos = [self.build(o) for o in node.options]
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for info in infos:
            first.update(info.first)
            last.update(info.last)
        return _Info(
            first,
            last,
            min(2, sum(i.null for i in infos)),
            any(i.nf for i in infos),
            any(i.nd for i in infos),
            frozenset().union(*(i.flast for i in infos)),
            frozenset().union(*(i.dlast for i in infos)),
            frozenset().union(*(i.sfirst for i in infos)),
            any(i.sn for i in infos),
            frozenset().union(*(i.guarded for i in infos)),
        )

    def build_repeat(self, r: _Repeat) -> _Info:
        if r.max == 0:
            return _epsilon(True, True, True)
        body_node = _unwrap(r.body)
        if r.loop and isinstance(body_node, _Char):
            p = self.new_pos(body_node.cs)
            self.edges.append((p, p, 1, r))
            s = frozenset((p,))
            nullable = r.min == 0
            return _Info({p: 1}, {p: 1}, int(nullable), nullable, nullable, s, s, s, nullable)
        mandatory = min(r.min, 2) if r.loop else r.min
        info = _epsilon(True, True, True)
        for _ in range(mandatory):
            info = self.seq(info, self.build(r.body), r)
        if r.loop:
            lo, e_lo = len(self.labels), len(self.edges)
            body = self.build(r.body)
            self.connect(body.last, body.first, r, body.guarded, body.sfirst)
            self.loops.append(_LoopInst(r, lo, len(self.labels), e_lo, len(self.edges)))
            info = self.seq(info, _optional(body), r)
        elif r.max is not None and r.max > r.min:
            tail: _Info | None = None
            for _ in range(r.max - r.min):
                part = _nonempty(self.build(r.body))
                if tail is not None:
                    part = self.seq(part, tail, r)
                tail = _optional(part)
            assert tail is not None
            info = self.seq(info, tail, r)
        return info


# --------------------------------------------------------------------------- ambiguity checks


def _walk(node: _Node) -> list[_Node]:
    """Nodes of a subtree in pre-order, not entering lookarounds."""
    out: list[_Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, _Seq):
            stack.extend(reversed(n.items))
        elif isinstance(n, _Alt):
            stack.extend(reversed(n.options))
        elif isinstance(n, (_Repeat, _Group)):
            stack.append(n.body)
    return out


def _body_chars(node: _Node) -> Ranges:
    return _norm([r for n in _walk(node) if isinstance(n, _Char) for r in n.cs])


def _may_be_ambiguous(body: _Node) -> bool:
    return any(isinstance(n, (_Alt, _Repeat)) for n in _walk(body))


class _Work:
    def __init__(self) -> None:
        self.left = MAX_WORK

    def spend(self, amount: int = 1) -> None:
        self.left -= amount
        if self.left < 0:
            raise _TooBig


def _eda(b: _Builder, inst: _LoopInst, work: _Work) -> Ranges | None:
    """Return a witness character set if the loop's body can match a word in two ways."""
    succ: dict[int, dict[int, int]] = {}
    for p, q, c, _ in b.edges[inst.e_lo : inst.e_hi]:
        d = succ.setdefault(p, {})
        d[q] = min(2, d.get(q, 0) + c)
    labels = b.labels
    adj: dict[tuple[int, int], list[tuple[int, int]]] = {}
    doubles: list[tuple[tuple[int, int], tuple[int, int]]] = []
    stack = [(p, p) for p in succ]
    while stack:
        node = stack.pop()
        if node in adj:
            continue
        a, c = node
        outs: list[tuple[int, int]] = []
        sc = succ.get(c, {})
        for a2, m in succ.get(a, {}).items():
            la = labels[a2]
            for c2 in sc:
                if _overlaps(la, labels[c2]):
                    outs.append((a2, c2))
                    if a == c and a2 == c2 and m >= 2:
                        doubles.append((node, (a2, c2)))
        work.spend(1 + len(outs))
        adj[node] = outs
        stack.extend(outs)
    comp = _scc(adj)
    diag = {comp[n] for n in adj if n[0] == n[1]}
    for (a, c), cid in comp.items():
        if a != c and cid in diag:
            return _intersect(labels[a], labels[c])
    for src, dst in doubles:
        if comp[src] == comp[dst]:
            return labels[dst[0]]
    return None


def _scc(adj: dict[tuple[int, int], list[tuple[int, int]]]) -> dict[tuple[int, int], int]:
    """Iterative Tarjan: map each node to its strongly connected component id."""
    index: dict[tuple[int, int], int] = {}
    low: dict[tuple[int, int], int] = {}
    on_stack: set[tuple[int, int]] = set()
    stack: list[tuple[int, int]] = []
    comp: dict[tuple[int, int], int] = {}
    counter = 0
    ncomp = 0
    for root in adj:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[tuple[int, int], int]] = [(root, 0)]
        while work:
            v, i = work[-1]
            outs = adj[v]
            if i < len(outs):
                work[-1] = (v, i + 1)
                w = outs[i]
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp[w] = ncomp
                        if w == v:
                            break
                    ncomp += 1
    return comp


def _reach(
    labels: list[Ranges],
    succ: list[set[int]],
    starts: list[int],
    target: Callable[[int], bool],
    work: _Work,
) -> tuple[int, Ranges] | None:
    """Breadth-first search through states that all accept one common character."""
    seen = set(starts)
    queue: deque[tuple[int, Ranges]] = deque()
    for s in starts:
        if labels[s]:
            if target(s):
                return s, labels[s]
            queue.append((s, labels[s]))
    while queue:
        x, cs = queue.popleft()
        work.spend(1 + len(succ[x]))
        for y in succ[x]:
            if y in seen:
                continue
            narrowed = _intersect(cs, labels[y])
            if not narrowed:
                continue
            seen.add(y)
            if target(y):
                return y, narrowed
            queue.append((y, narrowed))
    return None


# --------------------------------------------------------------------------- reporting


def _span(pattern: str, node: _Node) -> str:
    return pattern[node.start : node.end]


def _eda_issue(pattern: str, r: _Repeat, witness: Ranges) -> RedosIssue:
    nodes = _walk(r.body)
    repeats = [n for n in nodes if isinstance(n, _Repeat)]
    multi = [n for n in repeats if n.max is None or n.max > 1]
    alts = [n for n in nodes if isinstance(n, _Alt)]
    quant = pattern[r.qstart : r.end]
    run = _describe(witness)
    degree = "" if r.unbounded else f" (with up to {r.max} repetitions the work grows like n^{r.max})"
    if not multi and alts:
        return RedosIssue(
            kind="overlapping-alternation",
            fragment=_span(pattern, r),
            explanation=(
                f"the alternatives in `{_span(pattern, alts[0])}` can both match {run}, so under the outer "
                f"`{quant}` each repetition can be matched in more than one way and a failing input is "
                f"retried exponentially many times{degree}"
            ),
            exponential=True,
        )
    inner = next((n for n in multi if _overlaps(_body_chars(n), witness)), None) or (multi or repeats or [r])[0]
    return RedosIssue(
        kind="nested-quantifier",
        fragment=_span(pattern, r),
        explanation=(
            f"the inner `{_span(pattern, inner)}` and the outer `{quant}` can split the same run of {run} "
            f"in exponentially many ways{degree}"
        ),
        exponential=True,
    )


def _ancestry(root: _Node, target: _Node) -> list[_Node]:
    """The chain of nodes from root down to target (empty if absent), not entering lookarounds."""
    stack: list[tuple[_Node, list[_Node]]] = [(root, [root])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        children: list[_Node] = []
        if isinstance(node, _Seq):
            children = node.items
        elif isinstance(node, _Alt):
            children = node.options
        elif isinstance(node, (_Repeat, _Group, _Look)):
            children = [node.body]
        stack.extend((c, [*path, c]) for c in children)
    return []


def _joint_span(root: _Node, a: _Node, b: _Node) -> tuple[int, int]:
    """Source span covering a and b, extended to whole items of their closest common sequence."""
    pa, pb = _ancestry(root, a), _ancestry(root, b)
    start, end = min(a.start, b.start), max(a.end, b.end)
    depth = 0
    while depth < min(len(pa), len(pb)) and pa[depth] is pb[depth]:
        depth += 1
    if depth == 0 or depth >= min(len(pa), len(pb)):
        return start, end
    lca, ca, cb = pa[depth - 1], pa[depth], pb[depth]
    if isinstance(lca, _Seq):
        return min(ca.start, cb.start), max(ca.end, cb.end)
    return lca.start, lca.end


def _ida_issue(root: _Node, pattern: str, rp: _Repeat, rq: _Repeat, witness: Ranges) -> RedosIssue:
    run = _describe(witness)
    if rp is rq:
        outer = [n for n in _ancestry(root, rp)[:-1] if isinstance(n, _Repeat)]
        text = _span(pattern, outer[-1] if outer else rp)
        return RedosIssue(
            kind="overlapping-adjacent",
            fragment=text,
            explanation=(
                f"consecutive copies of `{_span(pattern, rp)}` in `{text}` can share the same run of {run}, so when "
                f"the rest of the pattern fails every way of splitting the run is tried (polynomial backtracking)"
            ),
            exponential=False,
        )
    start, end = _joint_span(root, rp, rq)
    return RedosIssue(
        kind="overlapping-adjacent",
        fragment=pattern[start:end],
        explanation=(
            f"`{_span(pattern, rp)}` and `{_span(pattern, rq)}` can both match the same run of {run}, so when "
            f"the rest of the pattern fails every way of splitting the run between them is tried "
            f"(polynomial backtracking)"
        ),
        exponential=False,
    )


def _prefix_issue(pattern: str, rq: _Repeat, witness: Ranges) -> RedosIssue:
    text = _span(pattern, rq)
    return RedosIssue(
        kind="overlapping-adjacent",
        fragment=text,
        explanation=(
            f"the pattern is not anchored at the start, so on a long run of {_describe(witness)} that is not "
            f"at the end of the input `{text}` is retried from every start position and re-scans the run "
            f"each time (quadratic backtracking)"
        ),
        exponential=False,
    )


def _anchored_start(node: _Node) -> bool:
    node = _unwrap(node)
    if isinstance(node, _Assert):
        return node.kind == "^"
    if isinstance(node, _Seq):
        return bool(node.items) and _anchored_start(node.items[0])
    if isinstance(node, _Alt):
        return all(_anchored_start(o) for o in node.options)
    return False


_FLAG_CHARS = frozenset("dgimsuvy")
_QUANTIFIED_GROUP = re.compile(r"\)[*+{]")


def _valid_flags(flags: str) -> bool:
    return set(flags) <= _FLAG_CHARS and len(set(flags)) == len(flags) and not ("u" in flags and "v" in flags)


def _any_overlap(sets: list[Ranges]) -> bool:
    return any(_overlaps(a, b) for i, a in enumerate(sets) for b in sets[i + 1 :])


def analyze(pattern: str, flags: str = "") -> RedosIssue | None:
    """Analyse a JavaScript regular expression (source text without slashes) for ReDoS.

    Returns the first problem found (exponential problems take precedence), or
    ``None`` when the pattern looks safe, is malformed, or is too large to analyse.
    """
    if len(pattern) > MAX_PATTERN_LEN or not _valid_flags(flags):
        return None
    return _analyze_cached(pattern, flags)


@lru_cache(maxsize=4096)
def _analyze_cached(pattern: str, flags: str) -> RedosIssue | None:
    # Cheap pre-screen: every unbounded quantifier contains `*`, `+` or `,` (`{n,}`, `{n,m}`), so with at
    # most one of them and neither `$` nor a quantified group there is nothing that could blow up.
    loops = pattern.count("*") + pattern.count("+") + pattern.count(",")
    if loops == 0 or (loops == 1 and "$" not in pattern and _QUANTIFIED_GROUP.search(pattern) is None):
        return None
    try:
        parser = _Parser(pattern, flags)
        root = parser.parse()
    except (_Malformed, RecursionError):
        return None
    need_eda = parser.ambiguous_loop
    need_ida = parser.nested_unbounded or _any_overlap(parser.loop_sets)
    need_prefix = parser.unbounded_loops >= 1 and parser.has_dollar and "y" not in flags and not _anchored_start(root)
    if not (need_eda or need_ida or need_prefix):
        return None
    try:
        return _analyze_automaton(pattern, root, need_eda, need_ida, need_prefix, "m" in flags)
    except (_TooBig, RecursionError):
        return None


def _analyze_automaton(
    pattern: str, root: _Node, need_eda: bool, need_ida: bool, need_prefix: bool, multiline: bool = False
) -> RedosIssue | None:
    b = _Builder(multiline)
    info = b.build(root)
    work = _Work()
    if need_eda:
        checked: set[int] = set()
        for inst in b.loops:
            if id(inst.node) in checked:
                continue
            checked.add(id(inst.node))
            if not _may_be_ambiguous(inst.node.body):
                continue
            witness = _eda(b, inst, work)
            if witness is not None:
                return _eda_issue(pattern, inst.node, witness)
    if not (need_ida or need_prefix):
        return None
    labels = b.labels
    succ: list[set[int]] = [set() for _ in labels]
    selfloop: dict[int, _Repeat] = {}
    for p, q, _, creator in b.edges:
        succ[p].add(q)
        if p == q and p not in selfloop and isinstance(creator, _Repeat) and creator.unbounded:
            selfloop[p] = creator
    free = info.flast | b.free_extra
    if need_ida:
        for p in sorted(selfloop):

            def other_loop(q: int, p: int = p) -> bool:
                return q != p and q in selfloop and q not in free

            hit = _reach(labels, succ, [p], other_loop, work)
            if hit is not None:
                return _ida_issue(root, pattern, selfloop[p], selfloop[hit[0]], hit[1])
    if need_prefix:
        dlast = info.dlast
        hit = _reach(
            labels,
            succ,
            sorted(info.sfirst),
            lambda q: q in selfloop and q in dlast and q not in free,
            work,
        )
        if hit is not None:
            return _prefix_issue(pattern, selfloop[hit[0]], hit[1])
    return None
