"""Hapi's own mechanisms, read by the app-fact collector (per file, in the worker).

Hapi declares access control and headers as configuration rather than middleware:
- `server.auth.default("session")` makes a strategy required on every route, except routes whose options
  say `auth: false` (recorded by the collector as "auth-off");
- `Hapi.server({ routes: { security: true } })` (or an object of header options) adds HSTS, X-Frame-Options,
  X-Content-Type-Options and friends to every response; `routes: { cors }` does CORS.
The collector records them as middleware on the server, so the joiner and the app rules need no Hapi branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from nodeward.lang.js.model import unwrap

if TYPE_CHECKING:
    from nodeward.practices.collect import AppFactCollector


def auth_default(collector: AppFactCollector, call: Node, method: str, receiver: Node) -> bool:
    """`server.auth.default(strategy)`: authentication on every route of the server. True when handled."""
    receiver = unwrap(receiver)
    if method != "default" or receiver.type != "member_expression" or \
            collector.model.member_property(receiver) != "auth":
        return False
    owner = receiver.child_by_field_name("object")
    target = collector.target(owner) if owner is not None else None
    if target is None:
        return False
    collector.uses.append({"target": target, "mount": None, "loc": collector.loc(call), "middleware": [
        {"kind": "auth", "module": "hapi.auth.default", "loc": collector.loc(call), "text": collector.text(call),
         "snippet": collector.snippet(call)}]})
    return True


def server_options(collector: AppFactCollector, call: Node, key: str, args: list[Node]) -> None:
    """Route defaults given to `Hapi.server({ routes: { security, cors } })`."""
    routes = collector._property_node(args[0], "routes") if args else None
    if routes is None:
        return
    for option, kind in (("security", "helmet"), ("cors", "cors")):
        node = collector._property_node(routes, option)
        if node is None or collector.model.text(unwrap(node)) == "false":
            continue
        collector.uses.append({"target": key, "mount": None, "loc": collector.loc(node), "middleware": [
            {"kind": kind, "module": f"hapi routes.{option}", "loc": collector.loc(node),
             "text": collector.text(node), "snippet": collector.snippet(node)}]})
