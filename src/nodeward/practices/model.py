"""In the main process: one model per application found in the tree, built from the modules' app facts.

Routers mounted in another file (`app.use('/api', router)`), routes registered on a parameter
(`require('./routes')(app)`, fastify plugins), and handlers or middleware imported from other modules are
joined here, on plain data. Each route then knows the middleware that runs before it, in registration order,
from the application down to the route itself; the rules in nodeward.rules.practices ask questions of that.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nodeward.practices import catalog

MODULE_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts", "/index.js", "/index.ts",
                   "/index.mjs", "/index.cjs", "/index.tsx")
TS_SOURCES = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}
MAX_DEPTH = 12


@dataclass
class Middleware:
    info: dict[str, Any]
    prefix: str  # the path it is mounted at ("" for every path)
    scope: int
    order: int
    facts: list[dict[str, Any]] = field(default_factory=list)  # facts of the functions it stands for

    @property
    def kind(self) -> str:
        return str(self.info.get("kind", "other"))

    @property
    def line(self) -> int:
        return int(self.info["loc"][1])

    @property
    def path(self) -> str:
        return str(self.info["loc"][0])

    def is_limiter(self) -> bool:
        return self.kind == "rate-limit" or any(f.get("limiter") for f in self.facts)

    def is_auth(self) -> bool:
        if self.kind == "auth":
            return not (self.info.get("module") == "passport.authenticate"
                        and self.info.get("strategy") in ("local", "local-login", "local-signup"))
        if self.info.get("hook") and self.kind != "rate-limit" and any(f.get("denials") for f in self.facts):
            return True  # a Fastify hook that answers 401/403 before the handler runs
        return any(f.get("auth") for f in self.facts)

    def is_admin_guard(self) -> bool:
        return self.is_auth() and bool(self.info.get("admin"))

    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Route:
    data: dict[str, Any]
    path: str  # full path, mount prefixes included
    order: int
    scopes: tuple[int, ...]
    own: list[Middleware]
    handler: list[dict[str, Any]]  # facts of the handler function(s); empty when not resolved
    before: list[Middleware] = field(default_factory=list)  # app/router middleware registered before it
    after: list[Middleware] = field(default_factory=list)  # ... and after it (too late for this route)

    @property
    def method(self) -> str:
        return str(self.data["method"])

    @property
    def loc(self) -> list[Any]:
        return list(self.data["loc"])

    @property
    def file(self) -> str:
        return str(self.data["loc"][0])

    @property
    def line(self) -> int:
        return int(self.data["loc"][1])

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def changes_state(self) -> bool:
        return self.method in catalog.STATE_CHANGING

    @property
    def middleware(self) -> list[Middleware]:
        return [*self.before, *self.own]

    def handler_facts(self, name: str) -> list[Any]:
        return [item for facts in self.handler for item in facts.get(name, [])]

    @property
    def verifies_password(self) -> bool:
        return bool(self.handler_facts("verify"))

    @property
    def is_auth_route(self) -> bool:
        if self.method not in ("post", "put", "all"):
            return False
        if self.verifies_password:
            return True
        return bool(catalog.AUTH_PATH.search(self.path)) and not catalog.REGISTER_PATH.search(self.path) \
            and "logout" not in self.path.lower()

    @property
    def sets_password(self) -> bool:
        if not self.changes_state:
            return False
        if self.handler_facts("hash"):
            return True
        return bool(catalog.REGISTER_PATH.search(self.path)) and not self.is_auth_route \
            and "forgot" not in self.path.lower()

    @property
    def is_admin(self) -> bool:
        return bool(catalog.ADMIN_PATH.search(self.path)) or any(m.is_admin_guard() for m in self.middleware)

    def limiter(self) -> Middleware | None:
        own = [m for m in self.own if m.is_limiter()]  # the route's own limiter is the better evidence
        return own[0] if own else next((m for m in self.before if m.is_limiter() and _covers(m.prefix, self.path)),
                                       None)

    def auth_guard(self) -> Middleware | None:
        return next((m for m in self.middleware if m.is_auth()), None)


@dataclass
class AppModel:
    """One application: where it is created, its middleware and its routes, with everything in its package."""

    data: dict[str, Any]
    root: str  # display path of the package folder holding it ("" for the scan root)
    middleware: list[Middleware] = field(default_factory=list)  # app-wide (mounted at "" or "/")
    all_middleware: list[Middleware] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    settings: list[dict[str, Any]] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    modules: dict[str, list[Any]] = field(default_factory=dict)  # logging / MFA libraries in the package
    password_checks: list[dict[str, Any]] = field(default_factory=list)  # module-level ones in the package
    practice_calls: list[dict[str, Any]] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)  # every function of the package

    @property
    def framework(self) -> str:
        return str(self.data["framework"])

    @property
    def loc(self) -> list[Any]:
        return list(self.data["loc"])

    @property
    def path(self) -> str:
        return str(self.data["loc"][0])

    @property
    def line(self) -> int:
        return int(self.data["loc"][1])

    @property
    def name(self) -> str:
        base = self.data.get("name") or "app"
        return f"{self.framework} {base} ({self.path}:{self.line})"

    def of_kind(self, *kinds: str) -> list[Middleware]:
        return [m for m in self.all_middleware if m.kind in kinds]

    def global_of_kind(self, *kinds: str) -> list[Middleware]:
        return [m for m in self.middleware if m.kind in kinds]

    @property
    def logging_modules(self) -> dict[str, list[Any]]:
        return {m: loc for m, loc in self.modules.items() if m in catalog.LOGGING_MODULES}

    @property
    def mfa_modules(self) -> dict[str, list[Any]]:
        return {m: loc for m, loc in self.modules.items() if m in catalog.MFA_MODULES}

    def has_logging(self) -> bool:
        return bool(self.logging_modules or self.of_kind("request-logger")
                    or self.data.get("options", {}).get("logger") not in (None, False))


class AppJoiner:
    def __init__(self, modules: dict[str, dict[str, Any]], package_roots: Iterable[str]) -> None:
        self.modules = modules
        self.package_roots = sorted(set(package_roots), key=len, reverse=True)
        self.functions: dict[str, dict[str, Any]] = {}
        self.apps: dict[str, dict[str, Any]] = {}
        self.registrations: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # target -> [(kind, data)]
        self.param_calls: list[tuple[str, dict[str, Any]]] = []
        self.decorators: dict[str, tuple[str, dict[str, Any]]] = {}  # fastify.decorate: name -> (path, ref)
        self.shared_plugins: set[str] = set()
        self.scope_counter = 0
        self.order = 0
        for facts in modules.values():
            self.functions.update(facts.get("functions", {}))
            for app in facts.get("apps", []):
                self.apps[app["key"]] = app
        for path, facts in modules.items():
            for name, decorator in facts.get("decorators", {}).items():
                self.decorators.setdefault(name, (path, decorator["ref"]))
            self.shared_plugins.update(facts.get("shared_plugins", []))
            for use in facts.get("uses", []):
                self._register(path, use["target"], "use", use)
            for route in facts.get("routes", []):
                self._register(path, route["target"], "route", route)
            for setting in facts.get("settings", []):
                self._register(path, setting["target"], "setting", setting)
            for call in facts.get("calls", []):
                self.param_calls.append((path, call))

    # ----- resolution -------------------------------------------------------------------------

    def resolve_module(self, importer: str, spec: str) -> str | None:
        base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        for suffix in MODULE_SUFFIXES:
            if base + suffix in self.modules:
                return base + suffix
        stem, extension = posixpath.splitext(base)
        for source in TS_SOURCES.get(extension, ()):  # TypeScript imports name the compiled file
            if stem + source in self.modules:
                return stem + source
        return None

    def resolve_target(self, importer: str, target: str, depth: int = 0) -> str | None:
        if not target.startswith("import:") or depth > MAX_DEPTH:
            return target
        module_spec, _, export = target[len("import:"):].rpartition("#")
        module = self.resolve_module(importer, module_spec)
        if module is None:
            return None
        exported = self.modules[module].get("exports", {}).get(export or "default")
        if exported is None:
            return None
        return self.resolve_target(module, exported, depth + 1)

    def functions_of(self, importer: str, ref: dict[str, Any] | None) -> list[str]:
        """Keys of the functions a handler or middleware reference stands for."""
        if not ref:
            return []
        if "function" in ref:
            return [ref["function"]]
        if "module" not in ref:
            return []
        module = self.resolve_module(importer, ref["module"])
        if module is None:
            return []
        export = ref.get("export", "default")
        names = self.modules[module].get("function_exports", {})
        plugin = self.modules[module].get("plugin_exports", {}).get(export)
        return list(names.get(export, [])) or ([plugin] if plugin else [])

    def _normalise(self, path: str, info: dict[str, Any]) -> dict[str, Any]:
        """An imported value used as middleware: a router when the module exports one, else a function."""
        if info.get("kind") != "import":
            return info
        resolved = self.resolve_target(path, info["target"])
        if resolved is not None and resolved in self.apps:
            return {**info, "kind": "router"}
        return {**info, "kind": "auth" if info.get("auth_name") else "function"}

    def _register(self, path: str, target: str, kind: str, data: dict[str, Any]) -> None:
        resolved = self.resolve_target(path, target)
        if resolved is not None:
            self.registrations.setdefault(resolved, []).append((kind, data))

    # ----- apps -------------------------------------------------------------------------------

    def run(self) -> list[AppModel]:
        mounted: set[str] = set()
        for registrations in self.registrations.values():
            for kind, data in registrations:
                if kind == "use":
                    for info in data["middleware"]:
                        if info.get("kind") in ("router", "import"):
                            resolved = self.resolve_target(data["loc"][0], info["target"])
                            if resolved is not None:
                                mounted.add(resolved)
        models = []
        for key, app in self.apps.items():
            if app["kind"] != "app" or key in mounted:
                continue
            model = AppModel(app, self._package_root(app["loc"][0]))
            self.scope_counter = 0
            self.order = 0
            self._expand(model, key, "", (0,), 0, set())
            for route in model.routes:
                # A Fastify hook applies to every route of its scope, registered before or after it.
                route.before = [m for m in model.all_middleware if (m.order < route.order or m.info.get("hook"))
                                and m.scope in route.scopes and _covers(m.prefix, route.path)]
                route.after = [m for m in model.all_middleware if m.order > route.order and not m.info.get("hook")
                               and m.scope in route.scopes and _covers(m.prefix, route.path)]
            if app["framework"] == "nestjs":
                from nodeward.practices.nest import add_nest_routes  # nest builds on this module

                add_nest_routes(self, model, key)
            model.middleware = [m for m in model.all_middleware if m.scope == 0 and m.prefix in ("", "/")]
            self._package_facts(model)
            models.append(model)
        from nodeward.practices.nextjs import build_next_apps  # next builds on this module

        return [*models, *build_next_apps(self)]

    def _package_root(self, path: str) -> str:
        for root in self.package_roots:
            if root == "" or path.startswith(root + "/"):
                return root
        return ""

    def _package_facts(self, model: AppModel) -> None:
        prefix = f"{model.root}/" if model.root else ""
        for path, facts in sorted(self.modules.items()):
            if not path.startswith(prefix) or self._package_root(path) != model.root:
                continue
            for module, loc in facts.get("modules", {}).items():
                model.modules.setdefault(module, loc)
            model.password_checks.extend(c for c in facts.get("password_checks", []) if c.get("module_level"))
            model.practice_calls.extend(facts.get("practice_calls", []))
            model.functions.extend(facts.get("functions", {}).values())
            if facts.get("apps") or facts.get("routes") or facts.get("uses"):
                model.files.add(path)

    def _ordered(self, target: str) -> list[tuple[str, dict[str, Any]]]:
        registrations = list(self.registrations.get(target, []))
        for path, call in self.param_calls:
            for index, arg in enumerate(call["args"]):
                if arg is not None and self.resolve_target(path, arg) == target:
                    registrations.append(("call", {**call, "index": index}))
        home = self.apps.get(target, {}).get("loc", [target.split(":")[0]])[0]
        return sorted(registrations, key=lambda r: (r[1]["loc"][0] != home, r[1]["loc"][0], r[1]["loc"][1],
                                                    r[1]["loc"][2]))

    def _expand(self, model: AppModel, target: str, prefix: str, scopes: tuple[int, ...], depth: int,
                seen: set[str]) -> None:
        if depth > MAX_DEPTH or target in seen:
            return
        seen = seen | {target}
        if target in self.apps:
            model.files.add(self.apps[target]["loc"][0])
            own_prefix = self.apps[target].get("options", {}).get("prefix")
            if isinstance(own_prefix, str):  # a Koa router made with { prefix }
                prefix = join_path(prefix, own_prefix)
        for kind, data in self._ordered(target):
            path = data["loc"][0]
            model.files.add(path)
            if kind == "setting":
                model.settings.append(data)
            elif kind == "call":
                for key in self.functions_of(path, data["callee"]):
                    self._expand(model, f"param:{key}:{data['index']}", prefix, scopes, depth + 1, seen)
            elif kind == "use":
                mount = prefix + (data["mount"] or "") if data["mount"] not in (None, "/") else prefix
                for info in data["middleware"]:
                    info = self._normalise(path, info)
                    if info.get("kind") == "router":
                        sub = self.resolve_target(path, info["target"])
                        if sub is not None:
                            self.scope_counter += 1
                            self._expand(model, sub, mount, (*scopes, self.scope_counter), depth + 1, seen)
                        continue
                    if info.get("kind") == "plugin" or (info.get("kind") in ("function", "auth")
                                                        and data.get("plugin")):
                        keys = self.functions_of(path, info.get("ref"))
                        for key in keys:
                            # A Fastify plugin runs in a child scope (its hooks stay inside it) unless wrapped
                            # with fastify-plugin.
                            inner = scopes
                            if not (info.get("shared") or key in self.shared_plugins):
                                self.scope_counter += 1
                                inner = (*scopes, self.scope_counter)
                            self._expand(model, f"param:{key}:0", mount, inner, depth + 1, seen)
                        if keys or (data.get("plugin") and info.get("kind") != "plugin"):
                            continue  # a plugin of the project guards routes only through the hooks it adds
                    self.order += 1
                    model.all_middleware.append(Middleware(info, mount, scopes[-1], self.order,
                                                           self._facts_of(path, info)))
            elif kind == "route":
                self.order += 1
                own = [Middleware(info, prefix, scopes[-1], self.order, self._facts_of(path, info))
                       for info in map(lambda i: self._normalise(path, i), data["middleware"])]
                handler = [self.functions[k] for k in self.functions_of(path, data["handler"]) if k in self.functions]
                full = join_path(prefix, data["path"])
                model.routes.append(Route(data, full, self.order, scopes, own, handler))

    def _facts_of(self, path: str, info: dict[str, Any]) -> list[dict[str, Any]]:
        """Facts of the functions a middleware stands for; a Fastify decorator is the function decorated under
        its name (`fastify.decorate("authenticate", fn)`, maybe in another file)."""
        ref = info.get("ref")
        if ref is None and info.get("decorator") in self.decorators:
            path, ref = self.decorators[info["decorator"]]
        return [self.functions[k] for k in self.functions_of(path, ref) if k in self.functions]


def join_path(prefix: str, path: str) -> str:
    if path == "?":
        return (prefix or "") + "/?"
    if not prefix:
        return path or "/"
    return prefix.rstrip("/") + "/" + path.lstrip("/") if path not in ("", "/") else prefix


def _covers(prefix: str, path: str) -> bool:
    if prefix in ("", "/", "?"):
        return True
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def build_apps(modules: dict[str, dict[str, Any]], package_roots: Iterable[str]) -> list[AppModel]:
    return AppJoiner(modules, package_roots).run()
