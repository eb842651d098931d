"""Per file, in the worker: the "app facts" of one module as plain data (FileResult.summaries["app"]).

What is recorded (every location is [path, line, column, end line, end column]):
- `apps`: applications and routers created here (`express()`, `express.Router()`, `new Koa()`, `fastify()`, ...);
- `uses`: middleware registrations (`.use`, fastify's `.register`, hapi's `.register`) in source order, each
  middleware classified by the module it comes from (catalog.MIDDLEWARE), or a reference to a router, a local
  function, or a value imported from another module of the project;
- `routes`: method, path, per-route middleware and the handler (a function of this file or an import);
- `calls`: an app or router passed to a function (`require('./routes')(app)`), so routes registered on a
  parameter elsewhere join the right app;
- `functions`: per function of this file, what the joiner asks of handlers and middleware: password
  verification, logging, audit calls, failure responses, limiter calls, lockout counters, password checks;
- `exports`: which exported names are apps/routers (functions come from the taint export collector);
- module-level facts: logging and MFA libraries imported, password length checks outside functions,
  `x-powered-by` settings, calls that are evidence for line-level practices.
Trees never leave the worker: the joiner (nodeward.practices.model) works on this data only.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeGuard

from tree_sitter import Node

from nodeward.analysis.taint import nextjs
from nodeward.analysis.taint.engine import FUNCTION_TYPES, TaintAnalysis
from nodeward.analysis.taint.exports import collect_exports
from nodeward.lang.js.model import Binding, SemanticModel, unwrap
from nodeward.practices import catalog, fastify, hapi
from nodeward.practices.nest import collect_nest_facts
from nodeward.practices.nextjs import collect_next_facts

MARKERS = (b"express", b"koa", b"fastify", b"hapi", b"@nestjs", b"Router", b"router", b".use(", b".post(",
           b"bcrypt", b"argon2", b"password", b"Password", b"otplib", b"speakeasy", b"webauthn", b"winston",
           b"pino", b"bunyan", b"audit", b"log4js", b"timingSafeEqual", b"rate-limiter-flexible", b"429")

_QUERY = """
(call_expression) @call
(new_expression) @call
(binary_expression) @binary
(assignment_expression left: (member_expression)) @assignment
(export_statement) @export
(import_statement) @import
"""
Loc = list[Any]


def collect_app_facts(analysis: TaintAnalysis, lines: list[str]) -> dict[str, Any]:
    if not any(marker in analysis.model.source for marker in MARKERS) and not nextjs.is_next_file(analysis.path):
        return {}
    return AppFactCollector(analysis, lines).collect()


class AppFactCollector:
    def __init__(self, analysis: TaintAnalysis, lines: list[str]) -> None:
        self.analysis = analysis
        self.model: SemanticModel = analysis.model
        self.path = analysis.path
        self.lines = lines
        self.apps: list[dict[str, Any]] = []
        self.app_keys: set[str] = set()
        self.uses: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.settings: list[dict[str, Any]] = []
        self.functions: dict[str, dict[str, Any]] = {}
        self.modules: dict[str, Loc] = {}  # logging/MFA modules imported -> where
        self.password_checks: list[dict[str, Any]] = []
        self.practice_calls: list[dict[str, Any]] = []
        self.exports: dict[str, str] = {}
        self.function_nodes: dict[str, Node] = {}
        self.decorators: dict[str, dict[str, Any]] = {}  # fastify.decorate(name, fn)
        self.shared_plugins: list[str] = []  # function keys of plugins wrapped with fastify-plugin
        self.plugin_exports: dict[str, str] = {}  # export name -> function key of the plugin fp() wraps

    # ----- driver -----------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        found = self.model.captures(_QUERY)
        calls = sorted(found.get("call", []), key=lambda n: n.start_byte)
        for call in calls:  # creations first, so that uses and routes find their app
            self._creation(call)
        for call in calls:
            self._call(call)
        for binary in found.get("binary", []):
            self._length_check(binary)
        for statement in found.get("import", []):
            source = statement.child_by_field_name("source")
            spec = self.model.string_value(source) if source is not None else None
            if spec is not None:
                self._module(spec, statement)
        for assignment in found.get("assignment", []):
            target = assignment.child_by_field_name("left")
            value = assignment.child_by_field_name("right")
            if target is not None and value is not None:
                self._export_assignment(target, value)
                self._session_write(target)
                self._proxy_setting(target, value)
        for statement in found.get("export", []):
            self._export_statement(statement)
        for key, facts_of in self.functions.items():
            if facts_of["verify"] or facts_of["failures"]:
                match = catalog.LOCKOUT_WORDS.search(self.model.text(self.function_nodes[key]))
                if match:
                    facts_of["lockout"].append(match.group(0))
        facts: dict[str, Any] = {
            "apps": self.apps, "uses": self.uses, "routes": self.routes, "calls": self.calls,
            "settings": self.settings, "functions": self.functions, "modules": self.modules,
            "password_checks": self.password_checks, "practice_calls": self.practice_calls,
            "exports": self.exports, "decorators": self.decorators, "shared_plugins": self.shared_plugins,
            "plugin_exports": self.plugin_exports,
        }
        nest = collect_nest_facts(self)
        if nest:
            facts["nest"] = nest
        next_facts = collect_next_facts(self)
        if next_facts:
            facts["next"] = next_facts
        if self.apps or self.uses or self.routes or self.calls or self.functions:
            facts["function_exports"] = collect_exports(self.analysis).get("names", {})
        if not any(facts.values()):
            return {}
        return facts

    # ----- helpers ----------------------------------------------------------------------------

    def loc(self, node: Node) -> Loc:
        (row, col), (end_row, end_col) = node.start_point, node.end_point
        return [self.path, row + 1, col + 1, end_row + 1, end_col + 1]

    def snippet(self, node: Node) -> str:
        row = node.start_point[0]
        return self.lines[row].rstrip("\r\n") if row < len(self.lines) else ""

    def text(self, node: Node) -> str:
        return " ".join(self.model.text(node).split())[:80]

    def key(self, node: Node) -> str:
        return f"{self.path}:{node.start_byte}"

    def _stable_value(self, node: Node) -> tuple[Binding | None, Node | None]:
        node = unwrap(node)
        if node.type != "identifier":
            return None, node
        binding = self.model.resolve(node)
        if binding is None or not binding.is_stable:
            return binding, None
        if binding.value is None:
            return binding, None
        value = unwrap(binding.value)
        while value.type == "await_expression" and value.named_children:
            value = unwrap(value.named_children[0])
        if value.type == "assignment_expression":  # const app = module.exports = express()
            right = value.child_by_field_name("right")
            value = unwrap(right) if right is not None else value
        return binding, value

    def _enclosing_functions(self, node: Node) -> list[Node]:
        result = []
        current = node.parent
        while current is not None:
            if current.type in FUNCTION_TYPES:
                result.append(current)
            current = current.parent
        return result

    def _function(self, function: Node) -> dict[str, Any]:
        key = self.analysis.function_key(function)
        facts = self.functions.get(key)
        if facts is None:
            name = self.analysis.function_name(function)
            self.function_nodes[key] = function
            facts = {"name": name or "", "loc": self.loc(function), "verify": [], "hash": [], "logs": [],
                     "audit": [], "failures": [], "limiter": [], "lockout": [], "password_checks": [],
                     "headers": [], "auth": [], "denials": [], "console": [], "session_login": [],
                     "session_renewal": [], "auth_cookie": []}
            self.functions[key] = facts
        return facts

    def _attribute(self, node: Node, field_name: str, value: Any) -> None:
        for function in self._enclosing_functions(node):
            bucket = self._function(function)[field_name]
            if value not in bucket:
                bucket.append(value)

    # ----- apps -------------------------------------------------------------------------------

    def _creation(self, call: Node) -> None:
        name = self.model.call_name(call)
        if name is None or name not in catalog.CREATORS:
            return
        if name == "router" and call.type != "new_expression":
            return
        framework, kind = catalog.CREATORS[name]
        options: dict[str, Any] = {}
        args = self.model.arguments(call)
        if framework == "fastify" and args:
            for option in ("logger", "bodyLimit", "trustProxy", "https", "http2"):
                value = self._option(args[0], option)
                if value is not None:
                    options[option] = value
        if framework == "hapi":
            hapi.server_options(self, call, self.key(call), args)
        if framework == "koa" and kind == "router" and args:  # new Router({ prefix: "/notes" })
            prefix = self._option(args[0], "prefix")
            if isinstance(prefix, str):
                options["prefix"] = prefix
        if framework == "nestjs" and len(args) > 1:
            for option in ("logger", "httpsOptions"):
                value = self._option(args[1], option)
                if value is not None:
                    options[option] = value
        self.apps.append({"key": self.key(call), "framework": framework, "kind": kind, "loc": self.loc(call),
                          "snippet": self.snippet(call), "name": self._declared_name(call), "options": options})
        self.app_keys.add(self.key(call))

    def _declared_name(self, call: Node) -> str:
        parent = call.parent
        while parent is not None and parent.type in ("await_expression", "parenthesized_expression",
                                                      "as_expression", "assignment_expression"):
            parent = parent.parent
        if parent is not None and parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            if name is not None:
                return self.model.text(name)
        return ""

    def _option(self, node: Node, key: str) -> Any:
        obj = self._object(node)
        if obj is None:
            return None
        for child in obj.named_children:
            if child.type == "pair":
                name = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if name is not None and value is not None and self.model._property_key(name) == key:
                    constant = self.model.evaluate(value)
                    if constant is not None and not _is_unknown(constant.value):
                        return constant.value
                    return "<dynamic>"
        return None

    def _object(self, node: Node) -> Node | None:
        node = unwrap(node)
        if node.type == "object":
            return node
        _, value = self._stable_value(node)
        return value if value is not None and value.type == "object" else None

    def target(self, node: Node, depth: int = 0) -> str | None:
        """The app or router an expression stands for: "<path>:<byte>" of its creation, "param:<function
        key>:<index>" for a parameter, "import:<module>#<export>" for one imported from a project module."""
        node = unwrap(node)
        if depth > 8:
            return None
        if node.type in ("call_expression", "new_expression"):
            if self.key(node) in self.app_keys:
                return self.key(node)
            method = self.model.method_name(node) if node.type == "call_expression" else None
            if method in ("use", "register", "set", "disable", "enable", *catalog.HTTP_METHODS):
                function = unwrap(node.child_by_field_name("function") or node)
                receiver = function.child_by_field_name("object")
                return self.target(receiver, depth + 1) if receiver is not None else None
            return None
        if node.type == "await_expression" and node.named_children:
            return self.target(node.named_children[0], depth + 1)
        if node.type != "identifier":
            return None
        binding, value = self._stable_value(node)
        if binding is None:
            return None
        if binding.kind == "param":
            function = self.model.enclosing(binding.node, FUNCTION_TYPES)
            params = function.child_by_field_name("parameters")
            index = 0
            if params is not None:
                for position, param in enumerate(params.named_children):
                    if param.start_byte <= binding.node.start_byte < param.end_byte:
                        index = position
                        break
            return f"param:{self.analysis.function_key(function)}:{index}"
        qualified = self.model.qualified_name(node)
        if qualified is not None and qualified.startswith("."):
            module, _, export = self.analysis.split_relative(qualified)
            return f"import:{module}#{export or 'default'}"
        if value is not None:
            return self.target(value, depth + 1)
        return None

    # ----- calls ------------------------------------------------------------------------------

    def _call(self, call: Node) -> None:
        name = self.model.call_name(call)
        if name is not None:
            self._module_call(call, name)
        if call.type != "call_expression":
            return
        method = self.model.method_name(call)
        function = unwrap(call.child_by_field_name("function") or call)
        receiver = function.child_by_field_name("object") if function.type == "member_expression" else None
        if method is not None and receiver is not None:
            self._function_facts(call, name, method, receiver)
            route_path: str | None = None
            inner = unwrap(receiver)
            if method in catalog.HTTP_METHODS and inner.type == "call_expression" \
                    and self.model.method_name(inner) == "route":
                # router.route('/x').get(...).post(...)
                base = inner
                while True:
                    callee = unwrap(base.child_by_field_name("function") or base)
                    obj = callee.child_by_field_name("object")
                    if obj is None:
                        break
                    obj = unwrap(obj)
                    if obj.type == "call_expression" and self.model.method_name(obj) in catalog.HTTP_METHODS:
                        base = obj
                        continue
                    break
                args = self.model.arguments(base) if self.model.method_name(base) == "route" else []
                route_path = self.model.string_value(args[0]) if args else None
                callee = unwrap(base.child_by_field_name("function") or base)
                receiver = callee.child_by_field_name("object") or receiver
                target = self.target(receiver)
                if target is not None:
                    self._route(call, target, method, self.model.arguments(call), route_path or "?")
                return
            if hapi.auth_default(self, call, method, receiver):
                return
            target = self.target(receiver)
            if target is None:
                return
            self._app_method(call, target, method)
            return
        if function.type == "identifier" and catalog.AUDIT_NAME.search(self.model.text(function)):
            self._attribute(call, "audit", call.start_point[0] + 1)
        if function.type == "identifier" or function.type == "call_expression":
            self._passes_app(call)

    def _app_method(self, call: Node, target: str, method: str) -> None:
        args = self.model.arguments(call)
        if method == "use" and args:
            self._use(call, target, args)
        elif method == "register" and args:  # fastify plugins, hapi plugins
            self._register(call, target, args)
        elif method == "addHook" and args:
            fastify.add_hook(self, call, target, args)
        elif method == "decorate" and args:
            fastify.decorate(self, call, args)
        elif method in catalog.HTTP_METHODS and len(args) >= 2:
            path = self.model.string_value(args[0])
            if path is None and unwrap(args[0]).type not in ("array", "regex", "template_string"):
                return
            self._route(call, target, method, args[1:], path if path is not None else "?")
        elif method == "route" and args and self._object(args[0]) is not None:
            self._route_object(call, target, args[0])
        elif method == "route" and args and unwrap(args[0]).type == "array":  # hapi: server.route([{...}, ...])
            for spec in unwrap(args[0]).named_children:
                if self._object(spec) is not None:
                    self._route_object(call, target, spec, at=spec)
        elif method == "listen":
            self.settings.append({"target": target, "setting": "listen", "loc": self.loc(call),
                                  "snippet": self.snippet(call)})
        elif method in ("disable", "set", "enable") and args:
            setting = self.model.string_value(args[0])
            if setting is not None and setting.lower() == "trust proxy" and method != "disable":
                on = method == "enable" or (len(args) > 1 and self.model.text(unwrap(args[1])) not in ("false", "0"))
                self.settings.append({"target": target, "setting": "trust proxy", "on": on, "loc": self.loc(call)})
            if setting is not None and setting.lower() == "x-powered-by":
                on = method == "enable" or (method == "set" and len(args) > 1
                                            and self.model.text(unwrap(args[1])) not in ("false", "0"))
                self.settings.append({"target": target, "setting": "x-powered-by", "on": on, "loc": self.loc(call)})
        elif method in ("useGlobalGuards", "enableCors") :
            kind = "auth" if method == "useGlobalGuards" else "cors"
            self.uses.append({"target": target, "mount": None, "loc": self.loc(call),
                              "middleware": [{"kind": kind, "module": f"nestjs.{method}", "loc": self.loc(call),
                                              "text": self.text(call)}]})

    def _use(self, call: Node, target: str, args: list[Node]) -> None:
        mount: str | None = None
        first = unwrap(args[0])
        if first.type in ("string", "template_string", "array", "regex") or (
                first.type == "identifier" and self.model.string_value(first) is not None):
            mount = self.model.string_value(first) or "?"
            args = args[1:]
        middleware = [m for arg in self._flatten(args) if (m := self.middleware(arg)) is not None]
        if middleware:
            self.uses.append({"target": target, "mount": mount, "loc": self.loc(call), "middleware": middleware})

    def _register(self, call: Node, target: str, args: list[Node]) -> None:
        plugin = unwrap(args[0])
        entries = [plugin]
        if plugin.type == "array":
            entries = [unwrap(c) for c in plugin.named_children]
        prefix: str | None = None
        if len(args) > 1:
            value = self._option(args[1], "prefix")
            prefix = value if isinstance(value, str) else None
        middleware = []
        for entry in entries:
            inner = entry
            if self._object(entry) is not None:  # hapi: { plugin: require('x'), options }
                found = self._property_node(entry, "plugin")
                if found is None:
                    continue
                inner = unwrap(found)
            wrapped = fastify.plugin_wrapped(self, inner)
            info = self.middleware(wrapped if wrapped is not None else inner, registered=True,
                                   options_node=args[1] if len(args) > 1 else None)
            if info is not None:
                middleware.append({**info, "shared": True} if wrapped is not None else info)
        if middleware:
            self.uses.append({"target": target, "mount": prefix, "loc": self.loc(call), "middleware": middleware,
                              "plugin": True})

    def _property_node(self, node: Node, key: str) -> Node | None:
        obj = self._object(node)
        if obj is None:
            return None
        for child in obj.named_children:
            if child.type == "pair":
                name = child.child_by_field_name("key")
                if name is not None and self.model._property_key(name) == key:
                    return child.child_by_field_name("value")
            elif child.type == "shorthand_property_identifier" and self.model.text(child) == key:
                return child
            elif child.type == "method_definition":
                name = child.child_by_field_name("name")
                if name is not None and self.model.text(name) == key:
                    return child
        return None

    def _flatten(self, args: list[Node]) -> list[Node]:
        result: list[Node] = []
        for arg in args:
            inner = unwrap(arg)
            if inner.type == "array":
                result.extend(self._flatten([c for c in inner.named_children if c.type != "comment"]))
            elif inner.type == "identifier":
                _, value = self._stable_value(inner)
                if value is not None and value.type == "array":
                    result.extend(self._flatten([c for c in value.named_children if c.type != "comment"]))
                else:
                    result.append(inner)
            elif inner.type != "spread_element":
                result.append(inner)
        return result

    def _route(self, call: Node, target: str, method: str, handlers: list[Node], path: str) -> None:
        flat = self._flatten(handlers)
        if not flat:
            return
        *middleware_nodes, handler_node = flat
        middleware: list[dict[str, Any]] = []
        validated: list[str] = []
        for node in middleware_nodes:
            if self._object(node) is not None:  # fastify.post(path, { onRequest, schema, config }, handler)
                hooks, validated = fastify.route_options(self, node)
                middleware.extend(hooks)
            elif (info := self.middleware(node)) is not None:
                middleware.append(info)
        checks = [c for c in self.password_checks_in(call)]
        self.routes.append({
            "target": target, "method": method.lower(), "path": path, "loc": self.loc(call),
            "snippet": self.snippet(call), "middleware": middleware, "handler": self.handler(handler_node),
            "inline_checks": checks, "validated": validated,
        })

    def _route_object(self, call: Node, target: str, spec: Node, at: Node | None = None) -> None:
        method_node = self._property_node(spec, "method")
        path_node = self._property_node(spec, "url") or self._property_node(spec, "path")
        handler_node = self._property_node(spec, "handler")
        options = self._property_node(spec, "options") or self._property_node(spec, "config")
        if handler_node is None and options is not None:
            handler_node = self._property_node(options, "handler")
        if method_node is None or handler_node is None:
            return
        methods_value = self.model.evaluate(method_node)
        methods = methods_value.value if methods_value is not None else "?"
        method_list = methods if isinstance(methods, list) else [methods]
        path = self.model.string_value(path_node) if path_node is not None else None
        middleware, validated = fastify.route_options(self, spec)
        if options is not None:
            auth = self._property_node(options, "auth")
            if auth is not None:
                value = self.model.evaluate(auth)
                off = value is not None and value.value is False
                middleware.append({"kind": "auth-off" if off else "auth", "module": "hapi.auth",
                                   "loc": self.loc(auth), "text": self.text(auth)})
        for method in method_list:
            self.routes.append({
                "target": target, "method": str(method).lower() if isinstance(method, str) else "all",
                "path": path or "?", "loc": self.loc(at or call), "snippet": self.snippet(at or call),
                "middleware": middleware, "handler": self.handler(handler_node),
                "inline_checks": self.password_checks_in(call), "validated": validated,
            })

    def _passes_app(self, call: Node) -> None:
        """`require('./routes')(app)`, `registerRoutes(app)`: routes on a parameter join this app."""
        args = self.model.arguments(call)
        targets = [self.target(arg) for arg in args]
        if not any(t is not None and not t.startswith("import:") for t in targets):
            return
        function = unwrap(call.child_by_field_name("function") or call)
        callee = self.handler(function)
        if callee is None:
            return
        self.calls.append({"callee": callee, "args": targets, "loc": self.loc(call)})

    # ----- middleware and handlers ------------------------------------------------------------

    def handler(self, node: Node) -> dict[str, Any] | None:
        """A function of this file ({"function": key}) or one imported from a project module."""
        node = unwrap(node)
        if node.type in FUNCTION_TYPES:
            self._function(node)
            return {"function": self.analysis.function_key(node), "name": ""}
        if node.type == "call_expression":
            # require('./routes') used directly, or handler.bind(x)
            qualified = self.model.qualified_name(node)
            if qualified is not None and qualified.startswith("."):
                module, _, export = self.analysis.split_relative(qualified)
                return {"module": module, "export": export or "default", "name": module}
            if self.model.method_name(node) == "bind":
                callee = unwrap(node.child_by_field_name("function") or node)
                obj = callee.child_by_field_name("object")
                return self.handler(obj) if obj is not None else None
            # makeLimiter({ max: 5 }): a project factory; what it returns is nested in it, and so are its facts
            callee = unwrap(node.child_by_field_name("function") or node)
            if callee.type in ("identifier", "member_expression"):
                made_by = self.handler(callee)
                if made_by is not None and ("module" in made_by or "function" in made_by):
                    return made_by
            return None
        if node.type in ("identifier", "member_expression"):
            qualified = self.model.qualified_name(node)
            name = self.model.text(node)
            if qualified is not None and qualified.startswith("."):
                module, _, export = self.analysis.split_relative(qualified)
                return {"module": module, "export": export or "default", "name": name}
            if node.type == "identifier":
                binding, value = self._stable_value(node)
                if value is not None and value.type in FUNCTION_TYPES:
                    self._function(value)
                    return {"function": self.analysis.function_key(value), "name": name}
                if binding is not None and binding.kind == "function" and binding.value is not None:
                    self._function(binding.value)
                    return {"function": self.analysis.function_key(binding.value), "name": name}
                if value is not None and value.type == "call_expression":  # const limiter = makeLimiter(...)
                    made = self.handler(value)
                    if made is not None:
                        return {**made, "name": name}
            return {"name": name}
        return None

    def _router_passed_through(self, call: Node) -> str | None:
        """`app.use("/api", routes(router))`: a project function that registers routes on the router it is given
        (and returns it) mounts that router."""
        callee = unwrap(call.child_by_field_name("function") or call)
        if callee.type not in ("identifier", "member_expression", "call_expression"):
            return None
        made_by = self.handler(callee)
        # A library's middleware factory given the app (koa-session's `session(app)`) mounts nothing.
        if made_by is None or not ("module" in made_by or "function" in made_by):
            return None
        for arg in self.model.arguments(call):
            target = self.target(arg)
            if target is not None and (target in self.app_keys or target.startswith("param:")):
                return target
        return None

    def middleware(self, node: Node, *, registered: bool = False,
                   options_node: Node | None = None) -> dict[str, Any] | None:
        """What one middleware argument is: {"kind", "module", "loc", "text", ...}."""
        node = unwrap(node)
        info: dict[str, Any] = {"kind": "other", "module": "", "loc": self.loc(node), "text": self.text(node),
                                "snippet": self.snippet(node)}
        target = self.target(node) if node.type != "call_expression" or self.key(node) in self.app_keys else None
        if node.type == "call_expression" and self.model.method_name(node) in ("routes", "middleware"):
            callee = unwrap(node.child_by_field_name("function") or node)
            obj = callee.child_by_field_name("object")
            target = self.target(obj) if obj is not None else None
        if target is None and node.type == "call_expression" and self.key(node) not in self.app_keys:
            target = self._router_passed_through(node)
        if target is not None and target.startswith("import:"):
            # a router exported by another module, or a middleware function: the joiner decides
            ref = self.handler(node)
            name = self.model.text(node).split(".")[-1]
            info.update(kind="import", target=target, ref=ref,
                        auth_name=bool(catalog.AUTH_MIDDLEWARE_NAME.search(name)),
                        admin=bool(catalog.ADMIN_MIDDLEWARE_NAME.search(name)))
            return info
        if target is not None:
            info.update(kind="router", target=target)
            return info
        decorator = fastify.decorated(self, node)
        if decorator is not None:
            info.update(decorator)
            return info
        kind, module, call = self._classify(node)
        if kind is None:
            handler = self.handler(node)
            if handler is None:
                return info
            name = handler.get("name", "") or ""
            if "module" in handler and registered:
                info.update(kind="plugin", ref=handler)
                return info
            info.update(ref=handler)
            if catalog.AUTH_MIDDLEWARE_NAME.search(name.split(".")[-1] or "x"):
                info["kind"] = "auth"
                info["admin"] = bool(catalog.ADMIN_MIDDLEWARE_NAME.search(name))
            else:
                info["kind"] = "function"
            return info
        info.update(kind=kind, module=module)
        if registered:
            info.update(fastify.registered_options(self, module, options_node))
        options = options_node if registered else (self.model.arguments(call)[0]
                                                   if call is not None and self.model.arguments(call) else None)
        if call is not None and kind == "auth" and module == "passport.authenticate":
            args = self.model.arguments(call)
            strategy = self.model.evaluate(args[0]) if args else None
            info["strategy"] = strategy.value if strategy is not None and isinstance(strategy.value, str) else ""
        if kind == "auth" and call is not None and self.model.arguments(call):
            first = self.model.string_value(self.model.arguments(call)[0]) or ""
            info["admin"] = bool(catalog.ADMIN_MIDDLEWARE_NAME.search(first))
        if kind == "body-parser":
            limit = self._option(options, "limit") if options is not None else None
            if limit is None and options is not None:
                limit = self._option(options, "jsonLimit")
            info["limit"] = limit
            info["parser"] = module.split(".")[-1]
        elif kind == "helmet" and options is not None:
            info["off"] = [key for key in catalog.HELMET_PROTECTIONS if self._option(options, key) is False]
            if self._option(options, "hidePoweredBy") is False or self._option(options, "xPoweredBy") is False:
                info["powered_by"] = True
        elif kind == "lusca" and options is not None:
            enabled = [key for key in ("csrf", "xframe", "hsts", "csp", "nosniff")
                       if self._option(options, key) not in (None, False)]
            info["lusca"] = enabled
        elif kind == "session" and options is not None:
            info["session"] = self._session_options(options)
        return info

    def _session_options(self, options: Node) -> dict[str, Any]:
        cookie = self._property_node(options, "cookie")
        source = cookie if cookie is not None and self._object(cookie) is not None else options
        result: dict[str, Any] = {}
        for key in ("secure", "httpOnly", "sameSite"):
            value = self._option(source, key)
            if value is not None:
                result[key] = value if not isinstance(value, str) else value.lower()
        return result

    def _classify(self, node: Node) -> tuple[str | None, str, Node | None]:
        """(kind, module, the factory call) of a middleware expression, following const bindings."""
        for _ in range(6):
            node = unwrap(node)
            if node.type == "identifier":
                binding, value = self._stable_value(node)
                if binding is not None and binding.path and value is not None and value.type == "call_expression":
                    factory = self.model.call_name(value) or ""
                    step = binding.path[0] if len(binding.path) == 1 else None
                    kind = catalog.HOLDERS.get((factory, str(step)))
                    return (kind, factory, value) if kind else (None, "", None)
                if value is None or binding is None or binding.path:
                    qualified = self.model.qualified_name(node)
                    if qualified in catalog.MIDDLEWARE:  # fastify.register(helmet): the plugin itself
                        return catalog.MIDDLEWARE[qualified], qualified, None
                    return None, "", None
                if value.type in FUNCTION_TYPES:
                    return None, "", None
                node = value
                continue
            if node.type == "member_expression":
                obj = node.child_by_field_name("object")
                prop = self.model.member_property(node) or ""
                if obj is not None:
                    _, holder = self._stable_value(obj)
                    if holder is not None and holder.type in ("call_expression", "new_expression"):
                        factory = self.model.call_name(holder) or ""
                        kind = catalog.HOLDERS.get((factory, prop))
                        if kind:
                            return kind, factory, holder
                        if prop in catalog.MIDDLEWARE_MODIFIERS and factory in catalog.MIDDLEWARE:
                            return catalog.MIDDLEWARE[factory], factory, holder  # jwt({ secret }).unless(...)
                qualified = self.model.qualified_name(node)
                if qualified in catalog.MIDDLEWARE:
                    return catalog.MIDDLEWARE[qualified], qualified, None
                return None, "", None
            if node.type in ("call_expression", "new_expression"):
                name = self.model.call_name(node) or ""
                if name in catalog.MIDDLEWARE:
                    return catalog.MIDDLEWARE[name], name, node
                if name == "require":
                    loaded = self.model.qualified_name(node)
                    if loaded in catalog.MIDDLEWARE:  # fastify.register(require("@fastify/helmet"))
                        return catalog.MIDDLEWARE[loaded], loaded, None
                    return None, "", None
                qualified = self.model.qualified_name(node)  # require('helmet') registered as a plugin
                if qualified in catalog.MIDDLEWARE:
                    return catalog.MIDDLEWARE[qualified], qualified, None
                # a holder's middleware returned by a method: brute.getMiddleware({...})
                callee = unwrap(node.child_by_field_name("function") or node)
                if callee.type == "member_expression":
                    kind, module, _ = self._classify(callee)
                    if kind:
                        return kind, module, node
                return None, "", None
            return None, "", None
        return None, "", None

    # ----- facts of handlers and middleware ---------------------------------------------------

    def _module_call(self, call: Node, name: str) -> None:
        if name == "require":
            loaded = self.model.qualified_name(call)
            if loaded is not None:
                self._module(loaded, call)
            return
        if name in catalog.FASTIFY_PLUGIN_WRAPPERS:
            wrapped = fastify.plugin_wrapped(self, call)
            ref = self.handler(wrapped) if wrapped is not None else None
            if ref is not None and "function" in ref:
                self.shared_plugins.append(ref["function"])
        if name in catalog.PASSWORD_VERIFY:
            self._attribute(call, "verify", [call.start_point[0] + 1, name])
        if name in catalog.PASSWORD_HASH:
            self._attribute(call, "hash", [call.start_point[0] + 1, name])
        if name in ("jsonwebtoken.verify", "jose.jwtVerify", "passport.authenticate"):
            self._attribute(call, "auth", [call.start_point[0] + 1, name])
        if name.startswith(catalog.LIMITER_CALLS):
            self._attribute(call, "limiter", [call.start_point[0] + 1, name])
        module = name.split(".")[0] if not name.startswith("@") else "/".join(name.split("/")[:2]).split(".")[0]
        if module in catalog.LOGGING_MODULES or module in catalog.MFA_MODULES:
            self.modules.setdefault(module, self.loc(call))
        if name.startswith("console."):
            self._attribute(call, "console", call.start_point[0] + 1)
        elif module in catalog.LOGGING_MODULES and module != "debug":
            self._attribute(call, "logs", call.start_point[0] + 1)
        for practice, names in catalog.PRACTICE_CALLS.items():
            if name in names:
                self.practice_calls.append({"practice": practice, "call": name, "loc": self.loc(call)})
        if name in catalog.CLASS_VALIDATOR_LENGTH:
            self._class_validator(call, name)

    def _function_facts(self, call: Node, name: str | None, method: str, receiver: Node) -> None:
        line = call.start_point[0] + 1
        receiver_text = self.model.text(unwrap(receiver))
        last = receiver_text.split(".")[-1].split("(")[0]
        if method in catalog.LOG_METHODS and last != "console" and (
                catalog.LOGGER_NAME.search(last) or receiver_text.endswith(".log")):
            self._attribute(call, "logs", line)
        mentions_audit = method in catalog.LOG_METHODS and any(
            catalog.AUDIT_NAME.search(self.model.text(a)) for a in self.model.arguments(call)[:2])
        if catalog.AUDIT_NAME.search(receiver_text) or catalog.AUDIT_NAME.search(method) or mentions_audit:
            self._attribute(call, "audit", line)
        if method in catalog.LIMITER_METHODS and name is None and self._enclosing_functions(call):
            _, value = self._stable_value(unwrap(receiver))
            if value is not None and value.type in ("new_expression", "call_expression") and \
                    (self.model.call_name(value) or "").startswith(catalog.LIMITER_CALLS):
                self._attribute(call, "limiter", [line, self.model.call_name(value)])
        if method in ("status", "sendStatus", "throw", "code") and self._enclosing_functions(call):
            args = self.model.arguments(call)
            code = self.model.evaluate(args[0]) if args else None
            if code is not None and code.value in (401, 403, 429):
                self._attribute(call, "failures", line)
            if code is not None and code.value in (401, 403):
                self._attribute(call, "denials", line)
            if code is not None and code.value == 429:  # "Too Many Requests": a limiter written by hand
                self._attribute(call, "limiter", [line, "429 Too Many Requests"])
        if method in ("setHeader", "header", "set") and self._enclosing_functions(call):
            args = self.model.arguments(call)
            header = self.model.string_value(args[0]) if args else None
            if header is not None and header.lower() in catalog.SECURITY_HEADERS:
                self._attribute(call, "headers", [line, header])
            if header is not None and header.lower() == "x-powered-by" and method == "setHeader":
                pass
        if method == "removeHeader":
            args = self.model.arguments(call)
            header = self.model.string_value(args[0]) if args else None
            if header is not None and header.lower() == "x-powered-by":
                self._attribute(call, "headers", [line, "remove X-Powered-By"])
        if method in catalog.LENGTH_METHODS:
            self._validator_chain(call, method)
        if method in ("cookie", "setHeader", "header", "set", "append") and self._enclosing_functions(call):
            cookie = self._auth_cookie(call, method)
            if cookie is not None:
                self._attribute(call, "auth_cookie", cookie)
        if method in catalog.AUTH_METHODS and self._enclosing_functions(call):
            self._attribute(call, "auth", [line, method])
        if method in catalog.SESSION_RENEWAL_METHODS and self._enclosing_functions(call) and \
                catalog.SESSION_OWNER.search(receiver_text):
            self._attribute(call, "session_renewal", [line, f"{receiver_text}.{method}"])

    def _auth_cookie(self, call: Node, method: str) -> dict[str, Any] | None:
        """`res.cookie("token", jwt, options)` or `Set-Cookie: auth_token=...` with a value that is not constant:
        the cookie that signs the user in, with its SameSite attribute when set."""
        args = self.model.arguments(call)
        if method == "cookie":
            if len(args) < 2 or self.model.is_constant(args[1]):
                return None
            name = self.model.string_value(args[0])
            options = self.model.text(args[2]) if len(args) > 2 else ""
        else:
            header = self.model.string_value(args[0]) if args else None
            if header is None or header.lower() != "set-cookie" or len(args) < 2 or self.model.is_constant(args[1]):
                return None
            text = self.model.text(args[1])
            name = text.strip("`'\"").split("=", 1)[0] if "=" in text else None
            options = text
        if name is None or not catalog.AUTH_COOKIE_NAME.search(name):
            return None
        same_site = re.search(r"same_?site\W+(\w+)", options, re.IGNORECASE)
        return {"loc": self.loc(call), "name": name, "same_site": same_site.group(1).lower() if same_site else ""}

    def _proxy_setting(self, target: Node, value: Node) -> None:
        """Koa's `app.proxy = true`: the app trusts X-Forwarded-* headers, so a proxy (TLS) stands in front."""
        if target.type != "member_expression" or self.model.member_property(target) != "proxy":
            return
        owner = target.child_by_field_name("object")
        app = self.target(owner) if owner is not None else None
        if app is not None and self.model.text(unwrap(value)) not in ("false", "0"):
            self.settings.append({"target": app, "setting": "trust proxy", "on": True, "loc": self.loc(target)})

    def _session_write(self, target: Node) -> None:
        """`req.session.userId = user.id`: the session now stands for a signed-in user."""
        match = catalog.SESSION_IDENTITY_WRITE.match(self.model.text(target))
        if match is not None and self._enclosing_functions(target):
            self._attribute(target, "session_login", {"loc": self.loc(target), "snippet": self.snippet(target),
                                                      "field": match.group(1)})

    # ----- password checks --------------------------------------------------------------------

    def _record_check(self, node: Node, minimum: int, how: str) -> None:
        check = {"line": node.start_point[0] + 1, "min": minimum, "how": how, "byte": node.start_byte,
                 "loc": self.loc(node), "snippet": self.snippet(node)}
        functions = self._enclosing_functions(node)
        if functions:
            self._attribute(node, "password_checks", {k: v for k, v in check.items() if k != "byte"})
        self.password_checks.append({**check, "module_level": not functions})

    def password_checks_in(self, call: Node) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k != "byte"} for c in self.password_checks
                if call.start_byte <= c["byte"] < call.end_byte]

    def _length_check(self, binary: Node) -> None:
        operator = binary.child_by_field_name("operator")
        left, right = binary.child_by_field_name("left"), binary.child_by_field_name("right")
        if operator is None or left is None or right is None:
            return
        op = self.model.text(operator)
        if op not in ("<", "<=", ">", ">="):
            return
        for side, other, flipped in ((left, right, False), (right, left, True)):
            side = unwrap(side)
            if side.type != "member_expression" or self.model.member_property(side) != "length":
                continue
            obj = side.child_by_field_name("object")
            if obj is None or not catalog.PASSWORD_NAME.search(self.model.text(obj)):
                continue
            value = self.model.evaluate(other)
            if value is None or not _finite(value.value):
                continue
            number = int(value.value)
            effective = op if not flipped else {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            # `password.length < 8` rejects short ones (minimum 8); `>= 8` accepts from 8; `> 7` from 8.
            minimum = {"<": number, ">=": number, "<=": number + 1, ">": number + 1}[effective]
            self._record_check(binary, minimum, "length comparison")
            return

    def _validator_chain(self, call: Node, method: str) -> None:
        args = self.model.arguments(call)
        minimum: int | None = None
        if method == "isStrongPassword":
            value = self._option(args[0], "minLength") if args else None
            minimum = int(value) if _finite(value) else 8
        elif method == "isLength":
            value = self._option(args[0], "min") if args else None
            minimum = int(value) if _finite(value) else None
        elif args:
            value_node = self.model.evaluate(args[0])
            if value_node is not None and _finite(value_node.value):
                minimum = int(value_node.value)
        if minimum is None or not self._is_password_chain(call):
            return
        self._record_check(call, minimum, f".{method}()")

    def _is_password_chain(self, call: Node) -> bool:
        # schema object: { password: Joi.string().min(8) } — the pair around the chain
        current: Node | None = call
        for _ in range(8):
            if current is None:
                break
            parent: Node | None = current.parent
            if parent is not None and parent.type == "pair":
                key = parent.child_by_field_name("key")
                return key is not None and bool(catalog.PASSWORD_NAME.search(self.model.text(key)))
            if parent is None or parent.type not in ("member_expression", "call_expression", "arguments",
                                                     "parenthesized_expression"):
                break
            current = parent
        # validator chain rooted at body('password') / check('password')
        node: Node = call
        for _ in range(12):
            function = unwrap(node.child_by_field_name("function") or node)
            if function.type == "member_expression":
                obj = function.child_by_field_name("object")
                if obj is None:
                    return False
                node = unwrap(obj)
                if node.type != "call_expression":
                    return bool(catalog.PASSWORD_NAME.search(self.model.text(node)))
                continue
            args = self.model.arguments(node)
            field_name = self.model.string_value(args[0]) if args else None
            return field_name is not None and bool(catalog.PASSWORD_NAME.search(field_name))
        return False

    def _class_validator(self, call: Node, name: str) -> None:
        parent = call.parent
        while parent is not None and parent.type == "decorator":
            parent = parent.parent
        if parent is None:
            return
        field_name = parent.child_by_field_name("name") or parent.child_by_field_name("property")
        if field_name is None or not catalog.PASSWORD_NAME.search(self.model.text(field_name)):
            return
        args = self.model.arguments(call)
        if name.endswith("IsStrongPassword"):
            value = self._option(args[0], "minLength") if args else None
            minimum = int(value) if _finite(value) else 8
        else:
            constant = self.model.evaluate(args[0]) if args else None
            if constant is None or not _finite(constant.value):
                return
            minimum = int(constant.value)
        self._record_check(call, minimum, f"@{name.split('.')[-1]}")

    # ----- modules and exports ----------------------------------------------------------------

    def _module(self, spec: str, node: Node) -> None:
        module = spec[5:] if spec.startswith("node:") else spec
        if module in catalog.LOGGING_MODULES or module in catalog.MFA_MODULES:
            self.modules.setdefault(module, self.loc(node))

    def _export_assignment(self, target: Node, value: Node) -> None:
        text = self.model.text(target)
        name: str | None = None
        if text in ("module.exports", "exports"):
            name = "default"
            obj = self._object(value)
            if obj is not None:
                for child in obj.named_children:
                    if child.type == "pair":
                        key, inner = child.child_by_field_name("key"), child.child_by_field_name("value")
                        if key is not None and inner is not None:
                            self._export_target(self.model.text(key).strip("'\""), inner)
                    elif child.type == "shorthand_property_identifier":
                        self._export_target(self.model.text(child), child)
        elif text.startswith(("module.exports.", "exports.")) and text.count(".") == (2 if text[0] == "m" else 1):
            name = text.split(".")[-1]
        if name is not None:
            self._export_target(name, value)

    def _export_target(self, name: str, value: Node) -> None:
        node = unwrap(value)
        if node.type == "shorthand_property_identifier":
            binding = self.model.resolve(node)
            if binding is None or binding.value is None:
                return
            node = unwrap(binding.value)
        target = self.target(node)
        if target is not None and not target.startswith("param:"):
            self.exports[name] = target
        wrapped = fastify.plugin_wrapped(self, node)  # module.exports = fp(async function (fastify) {...})
        ref = self.handler(wrapped) if wrapped is not None else None
        if ref is not None and "function" in ref:
            self.plugin_exports[name] = ref["function"]

    def _export_statement(self, statement: Node) -> None:
        declaration = statement.child_by_field_name("declaration")
        value = statement.child_by_field_name("value")
        if declaration is not None and declaration.type in ("lexical_declaration", "variable_declaration"):
            for declarator in declaration.named_children:
                name, init = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is not None and init is not None:
                    self._export_target(self.model.text(name), init)
        elif value is not None:
            self._export_target("default", value)
        else:
            clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
            if clause is None or statement.child_by_field_name("source") is not None:
                return
            for specifier in clause.named_children:
                name = specifier.child_by_field_name("name")
                alias = specifier.child_by_field_name("alias") or name
                if name is not None and alias is not None:
                    self._export_target(self.model.text(alias), name)


def _finite(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_unknown(value: Any) -> bool:
    return type(value).__name__ == "Unknown"
