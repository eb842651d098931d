"""## What it finds
Output that a template file writes into the page without HTML escaping: EJS `<%- value %>`,
Handlebars and Mustache `{{{ value }}}` and `{{& value }}`, Pug `p!= value`, `!{value}` and
`attr!=value`, Nunjucks `{{ value | safe }}` and `{% autoescape false %}` blocks, and Vue's `v-html`
directive (in `.vue` components and in-page templates of HTML files). Also escaped output (EJS `<%= %>`,
Handlebars and Mustache `{{ }}`, Nunjucks `{{ }}`) where HTML escaping does not protect: an event handler
attribute (`onclick="f('<%= name %>')"`: the browser decodes the entities, then runs the JavaScript), the
whole value of a URL attribute (`href`, `src`, `action`, `formaction`...: `javascript:` URLs pass
escaping; a value that starts with a constant path or is URL-encoded is fine), `srcdoc`, and unquoted
attributes. The usual ways to
include markup the application made itself are not reported: EJS `<%- include(...) %>` (partials),
the layout slot `{{{ body }}}` / `<%- body %>` in a layout (a file under `layouts/`, named `layout*`, or
holding the page's `<html>`/`<body>` skeleton, as express-ejs-layouts and express-handlebars layouts do),
string constants, values that cannot carry markup (numbers, loop counters of the template, lengths,
arithmetic on them), and values passed through a function named like an escaper or sanitizer (a variable
merely named `xss` or `escaped` is still reported). A name that every `res.render` of the view in the
template's app (the folder above its `views/`) fills with a constant (`{ result: "Matched!" }`) is lowered
to low confidence (hidden by default); a render with other data, or none seen, keeps the finding.

## Why it matters
Template engines escape `<`, `>`, `&` and quotes by default; the raw form turns that off. When the
value holds anything a user wrote (a name, a comment, a URL parameter), its markup and scripts run in
other visitors' browsers (stored or reflected cross-site scripting, CWE-79).

## How to fix
Use the escaping form (`<%= %>`, `{{ }}`, `p= value`, `#{value}`, no `| safe`). When a value must stay
HTML (rendered Markdown, a rich-text field), sanitize it with an HTML sanitizer (DOMPurify,
sanitize-html) before rendering, and keep raw output for markup the application produced itself.

## Bad
```ejs
<p class="bio"><%- user.bio %></p>
```

## Good
```ejs
<p class="bio"><%= user.bio %></p>
<%- include("partials/footer") %>
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class UnescapedTemplateOutput(Rule):
    id = "NW118"
    name = "unescaped-template-output"
    title = "Template prints a value without HTML escaping"
    cwe = (79,)
    owasp = "A03"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Use the escaping output form of the template engine, or sanitize values that must stay HTML."
    category = "templates"


@dataclass(frozen=True, slots=True)
class RawOutput:
    """One raw output in a template: where it is (0-based offsets into the text) and what it prints."""

    start: int
    end: int
    expression: str
    syntax: str  # how it is written, e.g. "<%-" or "{{{ }}}"
    engine: str
    #: For escaped output printed where HTML escaping does not protect: what that place is and why.
    context: str = ""


ENGINES = {
    ".ejs": "EJS", ".hbs": "Handlebars", ".handlebars": "Handlebars", ".mustache": "Mustache", ".pug": "Pug",
    ".jade": "Pug", ".njk": "Nunjucks", ".vue": "Vue", ".html": "Vue", ".htm": "Vue",
}
# Functions whose output is meant to be printed raw: partials and layout helpers.
INCLUDE_CALLS = re.compile(r"^\s*(include|partial|block|blocks\.\w+|contentFor|defineContent|yield|script|style"
                           r"|stylesheet|livereload)\b")
SAFE_WORDS = re.compile(r"(?<!un)escape|sanitiz|purify|encode|xss|strip_?tags|striptags", re.IGNORECASE)
# Inner extensions of templates that generate something other than HTML (`README.md.hbs`).
NON_HTML_OUTPUTS = frozenset({
    "md", "markdown", "txt", "text", "js", "mjs", "cjs", "ts", "tsx", "jsx", "json", "yml", "yaml", "toml", "ini",
    "sh", "bash", "ps1", "py", "rb", "go", "java", "rs", "c", "h", "cpp", "cs", "php", "sql", "css", "scss", "less",
    "env", "conf", "cfg", "dockerfile", "gitignore", "npmignore", "csv", "tf", "graphql", "gql", "proto", "lock",
})
LAYOUT_SLOTS = frozenset({"body", "content", "yield"})
STRING_CONSTANT = re.compile(r"""^\s*(?:"[^"\\]*"|'[^'\\]*'|\d+)\s*$""")
# A bare reference (`xss`, `user.bio`, `items[0]`): a sanitizer's name in it is the name of data, not a call.
BARE_REFERENCE = re.compile(r"^[\w$.\[\]'\"]+$")
# Values that cannot carry markup: numbers and arithmetic on them, lengths and sizes, number formatting.
_NUMERIC_OPERAND = re.compile(
    r"^(?:\d+(?:\.\d+)?|[\w$.\[\]]+\.(?:length|size|byteLength)|Math\.\w+\(.*\)|"
    r"(?:Number|parseInt|parseFloat)\(.*\)|.+\.toFixed\(\d*\)|Date\.now\(\))$")
