"""Fastify, Koa, Hapi and Next.js apps as a user sees them: the routes the scorecard names and the practices it
judges from each framework's own mechanisms (hooks, plugins and their scopes, route options, routers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nodeward.scan import ScanOptions, run_scan
from tests.conftest import ROOT, run_cli

PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def scan_card(project: str) -> dict[str, Any]:
    done = run_cli("scan", str(PROJECTS / project), "--format", "json", "--scanners", "code", "-j", "1")
    assert done.returncode in (0, 1), done.stderr
    cards = json.loads(done.stdout)["scorecard"]
    assert len(cards) == 1
    return dict(cards[0])


def practices(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["practice"]: p for p in card["practices"]}


def evidence(practice: dict[str, Any]) -> set[tuple[str, int]]:
    return {(e["path"], e["line"]) for e in practice["evidence"]}


def test_fastify_scorecard_follows_plugins_hooks_and_route_options() -> None:
    card = scan_card("framework-fastify-app")
    assert card["app"] == "fastify app (src/server.js:13)"
    assert [r["route"] for r in card["routes"]] == [
        "GET /api/products/search", "GET /api/products/:id", "GET /api/products/:id/report",
        "GET /api/products/:id/history", "POST /api/products/:id/thumbnail",
        "DELETE /api/products/:id", "POST /account/login", "GET /account/orders", "DELETE /account/orders/:id"]
    card_of = practices(card)
    # @fastify/rate-limit with `global: false` limits only the route that asks for it in its config.
    assert card_of["rate-limiting"]["status"] == "partly"
    assert card_of["login-throttling"]["status"] == "in-place"
    assert ("src/routes/account.js", 6) in evidence(card_of["login-throttling"])
    assert card_of["security-headers"]["status"] == "in-place"
    assert ("src/server.js", 14) in evidence(card_of["security-headers"])
    assert card_of["session-cookies"]["status"] == "in-place"
    # The csrfProtection hook of the products plugin protects its routes only (encapsulation).
    assert card_of["csrf"]["status"] == "partly" and card_of["csrf"]["findings"] == ["NW350"]
    assert ("src/routes/products.js", 7) in evidence(card_of["csrf"])
    csrf = next(e["text"] for e in card_of["csrf"]["evidence"] if "NW350" in e["text"])
    assert "DELETE /account/orders/:id" in csrf and "/api/products" not in csrf
    # The authentication hook guards the products plugin; in the account plugin only the route naming it.
    assert card_of["authorization"]["status"] == "partly" and card_of["authorization"]["findings"] == ["NW359"]
    assert {("src/routes/products.js", 6), ("src/routes/account.js", 17)} <= evidence(card_of["authorization"])


def test_koa_scorecard_follows_nested_routers_and_koa_middleware() -> None:
    card = scan_card("framework-koa-app")
    assert card["app"] == "koa app (src/app.js:10)"
    assert [r["route"] for r in card["routes"]] == [
        "GET /api/notes/:name", "GET /api/notes/:name/safe", "POST /api/notes", "GET /api/notes",
        "GET /api/notes/:name/raw", "POST /api/auth/login", "GET /api/auth/callback"]
    card_of = practices(card)
    assert card_of["rate-limiting"]["status"] == "in-place"
    assert ("src/app.js", 12) in evidence(card_of["rate-limiting"])
    assert card_of["login-throttling"]["status"] == "in-place"
    assert card_of["security-headers"]["status"] == "in-place"
    assert ("src/app.js", 11) in evidence(card_of["security-headers"])
    assert card_of["authorization"]["status"] == "in-place"  # koa-jwt(...).unless(...) before the routers
    assert ("src/app.js", 14) in evidence(card_of["authorization"])
    assert card_of["csrf"]["status"] == "not-applicable"  # bearer tokens, no cookie session


def test_scorecard_lists_the_routes_in_the_terminal() -> None:
    done = run_cli("scan", str(PROJECTS / "framework-koa-app"), "--scanners", "code", "-j", "1", "--no-color")
    assert "7 routes: GET /api/notes/:name (src/routes/notes.js:10)" in done.stdout


def app_findings(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, str, int]]:
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source, encoding="utf-8")
    outcome = run_scan([tmp_path], ScanOptions(jobs=1, scanners=frozenset({"code"})))
    return {(f.rule_id, f.path, f.line) for f in outcome.result.findings if f.rule_id.startswith("NW3")}


def test_koa_session_given_the_app_is_session_middleware_not_a_router(tmp_path: Path) -> None:
    found = app_findings(tmp_path, {"app.js": (
        'const Koa = require("koa");\nconst session = require("koa-session");\nconst Router = require("@koa/router");\n'
        'const app = new Koa();\nconst router = new Router();\napp.use(session(app));\n'
        'router.post("/transfer", async (ctx) => { ctx.body = "ok"; });\napp.use(router.routes());\n')})
    assert ("NW350", "app.js", 4) in found  # before: `session(app)` mounted the app in itself and no app was found


def test_fastify_csrf_plugin_protects_nothing_until_its_hook_runs(tmp_path: Path) -> None:
    registered_only = (
        'const fastify = require("fastify")();\nfastify.register(require("@fastify/cookie"));\n'
        'fastify.register(require("@fastify/session"), { secret: process.env.S });\n'
        'fastify.register(require("@fastify/csrf-protection"));\n'
        'fastify.post("/transfer", async () => ({}));\n')
    assert ("NW350", "app.js", 1) in app_findings(tmp_path / "a", {"app.js": registered_only})
    hooked = registered_only.replace('fastify.post("/transfer",',
                                     'fastify.post("/transfer", { onRequest: fastify.csrfProtection },')
    assert not any(rule == "NW350" for rule, _, _ in app_findings(tmp_path / "b", {"app.js": hooked}))


def test_fastify_hook_added_after_a_route_still_guards_it_and_jwt_plugin_alone_does_not(tmp_path: Path) -> None:
    source = (
        'const fastify = require("fastify")();\nfastify.register(require("@fastify/jwt"), { secret: process.env.S });\n'
        'fastify.register(async function admin(instance) {\n'
        '  instance.delete("/users/:id", async () => ({}));\n'
        '  instance.addHook("onRequest", async (request) => { await request.jwtVerify(); });\n'
        '});\n'
        'fastify.get("/orders", { onRequest: async (request) => request.jwtVerify() }, async () => []);\n'
        'fastify.post("/orders", async () => ({}));\n')
    found = app_findings(tmp_path, {"app.js": source})
    assert ("NW359", "app.js", 8) in found  # POST /orders: its GET sibling verifies the token, it does not
    assert not any(rule == "NW359" and line == 4 for rule, _, line in found)  # the plugin's hook guards it


def test_nextjs_routes_come_from_file_names_and_middleware_guards_what_it_matches() -> None:
    card = scan_card("framework-nextjs-app")
    assert card["app"] == "nextjs app (src/middleware.ts:2)"
    assert sorted(r["route"] for r in card["routes"]) == [
        "ALL /api/files/:name", "DELETE /search", "GET /api/orders/:id", "GET /search", "PATCH /api/orders/:id",
        "POST /api/admin/reports"]
    card_of = practices(card)
    assert card_of["security-headers"]["status"] == "in-place"  # headers() in next.config.js
    assert ("next.config.js", 1) in evidence(card_of["security-headers"])
    assert card_of["rate-limiting"]["status"] == "missing" and card_of["rate-limiting"]["findings"] == ["NW351"]
    assert card_of["authorization"]["status"] == "in-place"
    assert any("next-auth/middleware" in e["text"] for e in card_of["authorization"]["evidence"])


def test_nextjs_middleware_matcher_decides_which_routes_it_guards(tmp_path: Path) -> None:
    files = {
        "middleware.ts": 'import { NextResponse } from "next/server";\n'
                         'export function middleware(request) {\n'
                         '  if (!request.cookies.get("session")) {\n'
                         '    return NextResponse.redirect(new URL("/login", request.url));\n  }\n}\n'
                         'export const config = { matcher: ["/api/projects/:path*"] };\n',
        "app/api/projects/route.ts": 'export async function GET() { return Response.json([]); }\n'
                                     'export async function POST() { return Response.json({}); }\n',
        "app/api/projects/[id]/route.ts": 'export async function DELETE() { return Response.json({}); }\n',
    }
    assert not any(rule == "NW359" for rule, _, _ in app_findings(tmp_path / "a", files))
    files["middleware.ts"] = files["middleware.ts"].replace("/api/projects/:path*", "/api/projects")
    found = app_findings(tmp_path / "b", files)
    assert ("NW359", "app/api/projects/[id]/route.ts", 1) in found  # the matcher no longer covers /api/projects/:id


def test_hapi_scorecard_reads_server_options_and_the_default_auth_strategy() -> None:
    card = scan_card("framework-hapi-app")
    assert [r["route"] for r in card["routes"]] == ["GET /files/{name}", "POST /convert", "GET /search",
                                                    "GET /logout"]
    card_of = practices(card)
    assert card_of["security-headers"]["status"] == "in-place"  # routes: { security: true }
    assert ("lib/server.js", 10) in evidence(card_of["security-headers"])
    assert card_of["rate-limiting"]["status"] == "in-place"
    assert card_of["authorization"]["status"] == "in-place"  # server.auth.default("session")
    assert ("lib/server.js", 17) in evidence(card_of["authorization"])
    assert card_of["csrf"]["status"] == "missing" and card_of["csrf"]["findings"] == ["NW350"]


def test_nextjs_middleware_with_upstash_limiter_is_rate_limiting(tmp_path: Path) -> None:
    files = {
        "middleware.ts": 'import { Ratelimit } from "@upstash/ratelimit";\nimport { Redis } from "@upstash/redis";\n'
                         'const ratelimit = new Ratelimit({ redis: Redis.fromEnv(),\n'
                         '  limiter: Ratelimit.fixedWindow(5, "60 s") });\n'
                         'export async function middleware(request) {\n'
                         '  const { success } = await ratelimit.limit(request.ip ?? "anonymous");\n'
                         '  if (!success) return new Response("slow down", { status: 429 });\n}\n',
        "app/api/login/route.ts": 'export async function POST(request) {\n'
                                  '  return Response.json(await request.json());\n}\n',
    }
    found = app_findings(tmp_path, files)
    assert not any(rule in ("NW351", "NW352") for rule, _, _ in found)
