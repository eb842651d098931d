"""NestJS in the app model: controllers, their routes and the guards, throttling and modules around them.

A Nest application registers no route with a call: routes are methods of classes decorated `@Controller(prefix)`
and `@Get(path)`, `@Post(path)`..., the controllers are listed by `@Module({ controllers })`, and access control
is declared with guards (`@UseGuards(...)` on a controller or a handler, `APP_GUARD` providers and
`app.useGlobalGuards(...)` for every route) rather than middleware. This module reads those declarations:

- per file, in the worker (`collect_nest_facts`): controllers with their decorators and routes, modules with
  their imports, controllers and providers, guard classes (what they extend), `setGlobalPrefix` calls, and the
  root module handed to `NestFactory.create`;
- in the main process (`add_nest_routes`): the routes of a Nest app, with full paths, joined to the app model
  built for Express-like frameworks, each with the guards and limiters that apply to it as `Middleware`, so the
  practice rules and the scorecard judge a Nest app as they judge an Express one.

Express middleware registered in `main.ts` (`app.use(helmet())`, sessions, CSRF, `enableCors`) is already
recorded on the app by the generic collector: Nest runs it before every route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from nodeward.lang.js.model import unwrap
from nodeward.practices import catalog
from nodeward.practices.model import AppJoiner, AppModel, Middleware, Route, join_path

if TYPE_CHECKING:
    from nodeward.practices.collect import AppFactCollector

NEST_COMMON = "@nestjs/common"
ROUTE_DECORATORS = {"Get": "get", "Post": "post", "Put": "put", "Patch": "patch", "Delete": "delete",
                    "Options": "options", "Head": "head", "All": "all"}
# Guards that limit request rates rather than check who calls (@nestjs/throttler and subclasses of it).
THROTTLER_GUARDS = frozenset({"ThrottlerGuard", "ThrottlerBehindProxyGuard"})
# Decorators that mark a route (or controller) as open to everyone under a global authentication guard: the
# documented `@Public()` pattern (SetMetadata(IS_PUBLIC_KEY, true)) and its common names.
PUBLIC_DECORATORS = frozenset({"Public", "AllowAnonymous", "IsPublic", "SkipAuth", "NoAuth", "Anonymous",
                               "PublicRoute", "Unprotected"})
ROLE_DECORATORS = frozenset({"Roles", "Role", "RequireRoles", "Permissions", "RequirePermissions", "HasRoles"})
# Passport strategies that sign a user in (a login form) rather than check an existing identity.
LOGIN_STRATEGIES = frozenset({"local", "local-login", "local-signup"})
MAX_HOPS = 12  # module imports followed from the root module

Ref = dict[str, str]


class NestFactCollector:
    """The Nest facts of one file, reusing the generic collector's helpers (locations, app targets)."""

    def __init__(self, collector: AppFactCollector) -> None:
        self.collector = collector
        self.model = collector.model
        self.controllers: list[dict[str, Any]] = []
        self.modules: list[dict[str, Any]] = []
        self.guards: dict[str, dict[str, Any]] = {}
        self.prefixes: list[dict[str, Any]] = []
        self.roots: list[dict[str, Any]] = []

    def collect(self, classes: list[Node], calls: list[Node]) -> dict[str, Any]:
        for cls in classes:
            self._class(cls)
        for call in calls:
            self._bootstrap_call(call)
        facts = {"controllers": self.controllers, "modules": self.modules, "guards": self.guards,
                 "prefixes": self.prefixes, "roots": self.roots}
        return {key: value for key, value in facts.items() if value}

    # ----- decorators -------------------------------------------------------------------------

    def _nest_name(self, expression: Node) -> str | None:
        """`Controller` for `@Controller(...)` / `@Controller` imported from a @nestjs package (or any name, for
        decorators of the project: guards, `@Public()`)."""
        expression = unwrap(expression)
        callee = expression.child_by_field_name("function") if expression.type == "call_expression" else expression
        if callee is None:
            return None
        qualified = self.model.qualified_name(callee)
        if qualified is not None and qualified.startswith("@nestjs/"):
            return qualified.split(".")[-1]
        return self.model.text(callee).split(".")[-1] if callee.type in ("identifier", "member_expression") \
            else None

    @staticmethod
    def _decorators_before(member: Node) -> list[Node]:
        """Decorators of a class member: the `decorator` siblings just before it in the class body."""
        found = []
        sibling = member.prev_sibling
        while sibling is not None and sibling.type in ("decorator", "comment"):
            if sibling.type == "decorator":
                found.append(sibling)
            sibling = sibling.prev_sibling
        return list(reversed(found))

    @staticmethod
    def _class_decorators(cls: Node) -> list[Node]:
        found = [c for c in cls.children if c.type == "decorator"]
        parent = cls.parent
        if parent is not None and parent.type == "export_statement":
            found = [c for c in parent.children if c.type == "decorator"] + found
        return found

    def _decorator_call(self, decorator: Node) -> tuple[str | None, list[Node], Node]:
        expression = decorator.named_children[0] if decorator.named_children else decorator
        name = self._nest_name(expression)
        args = self.model.arguments(unwrap(expression)) if unwrap(expression).type == "call_expression" else []
        return name, args, expression

    # ----- classes ----------------------------------------------------------------------------

    def _class(self, cls: Node) -> None:
        name_node = cls.child_by_field_name("name")
        if name_node is None:
            return
        name = self.model.text(name_node)
        self._guard_class(cls, name)
        for decorator in self._class_decorators(cls):
            kind, args, _ = self._decorator_call(decorator)
            if kind == "Controller":
                self._controller(cls, name, args)
            elif kind == "Module" and args:
                self._module(cls, name, args[0])

    def _guard_class(self, cls: Node, name: str) -> None:
        """`class JwtAuthGuard extends AuthGuard("jwt")`, `class X extends ThrottlerGuard`, or a class with a
        `canActivate` method: a guard, and what kind."""
        heritage = next((c for c in cls.named_children if c.type == "class_heritage"), None)
        info: dict[str, Any] | None = None
        if heritage is not None:
            for clause in heritage.named_children:
                if clause.type != "extends_clause":
                    continue
                value = clause.child_by_field_name("value") or (clause.named_children[0]
                                                                if clause.named_children else None)
                if value is None:
                    continue
                described = self.guard_expression(value)
                if described.get("base"):
                    info = described
        body = cls.child_by_field_name("body")
        if info is None and body is not None and any(
                m.type == "method_definition" and self.model.text(m.child_by_field_name("name") or m) == "canActivate"
                for m in body.named_children):
            info = {"base": "custom"}
        if info is not None:
            self.guards[name] = info

    def guard_expression(self, node: Node) -> dict[str, Any]:
        """What a guard expression is: `AuthGuard("jwt")`, `ThrottlerGuard`, `new RolesGuard()`, `JwtGuard`."""
        node = unwrap(node)
        if node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            if constructor is not None:
                node = unwrap(constructor)
        if node.type == "call_expression":  # AuthGuard("jwt") from @nestjs/passport
            callee = node.child_by_field_name("function")
            called = self.model.qualified_name(callee) if callee is not None else None
            if called is not None and called.endswith(".AuthGuard"):
                args = self.model.arguments(node)
                strategy = self.model.string_value(args[0]) if args else None
                return {"base": "AuthGuard", "strategy": strategy or "", "text": self.collector.text(node)}
            return {"text": self.collector.text(node)}
        text = self.model.text(node)
        qualified = self.model.qualified_name(node) if node.type in ("identifier", "member_expression") else None
        if qualified is not None and qualified.split(".")[-1] in THROTTLER_GUARDS and qualified.startswith("@nestjs"):
            return {"base": "ThrottlerGuard", "text": text}
        info: dict[str, Any] = {"text": text, "name": text.split(".")[-1]}
        if qualified is not None and qualified.startswith("."):
            module, _, export = self.collector.analysis.split_relative(qualified)
            info["ref"] = {"module": module, "export": export or "default"}
        elif node.type == "identifier":
            info["ref"] = {"local": text}
        return info

    def _controller(self, cls: Node, name: str, args: list[Node]) -> None:
        prefix = self._path_argument(args)
        routes: list[dict[str, Any]] = []
        facts = {"class": name, "prefix": prefix, "loc": self.collector.loc(cls),
                 "snippet": self.collector.snippet(cls), "decorators": self._decorators(self._class_decorators(cls)),
                 "routes": routes}
        body = cls.child_by_field_name("body")
        for member in body.named_children if body is not None else []:
            if member.type != "method_definition":
                continue
            decorators = self._decorators_before(member)
            declared = [(ROUTE_DECORATORS[kind], args) for kind, args, _ in map(self._decorator_call, decorators)
                        if kind in ROUTE_DECORATORS]
            if not declared:
                continue
            handler = self.collector.handler(member)
            own = self._decorators(decorators)
            for method, route_args in declared:
                routes.append({
                    "method": method, "path": self._path_argument(route_args), "loc": self.collector.loc(member),
                    "snippet": self.collector.snippet(member), "handler": handler, "decorators": own,
                    "inline_checks": [],
                })
        self.controllers.append(facts)

    def _path_argument(self, args: list[Node]) -> str:
        """The path of `@Controller("users")`, `@Get(":id")`, `@Controller({ path: "users" })` ("" when none)."""
        if not args:
            return ""
        first = unwrap(args[0])
        value = self.model.string_value(first)
        if value is not None:
            return value
        if first.type == "array" and first.named_children:
            return self.model.string_value(first.named_children[0]) or "?"
        option = self.collector._option(first, "path")
        return option if isinstance(option, str) else "?"

    def _decorators(self, decorators: list[Node]) -> list[dict[str, Any]]:
        """Guards, throttling, public and role marks among a controller's or handler's decorators."""
        found: list[dict[str, Any]] = []
        for decorator in decorators:
            kind, args, expression = self._decorator_call(decorator)
            loc = self.collector.loc(decorator)
            text = self.collector.text(decorator)
            if kind == "UseGuards":
                for arg in args:
                    found.append({**self.guard_expression(arg), "kind": "guard", "loc": loc, "decorator": text})
            elif kind in ("Throttle", "SkipThrottle"):
                skipped = kind == "SkipThrottle" and not (args and self.model.text(unwrap(args[0])) == "false")
                found.append({"kind": "skip-throttle" if skipped else "throttle", "loc": loc, "text": text})
            elif kind in PUBLIC_DECORATORS or (kind == "SetMetadata" and args and "public" in (
                    self.model.string_value(args[0]) or self.model.text(args[0])).lower()):
                found.append({"kind": "public", "loc": loc, "text": text})
            elif kind in ROLE_DECORATORS:
                found.append({"kind": "roles", "loc": loc, "text": text,
                              "admin": bool(catalog.ADMIN_MIDDLEWARE_NAME.search(self.model.text(expression)))
                              or any("admin" in self.model.text(a).lower() for a in args)})
        return found

    def _module(self, cls: Node, name: str, options: Node) -> None:
        facts: dict[str, Any] = {"class": name, "loc": self.collector.loc(cls), "imports": [], "controllers": [],
                                 "providers": [], "throttler": None}
        for key in ("imports", "controllers", "providers"):
            listed = self.collector._property_node(options, key)
            listed = unwrap(listed) if listed is not None else None
            if listed is None or listed.type != "array":
                continue
            for entry in (unwrap(e) for e in listed.named_children if e.type != "comment"):
                if key == "providers":
                    provider = self._provider(entry)
                    if provider is not None:
                        facts["providers"].append(provider)
                    continue
                if entry.type == "call_expression":  # ThrottlerModule.forRoot(...), ConfigModule.forRoot()
                    callee = entry.child_by_field_name("function")
                    called = self.model.qualified_name(callee) if callee is not None else None
                    if called is not None and called.startswith("@nestjs/throttler.ThrottlerModule"):
                        facts["throttler"] = {"loc": self.collector.loc(entry), "text": self.collector.text(entry)}
                    continue
                ref = self._class_ref(entry)
                if ref is not None:
                    facts[key].append(ref)
        facts["middleware"] = self._consumer_middleware(cls)
        self.modules.append(facts)

    def _consumer_middleware(self, cls: Node) -> list[dict[str, Any]]:
        """`configure(consumer) { consumer.apply(AuthMiddleware, helmet()).exclude(...).forRoutes("user", {
        path: "articles/feed", method: RequestMethod.GET }, CatsController) }` of a module class."""
        found: list[dict[str, Any]] = []
        body = cls.child_by_field_name("body")
        for member in body.named_children if body is not None else []:
            name = member.child_by_field_name("name") if member.type == "method_definition" else None
            if name is None or self.model.text(name) != "configure" or b".apply(" not in self.model.source:
                continue
            for call in self.model.captures("(call_expression) @call").get("call", []):
                if not member.start_byte <= call.start_byte < member.end_byte or \
                        self.model.method_name(call) != "forRoutes":
                    continue
                applied = self._applied(call)
                if applied is None:
                    continue
                routes = [self._route_selector(arg) for arg in self.model.arguments(call)]
                found.append({"middleware": [m for arg in applied if (m := self.collector.middleware(arg))],
                              "routes": [r for r in routes if r is not None], "loc": self.collector.loc(call)})
        return found

    def _applied(self, for_routes: Node) -> list[Node] | None:
        """The arguments of the `apply(...)` this `forRoutes(...)` closes (through `.exclude(...)`)."""
        node = for_routes
        for _ in range(4):
            callee = unwrap(node.child_by_field_name("function") or node)
            receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
            if receiver is None or unwrap(receiver).type != "call_expression":
                return None
            node = unwrap(receiver)
            if self.model.method_name(node) == "apply":
                return self.model.arguments(node)
        return None

    def _route_selector(self, node: Node) -> dict[str, Any] | None:
        """A `forRoutes` argument: a path ("*", "cats", "cats/*"), `{ path, method }` or a controller class."""
        node = unwrap(node)
        path = self.model.string_value(node)
        if path is not None:
            return {"path": path}
        if node.type == "object":
            value = self.collector._option(node, "path")
            method = self.collector._property_node(node, "method")
            verb = self.model.text(method).split(".")[-1].lower() if method is not None else "all"
            return {"path": value, "method": verb} if isinstance(value, str) else None
        ref = self._class_ref(node)
        return {"controller": ref} if ref is not None else None

    def _class_ref(self, node: Node) -> Ref | None:
        node = unwrap(node)
        if node.type not in ("identifier", "member_expression"):
            return None
        qualified = self.model.qualified_name(node)
        if qualified is not None and qualified.startswith("."):
            module, _, export = self.collector.analysis.split_relative(qualified)
            return {"module": module, "export": export or "default"}
        if node.type == "identifier" and qualified is None:
            return {"local": self.model.text(node)}
        return {"package": qualified or self.model.text(node)}

    def _provider(self, entry: Node) -> dict[str, Any] | None:
        """`{ provide: APP_GUARD, useClass: JwtAuthGuard }` (and useExisting); plain classes are not recorded."""
        if entry.type != "object":
            return None
        token = self.collector._property_node(entry, "provide")
        value = self.collector._property_node(entry, "useClass") or self.collector._property_node(entry, "useExisting")
        if token is None or value is None:
            return None
        token_name = self.model.qualified_name(unwrap(token)) or self.model.text(token)
        if token_name not in ("@nestjs/core.APP_GUARD", "APP_GUARD"):
            return None
        return {"token": "APP_GUARD", "loc": self.collector.loc(entry), **self.guard_expression(value)}

    # ----- main.ts ----------------------------------------------------------------------------

    def _bootstrap_call(self, call: Node) -> None:
        if call.type != "call_expression":
            return
        name = self.model.call_name(call)
        args = self.model.arguments(call)
        if name == "@nestjs/core.NestFactory.create" and args:
            ref = self._class_ref(args[0])
            if ref is not None:
                self.roots.append({"app": self.collector.key(call), "module": ref})
            return
        method = self.model.method_name(call)
        if method not in ("setGlobalPrefix", "useGlobalGuards") or not args:
            return
        callee = unwrap(call.child_by_field_name("function") or call)
        receiver = callee.child_by_field_name("object")
        target = self.collector.target(receiver) if receiver is not None else None
        if target is None:
            return
        if method == "setGlobalPrefix":
            prefix = self.model.string_value(args[0])
            if prefix is not None:
                self.prefixes.append({"target": target, "prefix": prefix, "loc": self.collector.loc(call)})
        # useGlobalGuards is recorded by the generic collector as app middleware (kind "auth"); a throttler
        # guard registered there is a limiter instead.
        elif any(self.guard_expression(a).get("base") == "ThrottlerGuard" for a in args):
            self.prefixes.append({"target": target, "global_throttler": True, "loc": self.collector.loc(call),
                                  "text": self.collector.text(call)})