_ARITHMETIC = re.compile(r"\s*[-+*/%]\s*")
# Loop counters declared in a template's code: `for (var i = 0; ...)`, `.forEach(function (item, index)`.
_COUNTER = re.compile(r"\bfor\s*\(\s*(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*\d+\s*;"
                      r"|\.forEach\(\s*(?:function\s*)?\(?\s*[A-Za-z_$][\w$]*\s*,\s*([A-Za-z_$][\w$]*)")
_HTML_SKELETON = re.compile(r"<html\b|<body\b", re.IGNORECASE)

_EJS_COMMENT = re.compile(r"<%#.*?%>", re.DOTALL)
_EJS_RAW = re.compile(r"<%-(.*?)[-_]?%>", re.DOTALL)
_HBS_COMMENT = re.compile(r"\{\{!--.*?--\}\}|\{\{![^}]*\}\}", re.DOTALL)
_HBS_TRIPLE = re.compile(r"\{\{\{~?(.*?)~?\}\}\}", re.DOTALL)
_HBS_AMPERSAND = re.compile(r"\{\{~?&(.*?)~?\}\}", re.DOTALL)
_NJK_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_NJK_OUTPUT = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_NJK_AUTOESCAPE_OFF = re.compile(r"\{%-?\s*autoescape\s+false\s*-?%\}(.*?)(?:\{%-?\s*endautoescape\s*-?%\}|\Z)",
                                 re.DOTALL)
_NJK_SAFE = re.compile(r"\|\s*safe\b")
_NJK_ESCAPE = re.compile(r"\|\s*(?:e|escape|forceescape|urlencode)\b")
# Pug: a tag (with id, classes, attributes, `&attributes`) followed directly by `!=`, or a line starting with `!=`.
_PUG_KEYWORDS = frozenset({"if", "else", "unless", "each", "for", "while", "case", "when", "default", "mixin",
                           "include", "extends", "block", "append", "prepend", "yield", "doctype"})
_PUG_BUFFERED = re.compile(
    r"^(?P<indent>[ \t]*)(?P<tag>(?:[\w:-]+|(?=[.#]))(?:[.#][\w-]+)*(?:\((?:[^()]|\([^()]*\))*\))?"
    r"(?:&attributes\([^)]*\))?)?!=(?P<expr>.*)$",
    re.MULTILINE,
)
_PUG_INTERPOLATION = re.compile(r"(?<!\\)!\{([^}]*)\}")
_PUG_ATTRIBUTE = re.compile(r"[(,\s](?P<name>[\w:@-]+)!=\s*(?P<expr>[^,)]+)")


