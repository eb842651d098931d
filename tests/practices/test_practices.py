"""App-level rules and the practices scorecard, scanned like a user does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodeward.practices.base import AppRule
from nodeward.practices.scorecard import PRACTICES
from nodeward.rules.registry import all_rules
from nodeward.scan import ScanOptions, run_scan
from tests.conftest import ROOT, run_cli

PROJECTS = ROOT / "tests" / "fixtures" / "projects"
APP_RULES = [rule for rule in all_rules() if issubclass(rule, AppRule)]


def scan_source(tmp_path: Path, source: str, name: str = "app.js") -> set[str]:
    (tmp_path / name).write_text(source, encoding="utf-8")
    outcome = run_scan([tmp_path], ScanOptions(jobs=1, scanners=frozenset({"code"})))
    return {f.rule_id for f in outcome.result.findings}


@pytest.mark.parametrize("rule", APP_RULES, ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_stays_clean(rule: type[AppRule], tmp_path: Path) -> None:
    docs = rule.docs()
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    assert rule.id in scan_source(tmp_path / "bad", docs.example("Bad")), "the Bad example must trigger the rule"
    assert rule.id not in scan_source(tmp_path / "good", docs.example("Good")), "the Good example must not"


def scorecard(project: str, *extra: str) -> dict[str, Any]:
    done = run_cli("scan", str(PROJECTS / project), "--format", "json", "-j", "1", *extra)
    assert done.returncode in (0, 1), done.stderr
    cards = json.loads(done.stdout)["scorecard"]
    assert len(cards) == 1
    return {p["practice"]: p for p in cards[0]["practices"]}


def evidence_at(practice: dict[str, Any]) -> set[tuple[str, int]]:
    return {(e["path"], e["line"]) for e in practice["evidence"]}


def test_hardened_app_has_every_practice_in_place_with_evidence_lines() -> None:
    card = scorecard("practices-hardened-express", "--scanners", "code,secrets")
    assert list(card) == list(PRACTICES)
    unjudged = {name for name, p in card.items() if p["status"] not in ("in-place", "not-applicable")}
    assert unjudged == {"dependencies", "sandboxing", "file-permissions"}  # scanners not run here
    assert all(card[name]["status"] == "not-checked" for name in unjudged)
    expected_in_place = {
        "csrf": ("src/server.js", 35), "rate-limiting": ("src/server.js", 24),
        "login-throttling": ("src/routes/auth.js", 16), "security-headers": ("src/server.js", 22),
        "session-cookies": ("src/server.js", 27), "password-storage": ("src/routes/auth.js", 40),
        "password-policy": ("src/routes/auth.js", 13), "logging": ("src/server.js", 23),
        "audit-trail": ("src/routes/admin.js", 15), "authorization": ("src/routes/admin.js", 7),
        "mfa": ("src/routes/auth.js", 3), "body-size": ("src/server.js", 25), "tls": ("src/server.js", 15),
    }
    for name, where in expected_in_place.items():
        assert card[name]["status"] == "in-place", (name, card[name])
        assert where in evidence_at(card[name]), (name, card[name]["evidence"])
    assert ("src/routes/admin.js", 22) in evidence_at(card["audit-trail"])
    assert card["secrets"]["status"] == "in-place"
    assert card["cors"]["status"] == "not-applicable"
    assert card["tls"]["reason"] == "a TLS-terminating proxy is declared"


def test_weak_app_scorecard_names_what_is_missing() -> None:
    card = scorecard("practices-weak-express", "--scanners", "code")
    for name in ("csrf", "rate-limiting", "login-throttling", "security-headers", "logging", "mfa"):
        assert card[name]["status"] == "missing", (name, card[name])
    assert card["password-policy"]["status"] == "missing"
    assert ("src/routes/auth.js", 23) in evidence_at(card["password-policy"])
    assert card["authorization"]["status"] == "partly"
    assert "NW359" in card["authorization"]["findings"]
    assert card["csrf"]["findings"] == ["NW350"]
    assert card["secrets"]["status"] == "not-checked"
    assert card["tls"]["status"] == "missing" and card["tls"]["findings"] == ["NW361"]


def test_scorecard_in_terminal_sarif_and_optional() -> None:
    project = str(PROJECTS / "practices-weak-express")
    text = run_cli("scan", project, "--scanners", "code", "-j", "1", "--no-color")
    assert "Practices scorecard: express app (src/server.js:11)" in text.stdout
    assert "login-throttling" in text.stdout
    hidden = run_cli("scan", project, "--scanners", "code", "-j", "1", "--no-color", "--no-scorecard")
    assert "Practices scorecard" not in hidden.stdout and "NW350" in hidden.stdout
    sarif = json.loads(run_cli("scan", project, "--scanners", "code", "-j", "1", "--format", "sarif").stdout)
    cards = sarif["runs"][0]["properties"]["nodeward/scorecard"]
    assert cards[0]["summary"]["missing"] >= 6
    library = run_cli("scan", str(PROJECTS / "NW112-object-utils-library"), "--scanners", "code", "-j", "1",
                      "--format", "json", "--scorecard")
    assert json.loads(library.stdout)["scorecard"] == []
    assert "no application" in library.stderr


def test_routes_joined_across_files_and_frameworks(tmp_path: Path) -> None:
    (tmp_path / "routes").mkdir()
    (tmp_path / "routes" / "index.js").write_text(
        'module.exports = function (app) {\n  app.post("/login", (req, res) => res.end());\n};\n')
    (tmp_path / "server.js").write_text(
        'const express = require("express");\nconst helmet = require("helmet");\nconst app = express();\n'
        'app.use(helmet());\nrequire("./routes")(app);\napp.listen(3000);\n')
    outcome = run_scan([tmp_path], ScanOptions(jobs=1, scanners=frozenset({"code"})))
    found = {(f.rule_id, f.path, f.line) for f in outcome.result.findings}
    assert ("NW352", "routes/index.js", 2) in found  # the login route on a parameter joins the app
    assert ("NW351", "server.js", 3) in found
    assert not any(f.rule_id == "NW353" for f in outcome.result.findings)


def test_router_passed_to_route_modules_and_home_made_limiter(tmp_path: Path) -> None:
    """`app.use("/api", routes(router))` where routes hands the router to one module per resource, each
    registering `router.route(...)` chains; a limiter written by hand (429 responses) counts as a limiter."""
    (tmp_path / "routes").mkdir()
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "limit.js").write_text(
        "module.exports = (options) => (req, res, next) => {\n"
        "  if (hits(req.ip) > options.max) return res.status(429).json({ error: 'slow down' });\n"
        "  next();\n};\n")
    (tmp_path / "routes" / "index.js").write_text(
        'const users = require("./users");\nconst files = require("./files");\n'
        "module.exports = (router) => {\n  users(router);\n  files(router);\n  return router;\n};\n")
    (tmp_path / "routes" / "users.js").write_text(
        'const bcrypt = require("bcrypt");\nconst limit = require("../utils/limit");\n'
        "const loginLimiter = limit({ max: 5 });\n"
        "module.exports = (router) => {\n"
        '  router.route("/login").post(loginLimiter, async (req, res) => {\n'
        "    res.json(await bcrypt.compare(req.body.password, stored()));\n  });\n"
        '  router.route("/export").post(async (req, res) => {\n'
        "    res.json(await bcrypt.compare(req.body.password, stored()));\n  });\n};\n")
    (tmp_path / "routes" / "files.js").write_text(
        'module.exports = (router) => {\n  router.route("/files").get((req, res) => res.end()).post((req, res) => '
        "res.end());\n};\n")
    (tmp_path / "app.js").write_text(
        'const express = require("express");\nconst routes = require("./routes");\nconst app = express();\n'
        'const router = express.Router();\napp.use("/api", routes(router));\napp.listen(3000);\n')
    outcome = run_scan([tmp_path], ScanOptions(jobs=1, scanners=frozenset({"code"})))
    found = {(f.rule_id, f.path, f.line) for f in outcome.result.findings}
    assert ("NW352", "routes/users.js", 8) in found  # /api/export verifies a password, nothing limits it
    assert ("NW352", "routes/users.js", 5) not in found  # /api/login has the hand-made limiter
    assert ("NW353", "app.js", 3) in found
    assert not any(f.rule_id == "NW351" for f in outcome.result.findings)  # a limiter exists (on one route)


@pytest.mark.parametrize("source, expected", [
    ('const fastify = require("fastify")();\nfastify.post("/login", async () => ({}));\n', {"NW351", "NW352",
                                                                                      "NW353", "NW356"}),
    ('const fastify = require("fastify")({ logger: true });\nfastify.register(require("@fastify/rate-limit"));\n'
     'fastify.register(require("@fastify/helmet"));\nfastify.post("/login", async () => ({}));\n', set()),
    ('const Koa = require("koa");\nconst Router = require("@koa/router");\nconst app = new Koa();\n'
     'const router = new Router();\nrouter.post("/signin", async (ctx) => {});\napp.use(router.routes());\n',
     {"NW351", "NW352", "NW353", "NW356"}),
])
def test_fastify_and_koa_apps(tmp_path: Path, source: str, expected: set[str]) -> None:
    assert scan_source(tmp_path, source) == expected


@pytest.mark.parametrize(("source", "plain"), [
    ('const app = require("express")();\napp.listen(3000);\n', True),
    ('const app = require("express")();\napp.set("trust proxy", 1);\napp.listen(3000);\n', False),
    ('const app = require("express")();\napp.enable("trust proxy");\napp.listen(3000);\n', False),
    ('const Koa = require("koa");\nconst app = new Koa();\napp.proxy = true;\napp.listen(3000);\n', False),
    ('const fastify = require("fastify")({ trustProxy: true });\nfastify.listen({ port: 3000 });\n', False),
    ('const fastify = require("fastify")({ https: { key: KEY, cert: CERT } });\nfastify.listen({ port: 3000 });\n',
     False),
    ('const https = require("https");\nconst app = require("express")();\n'
     'https.createServer({ key: KEY, cert: CERT }, app).listen(443);\napp.listen(8080);\n', False),
])
def test_plain_http_server_is_reported_unless_tls_or_a_trusted_proxy_is_declared(
        tmp_path: Path, source: str, plain: bool) -> None:
    assert ("NW361" in scan_source(tmp_path, source)) is plain
