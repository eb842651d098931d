"""Next.js in the app model: routes from file names, `middleware.ts` and `next.config` headers.

A Next.js application creates no app object and registers no route with a call. Its HTTP routes are files:
`app/**/route.ts` exporting `GET`, `POST`... (route handlers) and the default exports of `pages/api/**` (API
routes); `[id]` segments are parameters and `(group)` folders are left out of the URL. What runs before them is
`middleware.ts` at the project root (or in `src/`), for the paths its `config.matcher` lists; security headers
are often set by `headers()` in `next.config.js`. This module reads those:

- per file, in the worker (`collect_next_facts`): the routes of a route or API file with their handler
  functions, the middleware function with its matcher, security headers named in a Next config;
- in the main process (`build_next_apps`): one app per package that has such routes, with the middleware as
  `Middleware` records on the paths it matches, so the practice rules and the scorecard judge it as they judge
  an Express app (authentication in middleware, rate limiting, headers).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from nodeward.analysis.taint import nextjs as next_files
from nodeward.practices import catalog

if TYPE_CHECKING:
    from nodeward.practices.collect import AppFactCollector
    from nodeward.practices.model import AppJoiner, AppModel

# Libraries whose middleware signs users in and sends the others away (re-exported or called in middleware.ts).
AUTH_MIDDLEWARE_MODULES = ("next-auth", "@clerk/nextjs", "@auth0/nextjs-auth0", "@supabase/auth-helpers-nextjs",
                           "@supabase/ssr", "next-firebase-auth-edge", "@kinde-oss/kinde-auth-nextjs")
# A hand-written middleware that redirects to a sign-in page (or answers 401) is an authentication check.
SIGN_IN_REDIRECT = re.compile(r"""redirect\([^;]*['"`]/(?:api/auth/)?(?:login|signin|sign-in|auth)\b""", re.DOTALL)
SECURITY_HEADER = re.compile("|".join(re.escape(h) for h in sorted(catalog.SECURITY_HEADERS)), re.IGNORECASE)


def route_path(path: str) -> str | None:
    """The URL of a route or API file: `src/app/(shop)/orders/[id]/route.ts` -> `/orders/:id`,
    `pages/api/users/index.ts` -> `/api/users`."""
    match = re.search(r"(?:^|/)app/(.*?)/?route\.[cm]?[jt]sx?$", path)
    if match:
        parts = match.group(1).split("/")
    else:
        match = re.search(r"(?:^|/)pages/(api/.+)\.[cm]?[jt]sx?$", path)
        if match is None:
            return None
        parts = match.group(1).split("/")
        if parts[-1] == "index":
            parts = parts[:-1]
    segments = []
    for part in parts:
        if not part or (part.startswith("(") and part.endswith(")")) or part.startswith("@"):
            continue  # route groups and parallel-route slots are not in the URL
        dynamic = re.fullmatch(r"\[\[?(\.\.\.)?([^\]]+)\]\]?", part)
        segments.append(f":{dynamic.group(2)}{'*' if dynamic.group(1) else ''}" if dynamic else part)
    return "/" + "/".join(segments)


def collect_next_facts(collector: AppFactCollector) -> dict[str, Any]:
    path = collector.path
    model = collector.model
    facts: dict[str, Any] = {}
    url = route_path(path)
    if url is not None:
        routes = []
        exported = model.captures(
            "(export_statement declaration: (function_declaration name: (identifier) @name) @function)"
            " (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name"
            " value: (_) @function)))"
            " (export_statement value: (_) @default)"
            ' (export_statement "default" (function_declaration) @default)')
        api = next_files.API_FILE.search(path) is not None
        for name in exported.get("name", []):
            method = model.text(name)
            holder = name.parent
            function = None if holder is None else (
                holder if holder.type == "function_declaration" else holder.child_by_field_name("value"))
            if not api and method in next_files.ROUTE_HANDLER_NAMES and function is not None:
                routes.append({"method": method.lower(), "path": url, "loc": collector.loc(holder or name),
                               "snippet": collector.snippet(name), "handler": collector.handler(function)})
        if api:
            for function in exported.get("default", []):
                routes.append({"method": "all", "path": url, "loc": collector.loc(function),
                               "snippet": collector.snippet(function), "handler": collector.handler(function)})
        if routes:
            facts["routes"] = routes
    if next_files.MIDDLEWARE_FILE.search(path):
        facts["middleware"] = _middleware(collector)
    if next_files.CONFIG_FILE.search(path):
        headers = sorted({m.group(0) for m in SECURITY_HEADER.finditer(model.source.decode("utf-8", "replace"))})
        if headers and b"headers" in model.source:
            facts["config_headers"] = {"loc": collector.loc(model.tree.root_node), "headers": headers}
    return facts


def _middleware(collector: AppFactCollector) -> dict[str, Any]:
    """What middleware.ts does: its matcher, and whether it authenticates, limits or sets headers."""
    model = collector.model
    text = model.source.decode("utf-8", "replace")
    matchers: list[str] = []
    for pair in model.captures("(pair key: (property_identifier) @key value: (_) @value)").get("value", []):
        key = pair.prev_named_sibling
        if key is None or model.text(key) != "matcher":
            continue
        value = model.evaluate(pair)
        if value is not None and isinstance(value.value, str):
            matchers.append(value.value)
        elif value is not None and isinstance(value.value, list):
            matchers.extend(v for v in value.value if isinstance(v, str))
    imports = [m.group(1) for m in re.finditer(r"""from\s+['"]([^'"]+)['"]""", text)]
    auth_library = next((m for m in imports if m.startswith(AUTH_MIDDLEWARE_MODULES)), None)
    functions = [f for f in collector.functions.values() if f["auth"] or f["denials"] or f["limiter"]
                 or f["headers"]]
    exports = model.captures("(export_statement) @export").get("export", [])
    return {
        "loc": collector.loc(exports[0] if exports else model.tree.root_node), "matcher": matchers,
        "auth": auth_library or ("redirect to sign-in" if SIGN_IN_REDIRECT.search(text) else "")
        or next((str(f["auth"][0][1]) for f in functions if f["auth"]), "")
        or ("401/403 responses" if any(f["denials"] for f in functions) else ""),
        "limiter": next((f["limiter"][0] for f in functions if f["limiter"]), None),
        "headers": sorted({h[1] for f in functions for h in f["headers"]}),
    }


def matcher_pattern(matcher: str) -> re.Pattern[str] | None:
    """A `config.matcher` entry (path-to-regexp syntax) as a regular expression over paths: `/:path*` is any
    rest of the path or none, `/:id` one segment, `(...)` a raw regular expression group."""
    out, index = [], 0
    parameter = re.compile(r"/:\w+([*+?]?)")
    while index < len(matcher):
        found = parameter.match(matcher, index)
        if found:
            out.append({"*": r"(?:/.*)?", "+": r"(?:/.+)", "?": r"(?:/[^/]+)?", "": r"/[^/]+"}[found.group(1)])
            index = found.end()
        elif matcher[index] == "(":
            depth, end = 0, index
            while end < len(matcher):
                depth += {"(": 1, ")": -1}.get(matcher[end], 0)
                if depth == 0:
                    break
                end += 1
            out.append(matcher[index:end + 1])
            index = end + 1
        else:
            out.append(re.escape(matcher[index]))
            index += 1
    try:
        return re.compile("".join(out) + "/?")
    except re.error:
        return None


def _matches(matcher: str, route: str) -> bool:
    """Whether middleware with this matcher runs for a route (its parameters stand for any one segment)."""
    if not matcher:
        return True
    pattern = matcher_pattern(matcher)
    concrete = re.sub(r":\w+\*?", "p", route)
    return pattern is None or pattern.fullmatch(concrete) is not None


def build_next_apps(joiner: AppJoiner) -> list[AppModel]:
    from nodeward.practices.model import AppModel, Middleware, Route

    packages: dict[str, dict[str, list[tuple[str, Any]]]] = {}  # root -> kind of fact -> [(file, fact)]
    for path, facts in sorted(joiner.modules.items()):
        next_facts = facts.get("next")
        if next_facts:
            for kind, value in next_facts.items():
                packages.setdefault(joiner._package_root(path), {}).setdefault(kind, []).append((path, value))
    models = []
    for root, found in packages.items():
        routes: list[tuple[str, dict[str, Any]]] = [(path, route) for path, items in found.get("routes", [])
                                                    for route in items]
        if not routes:
            continue
        middleware = found.get("middleware", [])
        where = middleware[0][1]["loc"] if middleware else routes[0][1]["loc"]
        data: dict[str, Any] = {"key": f"next:{root}", "framework": "nextjs", "kind": "app", "loc": where, "name": "",
                "snippet": "", "options": {}}
        model = AppModel(data, root)
        order = 0
        for path, info in middleware:
            facts = {"auth": [[info["loc"][1], info["auth"]]] if info["auth"] else [],
                     "limiter": [info["limiter"]] if info["limiter"] else [],
                     "headers": [[info["loc"][1], h] for h in info["headers"]]}
            for matcher in info["matcher"] or [""]:
                order += 1
                record = {"kind": "function", "module": "next middleware", "loc": info["loc"],
                          "text": f"middleware.ts{f' (matcher {matcher})' if matcher else ''}"
                                  + (f": {info['auth']}" if info["auth"] else "")}
                model.all_middleware.append(Middleware({**record, "matcher": matcher}, "", 0, order, [facts]))
            model.files.add(path)
        for _, config in found.get("config_headers", []):
            order += 1
            record = {"kind": "helmet", "module": "next.config headers()", "loc": config["loc"],
                      "text": ", ".join(config["headers"])}
            model.all_middleware.append(Middleware(record, "", 0, order, []))
        for path, route in routes:
            order += 1
            handler = [joiner.functions[k] for k in joiner.functions_of(path, route["handler"])
                       if k in joiner.functions]
            model.routes.append(Route({**route, "target": data["key"], "middleware": [], "inline_checks": []},
                                      route["path"], order, (0,), [], handler))
            model.files.add(path)
        for modelled in model.routes:  # middleware runs before every route it matches, whatever the file order
            modelled.before = [m for m in model.all_middleware if _matches(m.info.get("matcher", ""), modelled.path)]
        model.middleware = [m for m in model.all_middleware if not m.info.get("matcher")]
        joiner._package_facts(model)
        models.append(model)
    return models