def raw_outputs(text: str, suffix: str, path: str) -> list[RawOutput]:
    """Every raw output of a template, except partials, layout slots, constants and sanitized values."""
    engine = ENGINES.get(suffix.lower())
    if engine is None or _makes_other_than_html(path):
        return []
    # A page skeleton that prints `body` is a layout (express-ejs-layouts, express-handlebars), wherever it is.
    in_layout = _is_layout(path) or _HTML_SKELETON.search(text) is not None
    counters = frozenset(name for match in _COUNTER.finditer(text) for name in match.groups() if name)
    if engine == "EJS":
        found = _ejs(text)
    elif engine in ("Handlebars", "Mustache"):
        found = _handlebars(text, engine)
    elif engine == "Pug":
        found = _pug(text)
    elif engine == "Vue":
        found = _vue(text)
    else:
        found = _nunjucks(text)
    found += _escaped_in_unsafe_context(text, engine)
    return [output for output in found if not _is_expected_markup(output.expression, in_layout)
            and not _is_numeric(output.expression, counters)]


def _makes_other_than_html(path: str) -> bool:
    """`README.md.hbs`, `config.json.ejs`, `index.js.ejs`: templates of files that are not HTML pages."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    parts = name.split(".")
    return len(parts) >= 3 and parts[-2] in NON_HTML_OUTPUTS


def _is_layout(path: str) -> bool:
    parts = path.replace("\\", "/").lower().split("/")
    name = parts[-1]
    return any(part in ("layouts", "layout") for part in parts[:-1]) or name.startswith(("layout", "_layout"))


def _is_expected_markup(expression: str, in_layout: bool) -> bool:
    expression = expression.strip().rstrip(";").strip()
    if not expression or INCLUDE_CALLS.match(expression) or STRING_CONSTANT.match(expression):
        return True
    if SAFE_WORDS.search(expression) and not BARE_REFERENCE.match(expression):
        return True  # `sanitize(x)`, `{{{purify bio}}}`; not a variable that happens to be called `xss`
    return in_layout and expression in LAYOUT_SLOTS


def _is_numeric(expression: str, counters: frozenset[str]) -> bool:
    """A number cannot carry markup: a loop counter of the template, a length, arithmetic on numbers."""
    expression = expression.strip().rstrip(";").strip()
    while expression.startswith("(") and expression.endswith(")"):
        expression = expression[1:-1].strip()
    if not expression:
        return False
    operands = _ARITHMETIC.split(expression)
    return all(operand in counters or _NUMERIC_OPERAND.match(operand) for operand in operands)


def _blank(text: str, pattern: re.Pattern[str], closer: str) -> str:
    """The text with the matches of `pattern` (which end with `closer`) replaced by spaces (offsets and lines
    stay the same)."""
    cut = text.rfind(closer) + len(closer) if closer in text else 0  # see _closed
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text[:cut]) + text[cut:]


def _closed(pattern: re.Pattern[str], text: str, closer: str, start: int = 0, end: int | None = None
            ) -> Iterator[re.Match[str]]:
    """`pattern.finditer` for a pattern that ends with `closer`, searched only up to the last `closer`:
    past it each opener left unclosed would make a lazy `.*?` scan to the end of the text, and thousands
    of them take hours (quadratic time)."""
    last = text.rfind(closer, start, len(text) if end is None else end)
    return pattern.finditer(text, start, last + len(closer)) if last >= 0 else iter(())


def _ejs(text: str) -> list[RawOutput]:
    text = _blank(text, _EJS_COMMENT, "%>")
    return [RawOutput(m.start(), m.end(), m.group(1), "<%-", "EJS") for m in _closed(_EJS_RAW, text, "%>")]


def _handlebars(text: str, engine: str) -> list[RawOutput]:
    text = _blank(text, _HBS_COMMENT, "}}")
    found = [RawOutput(m.start(), m.end(), m.group(1), "{{{ }}}", engine) for m in _closed(_HBS_TRIPLE, text, "}}}")]
    found += [RawOutput(m.start(), m.end(), m.group(1), "{{& }}", engine)
              for m in _closed(_HBS_AMPERSAND, text, "}}")]
    return [output for output in found if not output.expression.strip().startswith((">", "#", "/", "!"))]


def _nunjucks(text: str) -> list[RawOutput]:
    text = _blank(text, _NJK_COMMENT, "#}")
    found: list[RawOutput] = []
    unescaped_blocks: list[tuple[int, int]] = []
    for block in _NJK_AUTOESCAPE_OFF.finditer(text):
        body_start, body_end = block.start(1), block.end(1)
        unescaped_blocks.append((body_start, body_end))
        for output in _closed(_NJK_OUTPUT, text, "}}", body_start, body_end):
            if not _NJK_ESCAPE.search(output.group(1)):
                found.append(RawOutput(output.start(), output.end(), _without_filters(output.group(1)),
                                       "{% autoescape false %}", "Nunjucks"))
    for output in _closed(_NJK_OUTPUT, text, "}}"):
        if any(start <= output.start() < end for start, end in unescaped_blocks):
            continue
        body = output.group(1)
        safe = _NJK_SAFE.search(body)
        if safe is None:
            continue
        escaped = _NJK_ESCAPE.search(body)
        if escaped is not None and escaped.start() < safe.start():
            continue  # `x | escape | safe`
        found.append(RawOutput(output.start(), output.end(), _without_filters(body), "| safe", "Nunjucks"))
    return found


_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# `v-html="expr"` (Vue inserts the value as markup, unsanitized); `:innerHTML`/`v-bind:innerHTML` do the same.
_VUE_RAW = re.compile(
    r"""\s(?P<name>v-html|v-bind:inner-?html|:inner-?html)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""",
    re.IGNORECASE)


def _vue(text: str) -> list[RawOutput]:
    text = _blank(text, _HTML_COMMENT, "-->")
    return [RawOutput(m.start("name"), m.end(), m.group("dq") if m.group("dq") is not None else m.group("sq"),
                      m.group("name"), "Vue") for m in _VUE_RAW.finditer(text)]


# Escaped output, by engine: the pattern (its expression is group 1), the closer, how it is written.
_ESCAPED_OUTPUT = {
    "EJS": (re.compile(r"<%=(.*?)[-_]?%>", re.DOTALL), "%>", "<%="),
    "Handlebars": (re.compile(r"\{\{(?![{!#/>^&])~?(.*?)~?\}\}", re.DOTALL), "}}", "{{ }}"),
    "Mustache": (re.compile(r"\{\{(?![{!#/>^&])~?(.*?)~?\}\}", re.DOTALL), "}}", "{{ }}"),
    "Nunjucks": (re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL), "}}", "{{ }}"),
}
# Every tag of an engine, blanked before looking at the HTML around an output (their `<` and `>` are not markup).
_ENGINE_TAGS = {
    "EJS": ((re.compile(r"<%.*?%>", re.DOTALL), "%>"),),
    "Handlebars": ((re.compile(r"\{\{.*?\}\}", re.DOTALL), "}}"),),
    "Mustache": ((re.compile(r"\{\{.*?\}\}", re.DOTALL), "}}"),),
    "Nunjucks": ((re.compile(r"\{\{.*?\}\}", re.DOTALL), "}}"), (re.compile(r"\{%.*?%\}", re.DOTALL), "%}"),
                 (re.compile(r"\{#.*?#\}", re.DOTALL), "#}")),
}
# Attributes whose whole value is a URL the browser follows or loads: a `javascript:` URL there runs script.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
_ATTRIBUTE_BEFORE = re.compile(
    r"""\s(?P<name>[\w:.@-]+)\s*=\s*(?:"(?P<double>[^"]*)|'(?P<single>[^']*)|(?P<bare>[^\s"'<>=`]*))$""")
# A value that starts with a constant path, scheme or origin cannot become a `javascript:` URL.
_FIXED_START = re.compile(r"""^\s*['"`](?:/|\w+:|#|\?)""")
_URL_ENCODED = re.compile(r"\|\s*urlencode\b|encodeURIComponent|encodeURI\b")


def _escaped_in_unsafe_context(text: str, engine: str) -> list[RawOutput]:
    """Escaped output where HTML escaping does not protect: an event handler attribute (the browser decodes the
    entities, then runs the value as JavaScript), the whole value of a URL attribute (`javascript:` URLs pass
    escaping), `srcdoc` (decoded, then parsed as a page), or an unquoted attribute (a space ends the value)."""
    escaped = _ESCAPED_OUTPUT.get(engine)
    if escaped is None:
        return []
    pattern, closer, syntax = escaped
    masked = text
    for tags, tags_closer in _ENGINE_TAGS[engine]:
        masked = _blank_as(masked, tags, tags_closer, "x")
    found = []
    for match in _closed(pattern, text, closer):
        expression = match.group(1)
        if engine == "Nunjucks" and _NJK_SAFE.search(expression):
            continue  # printed raw: reported as such
        tag_open = masked.rfind("<", 0, match.start())
        if tag_open < 0 or masked.rfind(">", tag_open, match.start()) >= 0:
            continue  # not inside an HTML tag
        attribute = _ATTRIBUTE_BEFORE.search(masked, tag_open, match.start())
        if attribute is None:
            continue
        name = attribute.group("name").lower()
        quote = '"' if attribute.group("double") is not None else "'" if attribute.group("single") is not None else ""
        prefix = attribute.group("double") or attribute.group("single") or attribute.group("bare") or ""
        closes = text[match.end():match.end() + 1] == quote if quote else True
        if name.startswith("on"):
            context = f"the `{name}` event handler, which the browser decodes and then runs as JavaScript"
        elif name == "srcdoc":
            context = "the `srcdoc` document, which the browser decodes and then parses as HTML"
        elif name in URL_ATTRIBUTES and not prefix.strip() and closes and not _FIXED_START.match(expression) \
                and not _URL_ENCODED.search(expression):
            context = f"the whole `{name}` URL, where a `javascript:` URL runs script whatever the escaping"
        elif not quote:
            context = f"the unquoted `{name}` attribute, where a space ends the value and starts another attribute"
        else:
            continue
        found.append(RawOutput(match.start(), match.end(), _without_filters(expression), syntax,
                               "Handlebars" if engine == "Mustache" else engine, context))
    return found


def _blank_as(text: str, pattern: re.Pattern[str], closer: str, filler: str) -> str:
    """`_blank` with a filler of choice (the offsets stay the same)."""
    cut = text.rfind(closer) + len(closer) if closer in text else 0
    return pattern.sub(lambda m: re.sub(r"[^\n]", filler, m.group(0)), text[:cut]) + text[cut:]


def _without_filters(expression: str) -> str:
    return expression.split("|")[0]


def _pug(text: str) -> list[RawOutput]:
    found: list[RawOutput] = []
    offset = 0
    in_comment_indent: int | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        body = stripped.rstrip("\r\n")
        if in_comment_indent is not None:
            if body and indent <= in_comment_indent:
                in_comment_indent = None
            else:
                offset += len(line)
                continue
        if body.startswith("//"):
            in_comment_indent = indent  # a comment covers the lines indented below it
        elif body.startswith("|"):
            found.extend(_pug_line(line, offset, text_only=True))  # piped text: only interpolations
        elif body and not body.startswith("-"):  # `- code` lines are JavaScript, not output
            found.extend(_pug_line(line, offset, text_only=False))
        offset += len(line)
    return found


def _pug_line(line: str, offset: int, text_only: bool) -> list[RawOutput]:
    found: list[RawOutput] = []
    if not text_only:
        buffered = _PUG_BUFFERED.match(line.rstrip("\r\n"))
        tag = buffered.group("tag") if buffered is not None else None
        if buffered is not None and (tag is None or tag.split("(")[0].split(".")[0] not in _PUG_KEYWORDS):
            expression = buffered.group("expr")
            found.append(RawOutput(offset + buffered.start("expr") - 2, offset + buffered.end("expr"),
                                   expression, "!=", "Pug"))
            return found
        attributes = re.match(r"^[ \t]*[\w:.#-]*\((.*)\)", line)
        if attributes is not None and line.lstrip().split("(")[0] not in _PUG_KEYWORDS:
            for attribute in _PUG_ATTRIBUTE.finditer(line, attributes.start(1) - 1, attributes.end(1) + 1):
                found.append(RawOutput(offset + attribute.start("name"), offset + attribute.end("expr"),
                                       attribute.group("expr"), f"{attribute.group('name')}!=", "Pug"))
    for interpolation in _closed(_PUG_INTERPOLATION, line, "}"):
        found.append(RawOutput(offset + interpolation.start(), offset + interpolation.end(), interpolation.group(1),
                               "!{}", "Pug"))
    return found
