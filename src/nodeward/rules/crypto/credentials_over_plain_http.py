"""## What it finds
Credentials sent over unencrypted connections: HTTP requests (`fetch`, `axios`, `got`, `request`,
`needle`, `superagent`, `undici`, `http.request`/`http.get`) and WebSocket connections (`ws`,
`WebSocket`) to an `http://` or `ws://` URL that carry an `Authorization`, `Cookie`, `X-Api-Key` or
other token header, an `auth`/`username`/`password` option, a token, key, secret or password in the
query string, or a user name and password in the URL itself (`http://user:pass@host`). Local and
internal hosts are not reported: `localhost`, loopback and private addresses, single-label names
(`http://auth-service:8080`, as in Docker or Kubernetes), and `.local`, `.internal`, `.lan`, `.test`,
`.localhost`, `.example` names. URLs whose scheme or host is not known statically are not judged.

## Why it matters
Plain HTTP can be read and changed by anyone on the network path. A bearer token, API key or password
sent that way is exposed to every proxy, Wi-Fi and router in between, and can be replayed at will
(cleartext transmission of sensitive information, CWE-319; CWE-523).

## How to fix
Use `https://` and `wss://` for every request that carries credentials, and keep certificate checks
on; for internal services, use TLS or a private network.

## Bad
```js
const axios = require("axios");
const getOrders = () => axios.get("http://api.shop-partner.com/orders", {
  headers: { Authorization: `Bearer ${process.env.PARTNER_TOKEN}` },
});
```

## Good
```js
const axios = require("axios");
const getOrders = () => axios.get("https://api.shop-partner.com/orders", {
  headers: { Authorization: `Bearer ${process.env.PARTNER_TOKEN}` },
});
```
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.findings import Confidence, Finding, Severity
from nodeward.rules.base import Rule, last_names
from nodeward.rules.context import RuleContext
from nodeward.rules.web.knowledge import object_entries, split_words

# Clients: qualified name -> (position of the URL, position of the options); -1 when absent. An options
# object in the URL's place (request({ url, headers })) is read too.
CLIENTS: dict[str, tuple[int, int]] = {
    "fetch": (0, 1), "node-fetch": (0, 1), "undici.fetch": (0, 1), "undici.request": (0, 1), "ky": (0, 1),
    "axios": (0, 1), "axios.get": (0, 1), "axios.delete": (0, 1), "axios.head": (0, 1), "axios.options": (0, 1),
    "axios.post": (0, 2), "axios.put": (0, 2), "axios.patch": (0, 2), "axios.request": (0, 0),
    "axios.create": (-1, 0), "got": (0, 1), "got.get": (0, 1), "got.post": (0, 1), "got.put": (0, 1),
    "got.delete": (0, 1), "got.patch": (0, 1), "request": (0, 1), "request.get": (0, 1), "request.post": (0, 1),
    "request-promise": (0, 1), "request-promise-native": (0, 1), "needle": (1, 3), "needle.get": (0, 1),
    "needle.post": (0, 2), "http.request": (0, 1), "http.get": (0, 1), "ws": (0, 2), "WebSocket": (0, 2),
    "superagent.get": (0, -1), "superagent.post": (0, -1),
}
URL_OPTIONS = ("url", "uri", "baseURL", "baseUrl", "prefixUrl")
CREDENTIAL_HEADERS = re.compile(r"^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|"
                                r"x-access-token|x-token|x-.*-token|x-.*-key|private-token)$", re.IGNORECASE)
CREDENTIAL_OPTIONS = frozenset({"auth", "username", "password", "user", "pass", "bearer"})
QUERY_SECRETS = re.compile(r"[?&](access_token|token|api_?key|apikey|key|secret|client_secret|password|passwd|"
                           r"pwd|auth|sig|signature)=", re.IGNORECASE)
USERINFO = re.compile(r"^(?:http|ws)://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
LOCAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".test", ".example", ".home", ".corp", ".svc",
                  ".cluster.local", ".docker")
LOCAL_NAMES = frozenset({"localhost", "example.com", "example.org", "example.net", "host.docker.internal"})


class CredentialsOverPlainHttp(Rule):
    id = "NW212"
    name = "credentials-over-plain-http"
    title = "Credentials sent over plain HTTP or WebSocket"
    cwe = (319, 523)
    owasp = "A02"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Send requests that carry tokens, keys or passwords over https:// or wss:// only."
    visits = ("call_expression", "new_expression")
    call_names = last_names(CLIENTS)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        name = ctx.call_name(node)
        if name not in CLIENTS:
            return
        url_at, options_at = CLIENTS[name]
        args = ctx.arguments(node)
        options = [args[options_at]] if 0 <= options_at < len(args) else []
        if name in ("ws", "WebSocket"):
            options = args[1:3]  # new WebSocket(address[, protocols][, options])
        url_node = args[url_at] if 0 <= url_at < len(args) else None
        if url_node is not None and ctx.resolve_object(url_node) is not None:
            options.append(url_node)
            url_node = None
        option_entries = [found for found in (object_entries(ctx, o) for o in options) if found is not None]
        if url_node is None:
            for entries, _ in option_entries:
                for key in URL_OPTIONS:
                    if key in entries:
                        url_node = entries[key]
                        break
                host_node = entries.get("host") or entries.get("hostname")
                if url_node is None and name in ("http.request", "http.get") and host_node is not None:
                    host = ctx.string_value(host_node)
                    if host is not None:
                        yield from self._judge(node, f"http://{host}/", option_entries, ctx)
                    return
        if url_node is None:
            return
        prefix = url_prefix(ctx, url_node)
        if prefix is None:
            return
        yield from self._judge(node, prefix, option_entries, ctx)

    def _judge(self, node: Node, prefix: str, options: list[tuple[dict[str, Node], bool]],
               ctx: RuleContext) -> Iterator[Finding]:
        match = re.match(r"^(http|ws)://([^/?#]*)", prefix, re.IGNORECASE)
        if match is None:
            return
        authority = match.group(2)
        if not authority or "${" in authority:
            return  # the host is not known statically
        host = authority.rsplit("@", 1)[-1].split(":")[0].strip("[]").lower()
        if not host or is_local_host(host):
            return
        scheme = match.group(1).lower()
        carried = _credentials(prefix, options, ctx)
        if carried is None:
            return
        ctx.record_practice("tls", "missing", node, f"{carried} sent to {scheme}://{host}")
        yield ctx.report(node, f"{carried} sent to `{scheme}://{host}` without TLS: anyone on the network path can "
                         f"read and replay it; use {'https' if scheme == 'http' else 'wss'}://")


def _credentials(prefix: str, options: list[tuple[dict[str, Node], bool]], ctx: RuleContext) -> str | None:
    if USERINFO.match(prefix):
        return "a user name and password in the URL"
    query = QUERY_SECRETS.search(prefix)
    if query:
        return f"a credential in the query string (`{query.group(1)}`)"
    for entries, _ in options:
        for key in CREDENTIAL_OPTIONS:
            if key in entries and (key in ("auth", "bearer") or not ctx.is_constant(entries[key])):
                return f"the `{key}` option"
        headers = entries.get("headers")
        if headers is None:
            continue
        found = object_entries(ctx, headers)
        if found is None:
            continue
        for header in found[0]:
            if CREDENTIAL_HEADERS.match(header) or _token_name(header):
                return f"the `{header}` header"
    return None


def _token_name(header: str) -> bool:
    words = split_words(header)
    return bool(words) and (words[-1] in ("token", "secret", "password", "apikey") or words[-2:] == ("api", "key"))


def url_prefix(ctx: RuleContext, node: Node, depth: int = 0) -> str | None:
    """The statically known beginning of a URL: the whole string, or the text before the first `${...}`
    of a template, or the left part of a concatenation; a const is followed."""
    node = ctx.unwrap(node)
    if depth > 5:
        return None
    known = ctx.string_value(node)
    if known is not None:
        return known
    if node.type == "template_string":
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(ctx.text(child))
            elif child.type == "template_substitution":
                inner = child.named_children[0] if child.named_children else None
                value = url_prefix(ctx, inner, depth + 1) if inner is not None else None
                if value is None:
                    parts.append("${")
                    break
                parts.append(value)
            else:
                parts.append(ctx.text(child))
        return "".join(parts)
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        start = url_prefix(ctx, left, depth + 1) if left is not None else None
        if start is None:
            return None
        end = url_prefix(ctx, right, depth + 1) if right is not None else None
        return start + (end if end is not None else "${")
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and binding.is_stable and not binding.path:
            return url_prefix(ctx, binding.value, depth + 1)
    if node.type == "new_expression" and ctx.call_name(node) in ("URL", "url.URL"):
        args = ctx.arguments(node)
        if len(args) == 1:
            return url_prefix(ctx, args[0], depth + 1)
    return None


def is_local_host(host: str) -> bool:
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES) or ("." not in host and ":" not in host):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified
