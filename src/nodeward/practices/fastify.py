"""Fastify's own mechanisms, read by the app-fact collector (per file, in the worker).

Fastify does not chain middleware as Express does. A route's controls come from:
- hooks: `fastify.addHook("onRequest" | "preHandler" | ..., fn)` for every route of the plugin that adds them
  (and its children), and the same hooks named in a route's options (`{ onRequest: [fastify.authenticate] }`);
- decorators: `fastify.decorate("authenticate", fn)` makes `fastify.authenticate` that function, used as a hook;
- plugins: `fastify.register(plugin, { prefix })` runs the plugin on a child instance: its hooks and routes stay
  inside it (encapsulation) unless the plugin is wrapped with `fastify-plugin`, which shares its parent's scope;
- plugin options: `@fastify/rate-limit` limits every route unless `global: false`, and then only the routes
  whose options say `config: { rateLimit }`; `@fastify/csrf-protection` checks nothing until its
  `fastify.csrfProtection` hook is added; `@fastify/jwt` and `@fastify/auth` decorate, they guard nothing alone;
- route schemas (`{ schema: { body, querystring, params } }`) validate the request before the handler.
The collector turns these into the same `uses` and route middleware records as Express middleware, so the joiner
and the app rules need no Fastify branch; the hook records carry `hook` so that the joiner applies them to every
route of their scope whatever the order (Fastify builds a route's hooks when its plugin has loaded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from nodeward.lang.js.model import unwrap
from nodeward.practices import catalog

if TYPE_CHECKING:
    from nodeward.practices.collect import AppFactCollector

# Hooks that run before the handler: a function there can refuse the request.
REQUEST_HOOKS = ("onRequest", "preParsing", "preValidation", "preHandler")
# Parts of a route schema that validate what the client sends.
SCHEMA_PARTS = ("body", "querystring", "query", "params", "headers")


def route_options(collector: AppFactCollector, options: Node) -> tuple[list[dict[str, Any]], list[str]]:
    """Middleware records for the hooks and limits a route's options name, and the request parts its schema
    validates: `{ onRequest: fastify.csrfProtection, config: { rateLimit: { max: 5 } }, schema: { body } }`."""
    middleware: list[dict[str, Any]] = []
    for hook in REQUEST_HOOKS:
        node = collector._property_node(options, hook)
        if node is not None:
            for entry in collector._flatten([node]):
                info = collector.middleware(entry)
                if info is not None:
                    middleware.append({**info, "hook": hook})
    config = collector._property_node(options, "config")
    limit = collector._property_node(config, "rateLimit") if config is not None else None
    if limit is None:
        limit = collector._property_node(options, "rateLimit")
    if limit is not None and collector.model.text(unwrap(limit)) != "false":
        middleware.append({"kind": "rate-limit", "module": "@fastify/rate-limit route config",
                           "loc": collector.loc(limit), "text": collector.text(limit),
                           "snippet": collector.snippet(limit)})
    schema = collector._property_node(options, "schema")
    validated = [part for part in SCHEMA_PARTS
                 if schema is not None and collector._property_node(schema, part) is not None]
    return middleware, validated


def add_hook(collector: AppFactCollector, call: Node, target: str, args: list[Node]) -> None:
    """`fastify.addHook("onRequest", fn)`: fn runs before every route of this instance."""
    hook = collector.model.string_value(args[0])
    if hook not in REQUEST_HOOKS or len(args) < 2:
        return
    info = collector.middleware(args[1])
    if info is not None:
        collector.uses.append({"target": target, "mount": None, "loc": collector.loc(call),
                               "middleware": [{**info, "hook": hook}]})


def decorate(collector: AppFactCollector, call: Node, args: list[Node]) -> None:
    """`fastify.decorate("authenticate", fn)`: `fastify.authenticate` used as a hook is that function."""
    name = collector.model.string_value(args[0]) if args else None
    if name is None or len(args) < 2:
        return
    ref = collector.handler(args[1])
    if ref is not None and ("function" in ref or "module" in ref):
        collector.decorators[name] = {"ref": ref, "loc": collector.loc(call)}


def decorated(collector: AppFactCollector, node: Node) -> dict[str, Any] | None:
    """`fastify.csrfProtection`, `fastify.authenticate`, `fastify.auth([...])`: a decorator used as a hook."""
    node = unwrap(node)
    member = node
    if node.type == "call_expression":
        member = unwrap(node.child_by_field_name("function") or node)
    if member.type != "member_expression":
        return None
    prop = collector.model.member_property(member) or ""
    obj = member.child_by_field_name("object")
    if obj is None or collector.target(obj) is None:
        return None
    info: dict[str, Any] = {"module": f"fastify.{prop}", "loc": collector.loc(node), "text": collector.text(node),
                            "snippet": collector.snippet(node), "decorator": prop}
    kind = catalog.FASTIFY_DECORATOR_KINDS.get(prop)
    if kind is not None:
        return {**info, "kind": kind}
    if node.type == "call_expression":
        return None
    # What the decorator is (maybe decorated in another file) is resolved by the joiner; the name may say.
    auth = bool(catalog.AUTH_MIDDLEWARE_NAME.search(prop))
    return {**info, "kind": "auth" if auth else "function",
            "admin": auth and bool(catalog.ADMIN_MIDDLEWARE_NAME.search(prop))}


def plugin_wrapped(collector: AppFactCollector, node: Node) -> Node | None:
    """The function inside `fp(plugin)` (fastify-plugin), which registers into its parent's scope."""
    node = unwrap(node)
    if node.type == "identifier":
        _, value = collector._stable_value(node)
        if value is None:
            return None
        node = value
    if node.type != "call_expression" or collector.model.call_name(node) not in catalog.FASTIFY_PLUGIN_WRAPPERS:
        return None
    args = collector.model.arguments(node)
    return unwrap(args[0]) if args else None


def registered_options(collector: AppFactCollector, module: str, options: Node | None) -> dict[str, Any]:
    """What the options of a registered plugin change: `@fastify/rate-limit` with `global: false` limits no
    route by itself."""
    if options is None:
        return {}
    if catalog.MIDDLEWARE.get(module) == "rate-limit" and collector._option(options, "global") is False:
        return {"kind": "rate-limit-setup"}
    return {}
