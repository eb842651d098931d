"""The JavaScript of a page: inline `<script>` blocks of HTML files, Vue components and server templates.

Server templates (EJS, Handlebars, Mustache, Nunjucks, Pug) and static pages ship code that runs in the
browser, where `location.hash` or data the server printed reach `innerHTML`, `document.write` or `eval`.
This module turns a page into one JavaScript text the code scanner can analyse like any file:
- everything outside the scripts becomes spaces (line breaks kept), so lines stay where they were;
- a template tag inside a script becomes JavaScript: an output tag becomes a name the taint engine knows as
  template data (`catalog.TEMPLATE_OUTPUT_MARKERS`; inside a string literal the string is split around it), a
  control tag (`<% if (x) { %>`, `{{#each}}`, `{% for %}`) or a comment becomes spaces.
Replacements change the length of a line; `PageScript.column` maps a column of the script back to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nodeward.analysis.taint.catalog import TEMPLATE_OUTPUT_MARKERS

_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
# Script types a browser runs as JavaScript; others (`text/template`, `application/json`, `text/x-handlebars`)
# hold data or markup for a library.
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "text/ecmascript",
                       "application/ecmascript", "text/jsx", "text/babel"})
_DIALECTS = {"ts": "typescript", "typescript": "typescript", "tsx": "tsx", "jsx": "javascript", "js": "javascript",
             "javascript": "javascript", "": "javascript"}
# A Pug `script` tag whose block (`script.`) or inline text is code: `script.`, `script(nonce=n).`.
_PUG_SCRIPT = re.compile(r"^(?P<indent>[ \t]*)script(?:\((?P<attributes>[^)]*)\))?\.[ \t]*$")

# Template tags by engine: (pattern, kind) where kind is "raw", "esc" (an output tag) or "" (spaces).
_TAGS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "ejs": (
        (re.compile(r"<%%"), ""),
        (re.compile(r"<%#.*?%>", re.DOTALL), ""),
        (re.compile(r"<%-(.*?)[-_]?%>", re.DOTALL), "raw"),
        (re.compile(r"<%=(.*?)[-_]?%>", re.DOTALL), "esc"),
        (re.compile(r"<%_?(.*?)[-_]?%>", re.DOTALL), ""),
    ),
    "handlebars": (
        (re.compile(r"\{\{!--.*?--\}\}|\{\{![^}]*\}\}", re.DOTALL), ""),
        (re.compile(r"\{\{\{~?(.*?)~?\}\}\}", re.DOTALL), "raw"),
        (re.compile(r"\{\{~?&(.*?)~?\}\}", re.DOTALL), "raw"),
        (re.compile(r"\{\{~?\s*(?:[#/^>]|else\b)(.*?)~?\}\}", re.DOTALL), ""),
        (re.compile(r"\{\{~?(.*?)~?\}\}", re.DOTALL), "esc"),
    ),
    "nunjucks": (
        (re.compile(r"\{#.*?#\}", re.DOTALL), ""),
        (re.compile(r"\{%.*?%\}", re.DOTALL), ""),
        (re.compile(r"\{\{-?((?:(?!\}\}).)*?\|\s*safe\b.*?)-?\}\}", re.DOTALL), "raw"),
        (re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL), "esc"),
    ),
    "pug": (
        (re.compile(r"!\{([^}]*)\}"), "raw"),
        (re.compile(r"(?<!\\)#\{([^}]*)\}"), "esc"),
    ),
    "html": (),
}
_CLOSERS: dict[str, tuple[str, ...]] = {"ejs": ("%>",), "handlebars": ("}}",), "nunjucks": ("}}", "%}", "#}"),
                                         "pug": ("}",), "html": ()}
ENGINE_OF_SUFFIX = {
    ".ejs": "ejs", ".hbs": "handlebars", ".handlebars": "handlebars", ".mustache": "handlebars", ".njk": "nunjucks",
    ".pug": "pug", ".jade": "pug", ".html": "html", ".htm": "html", ".vue": "html",
}


@dataclass
class PageScript:
    """The scripts of a page as one JavaScript text with the page's lines."""

    source: str
    dialect: str
    #: Per 0-based line, the replacements made on it: (column in the script where one ends, page minus script length).
    shifts: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: What each template-data name stands for in the page: `__nw_raw_1` -> `<%- user.bio %>`.
    outputs: dict[str, str] = field(default_factory=dict)

    def column(self, line: int, column: int) -> int:
        """The page's 0-based column of a 0-based (line, column) of the script."""
        return column + sum(delta for end, delta in self.shifts.get(line, ()) if end <= column)

    def describe(self, text: str) -> str:
        """`text` (a message, a trace step) with template-data names replaced by the tags they stand for."""
        return TEMPLATE_OUTPUT_MARKERS.sub(lambda m: self.outputs.get(m.group(0), m.group(0)), text)