def collect_nest_facts(collector: AppFactCollector) -> dict[str, Any]:
    source = collector.model.source
    if b"@nestjs" not in source:
        return {}
    found = collector.model.captures("(class_declaration) @class (class) @class (call_expression) @call")
    return NestFactCollector(collector).collect(found.get("class", []), found.get("call", []))


# ----- joining, in the main process ------------------------------------------------------------------------


class NestJoiner:
    """The routes of one Nest application, added to its model."""

    def __init__(self, joiner: AppJoiner, model: AppModel, app_key: str) -> None:
        self.joiner = joiner
        self.model = model
        self.app_key = app_key
        prefix = f"{model.root}/" if model.root else ""
        self.files = {path: facts["nest"] for path, facts in joiner.modules.items()
                      if "nest" in facts and path.startswith(prefix) and joiner._package_root(path) == model.root}

    def _find(self, importer: str, ref: Ref | None, kind: str) -> tuple[str, dict[str, Any]] | None:
        """The controller, module or guard class a reference names: in the module it is imported from, else the
        one class of that name in the package (barrel files re-export them under the same name)."""
        if not ref:
            return None
        name = ref.get("export") or ref.get("local") or ""
        candidates: list[str] = []
        if "module" in ref:
            resolved = self.joiner.resolve_module(importer, ref["module"])
            if resolved is not None:
                candidates.append(resolved)
        elif "local" in ref:
            candidates.append(importer)
        candidates.extend(sorted(self.files))
        for path in candidates:
            facts = self.files.get(path, {})
            if kind == "guards":
                guard = facts.get("guards", {}).get(name)
                if guard is not None:
                    return path, guard
                continue
            for item in facts.get(kind, []):
                if item["class"] == name:
                    return path, item
        return None

    def _root_modules(self) -> list[tuple[str, dict[str, Any]]]:
        for path, facts in self.files.items():
            for root in facts.get("roots", []):
                if root["app"] == self.app_key:
                    found = self._find(path, root["module"], "modules")
                    return [found] if found is not None else []
        return []

    def _reachable_modules(self) -> list[tuple[str, dict[str, Any]]]:
        pending = self._root_modules()
        seen: set[tuple[str, str]] = set()
        result = []
        hops = 0
        while pending and hops < 10_000:
            hops += 1
            path, module = pending.pop()
            if (path, module["class"]) in seen:
                continue
            seen.add((path, module["class"]))
            result.append((path, module))
            for ref in module["imports"]:
                found = self._find(path, ref, "modules")
                if found is not None:
                    pending.append(found)
        if not result:  # no root module found: every module of the package
            result = [(path, m) for path, facts in self.files.items() for m in facts.get("modules", [])]
        return result

    def _controllers(self, modules: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for path, module in modules:
            for ref in module["controllers"]:
                controller = self._find(path, ref, "controllers")
                if controller is not None:
                    found.setdefault((controller[0], controller[1]["class"]), controller[1])
        if not found:  # modules not understood (dynamic modules): every controller of the package
            for path, facts in self.files.items():
                for controller in facts.get("controllers", []):
                    found.setdefault((path, controller["class"]), controller)
        return [(path, controller) for (path, _), controller in sorted(found.items(), key=lambda item: item[0])]

    def _guard(self, importer: str, info: dict[str, Any], order: int, prefix: str) -> Middleware:
        resolved = info
        seen = 0
        while not resolved.get("base") and resolved.get("ref") and seen < 4:  # a guard class of the project
            found = self._find(importer, resolved["ref"], "guards")
            if found is None:
                break
            importer, resolved = found[0], {**found[1], "text": info.get("text", "")}
            seen += 1
        base = resolved.get("base", "")
        text = str(info.get("decorator") or info.get("text") or "")
        name = str(info.get("name") or info.get("text") or "")
        data: dict[str, Any] = {"loc": info["loc"], "text": text}
        if base == "ThrottlerGuard":
            data.update(kind="rate-limit", module="@nestjs/throttler.ThrottlerGuard")
        elif base == "AuthGuard" and resolved.get("strategy") in LOGIN_STRATEGIES:
            # Passport's local strategy checks a password: it is the login itself, not a check of a session.
            data.update(kind="auth", module="passport.authenticate", strategy=resolved.get("strategy"))
        else:
            data.update(kind="auth", module="nestjs.guard", admin=bool(catalog.ADMIN_MIDDLEWARE_NAME.search(name)))
        return Middleware(data, prefix, 0, order)

    def _selects(self, module_path: str, selector: dict[str, Any], route: str, method: str, controller_path: str,
                 controller: dict[str, Any]) -> bool:
        """Whether a `forRoutes` selector covers a route (its path without the global prefix)."""
        if "controller" in selector:
            found = self._find(module_path, selector["controller"], "controllers")
            return found is not None and found[0] == controller_path and found[1]["class"] == controller["class"]
        if selector.get("method", "all") not in ("all", method):
            return False
        wanted = str(selector["path"]).strip("/")
        for wildcard in ("(.*)", "*"):
            if wanted.endswith(wildcard):
                wanted = wanted[: -len(wildcard)].rstrip("/")
                return not wanted or route == wanted or route.startswith(wanted + "/")
        return route == wanted

    def run(self) -> None:
        if not self.files:
            return
        modules = self._reachable_modules()
        global_prefix = ""
        order = 1_000_000  # after every middleware of main.ts: Nest runs app middleware before any route
        for path, facts in self.files.items():
            for setting in facts.get("prefixes", []):
                if self.joiner.resolve_target(path, setting["target"]) != self.app_key:
                    continue
                if "prefix" in setting:
                    global_prefix = "/" + setting["prefix"].strip("/") if setting["prefix"].strip("/") else ""
                elif setting.get("global_throttler"):
                    self.model.all_middleware.append(Middleware(
                        {"kind": "rate-limit", "module": "@nestjs/throttler.ThrottlerGuard", "loc": setting["loc"],
                         "text": setting["text"]}, "", 0, order))
        global_guards: list[Middleware] = []
        consumer: list[tuple[str, dict[str, Any], Middleware]] = []  # (module path, forRoutes entry, middleware)
        for path, module in modules:
            self.model.files.add(path)
            for applied in module.get("middleware", []):
                for info in applied["middleware"]:
                    order += 1
                    info = self.joiner._normalise(path, info)
                    facts = [self.joiner.functions[k] for k in self.joiner.functions_of(path, info.get("ref"))
                             if k in self.joiner.functions]
                    middleware = Middleware(info, "", 0, order, facts)
                    consumer.append((path, applied, middleware))
                    if any(r.get("path") in ("*", "(.*)", "/*") for r in applied["routes"]):
                        self.model.all_middleware.append(middleware)  # every route: app-wide
            for provider in module["providers"]:
                order += 1
                global_guards.append(self._guard(path, provider, order, ""))
        # app.useGlobalGuards(...) recorded by the generic collector: a throttler guard there is a limiter
        self.model.all_middleware = [m for m in self.model.all_middleware
                                     if not (m.info.get("module") == "nestjs.useGlobalGuards"
                                             and "Throttler" in str(m.info.get("text", "")))]
        self.model.all_middleware.extend(global_guards)
        app_wide = [m for m in self.model.all_middleware if m.scope == 0 and m.prefix in ("", "/")]
        for path, controller in self._controllers(modules):
            self.model.files.add(path)
            base = join_path(global_prefix, "/" + controller["prefix"].strip("/")) if controller["prefix"] else \
                (global_prefix or "")
            controller_marks = controller["decorators"]
            for route_data in controller["routes"]:
                order += 1
                marks = [*controller_marks, *route_data["decorators"]]
                own = [self._guard(path, mark, order, base) for mark in marks if mark["kind"] == "guard"]
                public = any(mark["kind"] == "public" for mark in marks)
                skip_throttle = any(mark["kind"] == "skip-throttle" for mark in route_data["decorators"]) or (
                    any(mark["kind"] == "skip-throttle" for mark in controller_marks)
                    and not any(mark["kind"] == "throttle" for mark in route_data["decorators"]))
                guarded_by_throttler = any(m.is_limiter() for m in [*own, *app_wide])
                for mark in marks:
                    if mark["kind"] == "throttle" and guarded_by_throttler and not skip_throttle:
                        own.append(Middleware({"kind": "rate-limit", "module": "@nestjs/throttler.Throttle",
                                               "loc": mark["loc"], "text": mark["text"]}, base, 0, order))
                before = [m for m in app_wide
                          if not (public and m.is_auth() and m.info.get("module") in ("nestjs.guard",
                                                                                       "nestjs.useGlobalGuards"))
                          and not (skip_throttle and m.is_limiter())]
                local_path = join_path(controller["prefix"].strip("/"), route_data["path"]).strip("/")
                before.extend(m for module_path, applied, m in consumer if m not in before and any(
                    self._selects(module_path, selector, local_path, route_data["method"], path, controller)
                    for selector in applied["routes"]))
                if any(m.is_auth() for m in [*before, *own]):
                    # @Roles("admin") is read by a roles guard: with a guard in place, the route is for admins
                    own.extend(Middleware({"kind": "auth", "module": "nestjs.roles", "loc": mark["loc"],
                                           "text": mark["text"], "admin": mark.get("admin", False)}, base, 0, order)
                               for mark in marks if mark["kind"] == "roles")
                full = join_path(base, route_data["path"]) if route_data["path"] else (base or "/")
                data = {**route_data, "target": self.app_key, "middleware": []}
                handler = [self.joiner.functions[k] for k in self.joiner.functions_of(path, route_data["handler"])
                           if k in self.joiner.functions]
                route = Route(data, full if full.startswith("/") else "/" + full, order, (0,), own, handler)
                route.before = before
                self.model.routes.append(route)


def add_nest_routes(joiner: AppJoiner, model: AppModel, app_key: str) -> None:
    NestJoiner(joiner, model, app_key).run()
