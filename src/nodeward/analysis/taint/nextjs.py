"""Next.js entry points, found by where a file is and what it exports (Next routes by file name, not by calls).

- Route handlers: `app/**/route.ts` exporting `GET`, `POST`...: the first parameter is the request (a Web
  `Request`/`NextRequest`: `await req.json()`, `req.nextUrl.searchParams`), the second the route context
  whose `params` are the URL's dynamic segments.
- API routes: the default export of `pages/api/**`, an Express-like `(req, res)` handler.
- Pages and layouts of the app router: `params` and `searchParams` of the default export's props.
- Server actions: functions of a module that starts with "use server", or whose body does: a browser calls
  them with whatever arguments it likes, so every parameter is client data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from nodeward.lang.js.model import SemanticModel, unwrap

ROUTE_FILE = re.compile(r"(^|/)app/(.+/)?route\.[cm]?[jt]sx?$")
PAGE_FILE = re.compile(r"(^|/)app/(.+/)?(page|layout|default|template)\.[cm]?[jt]sx?$")
API_FILE = re.compile(r"(^|/)pages/api/.+\.[cm]?[jt]sx?$")
MIDDLEWARE_FILE = re.compile(r"(^|/)(src/)?middleware\.[cm]?[jt]s$")
ROUTE_HANDLER_NAMES = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# Possessive: a file that opens with many comments and no directive must not make the match backtrack through every
# way of closing them (exponential: 18 comment blocks took 1.3 s, the webpack sources minutes each).
USE_SERVER = re.compile(rb"""^\s*+(?:(?://[^\n]*+|/\*.*?\*/)\s*+)*+['"]use server['"]""", re.DOTALL)

# Roles of these functions (see TaintAnalysis.handler_role).
ROUTE, PAGE, ACTION = "next-route", "next-page", "server-action"

_EXPORTS = """
(export_statement declaration: (function_declaration name: (identifier) @name) @function)
(export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @value)))
(export_statement value: (_) @default)
(export_statement "default" (function_declaration) @default)
"""


CONFIG_FILE = re.compile(r"(^|/)next\.config\.[cm]?[jt]s$")


def is_next_file(path: str) -> bool:
    """A file Next.js gives a meaning by its name: a route, a page, middleware, the config."""
    return bool(ROUTE_FILE.search(path) or PAGE_FILE.search(path) or API_FILE.search(path)
                or MIDDLEWARE_FILE.search(path) or CONFIG_FILE.search(path))


def mark_next_handlers(model: SemanticModel, path: str, mark: Callable[[Node, str], None],
                       function_types: frozenset[str]) -> None:
    """Call `mark(function, role)` for the entry points of this file."""
    route, page, api = ROUTE_FILE.search(path), PAGE_FILE.search(path), API_FILE.search(path)
    module_action = bool(USE_SERVER.match(model.source))
    if not (route or page or api or module_action or b"use server" in model.source):
        return
    found = model.captures(_EXPORTS)
    for name in found.get("name", []):
        holder = name.parent
        if holder is None:
            continue
        function = holder if holder.type == "function_declaration" else holder.child_by_field_name("value")
        if function is None:
            continue
        if route and model.text(name) in ROUTE_HANDLER_NAMES:
            mark(function, ROUTE)
        elif module_action:
            mark(function, ACTION)
    for default in found.get("default", []):
        if api:
            mark(default, "http")
        elif page:
            mark(default, PAGE)
        elif module_action:
            mark(default, ACTION)
    if b"use server" in model.source:  # inline server actions: `async function save(data) { "use server"; ... }`
        for function in model.captures("(function_declaration) @f (function_expression) @f (arrow_function) @f")\
                .get("f", []):
            if function.type in function_types and _body_says_use_server(model, function):
                mark(function, ACTION)


def _body_says_use_server(model: SemanticModel, function: Node) -> bool:
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return False
    first = next((c for c in body.named_children if c.type != "comment"), None)
    if first is None or first.type != "expression_statement" or not first.named_children:
        return False
    return model.string_value(unwrap(first.named_children[0])) == "use server"