def page_script(text: str, suffix: str) -> PageScript | None:
    """The scripts of a page, or None when it has none worth analysing."""
    engine = ENGINE_OF_SUFFIX.get(suffix.lower())
    if engine is None:
        return None
    regions = _pug_regions(text) if engine == "pug" else _html_regions(text)
    if not regions:
        return None
    dialects = {dialect for _, _, dialect in regions}
    dialect = "typescript" if "typescript" in dialects else "tsx" if "tsx" in dialects else "javascript"
    script = PageScript("", dialect)
    parts: list[str] = []
    position = 0
    line = 0
    for start, end, _ in regions:
        line += text.count("\n", position, start)  # counted piece by piece: one pass over the page
        parts.append(_blank(text[position:start]))
        parts.append(_script_text(text, start, end, engine, script, line))
        line += text.count("\n", start, end)
        position = end
    parts.append(_blank(text[position:]))
    script.source = "".join(parts)
    return script


def _html_regions(text: str) -> list[tuple[int, int, str]]:
    # Searched with `find` on a lower-case copy, not one regular expression over the page: each step moves
    # forward, so a page of unclosed `<script` tags costs one pass, not one pass per tag.
    lowered = text.lower()
    regions = []
    position = 0
    while (opening := lowered.find("<script", position)) >= 0:
        tag_end = lowered.find(">", opening)
        closing = lowered.find("</script", tag_end) if tag_end >= 0 else -1
        if closing < 0:
            break
        position = closing + len("</script")
        if lowered[opening + len("<script"):opening + len("<script") + 1] not in (" ", "\t", "\n", "\r", ">", "/"):
            continue  # `<scripts>`, `<script-loader>`
        attributes = {name.lower(): next((v for v in values if v), "") for name, *values in
                      _ATTRIBUTE.findall(text[opening + len("<script"):tag_end])}
        if "src" in attributes or attributes.get("type", "").strip().lower() not in _JS_TYPES:
            continue
        dialect = _DIALECTS.get(attributes.get("lang", "").strip().lower())
        if dialect is None or not text[tag_end + 1:closing].strip():
            continue
        regions.append((tag_end + 1, closing, dialect))
    return regions


def _pug_regions(text: str) -> list[tuple[int, int, str]]:
    """`script.` blocks: the lines indented deeper than the tag."""
    regions = []
    lines = text.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = _PUG_SCRIPT.match(line.rstrip("\r\n"))
        offset += len(line)
        index += 1
        if opening is None:
            continue
        indent = len(opening.group("indent").expandtabs())
        start = offset
        while index < len(lines):
            body = lines[index]
            stripped = body.strip()
            if stripped and len(body) - len(body.lstrip(" \t")) <= indent:
                break
            offset += len(body)
            index += 1
        if offset > start:
            regions.append((start, offset, "javascript"))
    return regions


def _script_text(text: str, start: int, end: int, engine: str, script: PageScript, first_line: int) -> str:
    """The script between `start` and `end` with its template tags made JavaScript."""
    body = text[start:end]
    tags = _tags(body, engine)
    if not tags:
        return body
    # Tags hold quotes of their own (`<% if (a == "b") { %>`): the lexer sees them as plain letters.
    masked = list(body)
    for tag_start, tag_end, _ in tags:
        masked[tag_start:tag_end] = "x" * (tag_end - tag_start)
    strings = _string_contexts("".join(masked))
    out: list[str] = []
    position = 0
    line = first_line
    column = _column_of(text, start)  # column in the script, kept as replacements go
    for tag_start, tag_end, kind in tags:
        before = body[position:tag_start]
        out.append(before)
        line, column = _advance(line, column, before)
        tag = body[tag_start:tag_end]
        first = tag.split("\n", 1)[0]
        if kind:
            name = f"__nw_{kind}_{len(script.outputs) + 1}"
            script.outputs[name] = " ".join(tag.split())
            quote = strings.get(tag_start)
            head = "${" + name + "}" if quote == "`" else f"{quote}+{name}+{quote}" if quote else name
        else:
            head = " " * len(first)
        if len(head) != len(first):
            script.shifts.setdefault(line, []).append((column + len(head), len(first) - len(head)))
        # A tag over several lines keeps them: its replacement, its line breaks, then spaces up to where it ended.
        breaks = tag.count("\n")
        replacement = head + "\n" * breaks + " " * len(tag.rsplit("\n", 1)[1]) if breaks else head
        out.append(replacement)
        line, column = _advance(line, column, replacement)
        position = tag_end
    out.append(body[position:])
    return "".join(out)


def _tags(body: str, engine: str) -> list[tuple[int, int, str]]:
    """Template tags in a script, in order and not overlapping: (start, end, kind)."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _TAGS[engine]:
        # Searched only up to the last closer of the engine's tags: past it, each unclosed opener would make a
        # lazy `.*?` scan to the end of the script (quadratic time on a script full of `<%`).
        closer = _CLOSERS[engine]
        last = max((body.rfind(c) + len(c) for c in closer if c in body), default=0) if closer else len(body)
        for match in pattern.finditer(body, 0, last):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            found.append((match.start(), match.end(), kind))
    return sorted(found)


def _string_contexts(body: str) -> dict[int, str]:
    """For each offset inside a string literal of the script, its quote character (a light JavaScript lexer:
    comments, the three kinds of quotes, `${}` in template literals; a regular expression literal is not
    told from a division, which at worst takes a quote inside one as the start of a string)."""
    inside: dict[int, str] = {}
    quote: str | None = None
    depth: list[str | None] = []  # quotes to return to after the `}` of each open `${`
    index = 0
    length = len(body)
    while index < length:
        char = body[index]
        if quote is None:
            if char == "/" and body.startswith("//", index):
                newline = body.find("\n", index)
                index = length if newline < 0 else newline
                continue
            if char == "/" and body.startswith("/*", index):
                close = body.find("*/", index + 2)
                index = length if close < 0 else close + 2
                continue
            if char in "'\"`":
                quote = char
            elif char == "{" and depth:
                depth.append(None)
            elif char == "}" and depth:
                quote = depth.pop()
        else:
            inside[index] = quote
            if char == "\\":
                inside[index + 1] = quote
                index += 2
                continue
            if char == quote or (char == "\n" and quote != "`"):
                quote = None
            elif quote == "`" and body.startswith("${", index):
                depth.append("`")
                quote = None
                index += 2
                continue
        index += 1
    return inside


_NOT_LINE_BREAKS = re.compile(r"[^\n]+")


def _blank(text: str) -> str:
    return _NOT_LINE_BREAKS.sub(lambda match: " " * len(match.group(0)), text)


def _column_of(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    breaks = text.count("\n")
    if breaks:
        return line + breaks, len(text) - text.rfind("\n") - 1
    return line, column + len(text)
