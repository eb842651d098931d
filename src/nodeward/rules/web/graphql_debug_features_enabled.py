"""## What it finds
GraphQL servers configured to serve their development features in every environment: schema
introspection (`introspection: true`), the in-browser IDE (`playground: true`, `graphiql: true`), and error
details (`debug: true`), in Apollo Server, express-graphql, graphql-yoga and mercurius options; and query
batching (`allowBatchedHttpRequests: true` in Apollo Server, `allowBatchedQueries: true` in mercurius,
`batching: true` in graphql-yoga). Values that depend on the environment (`introspection:
process.env.NODE_ENV !== "production"`) are not reported.

## Why it matters
Introspection and the IDE hand anyone the whole schema: every query and mutation, including the
administrative and forgotten ones, ready to call; debug mode adds stack traces to errors (information
exposure, CWE-200, CWE-215). Batching runs many operations in one HTTP request, so a rate limit counted per
request lets a client try thousands of passwords or coupon codes at once (CWE-307, CWE-770).

## How to fix
Leave these options to their production defaults, or tie them to the environment
(`introspection: process.env.NODE_ENV !== "production"`); when batching is needed, limit the operations per
request and count each one against the rate limit.

## Bad
```js
const { ApolloServer } = require("apollo-server-express");
const server = new ApolloServer({ schema, introspection: true, playground: true });
```

## Good
```js
const { ApolloServer } = require("apollo-server-express");
const development = process.env.NODE_ENV !== "production";
const server = new ApolloServer({ schema, introspection: development, playground: development });
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import constant_value, object_entries

APOLLO_MODULES = ("apollo-server", "apollo-server-express", "apollo-server-koa", "apollo-server-fastify",
                  "apollo-server-hapi", "apollo-server-lambda", "apollo-server-micro", "@apollo/server")
# Server factories, by qualified name, and the position of their options argument.
SERVERS = {
    **{f"{module}.ApolloServer": 0 for module in APOLLO_MODULES},
    "express-graphql.graphqlHTTP": 0, "express-graphql": 0, "graphql-yoga.createYoga": 0,
    "graphql-yoga.createServer": 0, "@graphql-yoga/node.createServer": 0, "koa-graphql": 0,
}
# Options that serve development features: what each one exposes.
EXPOSING_OPTIONS = {
    "introspection": "schema introspection", "playground": "the GraphQL Playground IDE",
    "graphiql": "the GraphiQL IDE", "debug": "stack traces in errors",
}
BATCHING_OPTIONS = frozenset({"allowBatchedHttpRequests", "allowBatchedQueries", "batching"})


class GraphqlDebugFeaturesEnabled(Rule):
    id = "NW323"
    name = "graphql-debug-features-enabled"
    title = "GraphQL server serves introspection, an IDE, debug errors or batching in every environment"
    cwe = (200, 215, 307)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Tie introspection, the IDE and debug to a non-production environment; limit or disable batching."
    visits = ("call_expression", "new_expression")
    call_names = last_names(SERVERS, ["register"])
    requires_text = (b"graphql", b"apollo", b"Apollo", b"mercurius", b"yoga")

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        args = ctx.arguments(node)
        name = ctx.call_name(node)
        if name in SERVERS and len(args) > SERVERS[name]:
            options = args[SERVERS[name]]
        elif ctx.method_name(node) == "register" and len(args) >= 2 and ctx.qualified_name(args[0]) == "mercurius":
            options = args[1]
        else:
            return
        found = object_entries(ctx, options)
        if found is None:
            return
        exposed = [(key, value) for key, value in found[0].items()
                   if key in EXPOSING_OPTIONS and constant_value(ctx, value) is True]
        if exposed:
            what = ", ".join(EXPOSING_OPTIONS[key] for key, _ in exposed)
            yield ctx.report(_pair_of(exposed[0][1]), f"the GraphQL server turns on {what} in every environment "
                             "(`" + "`, `".join(f"{key}: true" for key, _ in exposed) + "`): anyone can read the "
                             "whole schema and call what it lists; tie them to development")
        for key, value in found[0].items():
            if key in BATCHING_OPTIONS and constant_value(ctx, value) is True:
                yield ctx.report(_pair_of(value), f"`{key}: true` runs many operations in one HTTP request: a rate "
                                 "limit counted per request lets a client try thousands of passwords or codes at once")


def _pair_of(value: Node) -> Node:
    return value.parent if value.parent is not None and value.parent.type == "pair" else value
