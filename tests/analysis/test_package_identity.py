"""A web framework's own source is library code: rules about an application's behaviour do not report there."""

from __future__ import annotations

import json

from nodeward.sources.package_identity import framework_owning, is_web_framework
from tests.conftest import ROOT, run_cli

FRAMEWORK = ROOT / "tests" / "fixtures" / "projects" / "framework-source"


def test_the_framework_error_pipeline_is_not_reported_by_default_but_an_app_inside_the_tree_is() -> None:
    report = json.loads(run_cli("scan", str(FRAMEWORK), "--format", "json", "--scanners", "code").stdout)
    assert {(f["path"], f["rule_id"]) for f in report["findings"]} == {
        ("apps/status/server.js", "NW314"), ("apps/status/server.js", "NW351"), ("apps/status/server.js", "NW353"),
    }
    low = json.loads(run_cli("scan", str(FRAMEWORK), "--format", "json", "--scanners", "code",
                             "--min-confidence", "low").stdout)
    pipeline = next(f for f in low["findings"] if f["path"] == "lib/server.js")
    assert pipeline["confidence"] == "low"
    assert pipeline["message"].endswith("(in the source of the web framework `fastify`)")


def test_what_counts_as_a_web_framework() -> None:
    for manifest in ({"name": "express"}, {"name": "@fastify/static"}, {"name": "koa-body"},
                     {"name": "my-auth", "peerDependencies": {"express": "^4"}},
                     {"name": "tiny-web", "keywords": ["HTTP", "Framework"]}):
        assert is_web_framework(manifest), manifest
    for manifest in ({"name": "express", "private": True}, {"name": "shop-api", "dependencies": {"express": "^4"}},
                     {"name": "lodash", "keywords": ["util"]}, {}):
        assert not is_web_framework(manifest), manifest
    packages = {"": "fastify", "apps/status": None, "packages/plugin": "@fastify/plugin"}
    assert framework_owning("lib/server.js", packages) == "fastify"
    assert framework_owning("apps/status/server.js", packages) is None
    assert framework_owning("packages/plugin/index.js", packages) == "@fastify/plugin"
    assert framework_owning("src/app.js", {"apps/x": None}) is None
