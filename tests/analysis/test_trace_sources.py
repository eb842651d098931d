"""A finding names the source that reaches the sink unsanitised: in a login query built from the e-mail and a
hash of the password, the e-mail (also when the hash is a helper of another module, or the body destructured);
a value read from the database with request data is said to be read from the database, not that data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli

APP = ROOT / "tests" / "fixtures" / "trace" / "login-app"


@pytest.fixture(scope="module")
def findings() -> dict[int, dict[str, Any]]:
    done = run_cli("scan", str(APP), "--scanners", "code", "-f", "json", "--min-confidence", "low", "-j", "1")
    assert done.returncode == 1, done.stderr
    return {f["start_line"]: f for f in json.loads(done.stdout)["findings"]
            if f["path"] == "app.js" and f["rule_id"] in ("NW101", "NW106")}


def test_the_login_query_names_the_email_not_the_hashed_password(findings: dict[int, dict[str, Any]]) -> None:
    login = findings[13]
    assert login["message"] == "request data `req.body.email` (line 12) reaches `db.query` (SQL query text)"
    assert "password" not in login["trace"][0]["description"]


def test_a_destructured_body_and_a_hash_helper_of_another_module(findings: dict[int, dict[str, Any]]) -> None:
    login = findings[19]
    assert login["message"].startswith("request data `req.body.email` (line 17) reaches `db.query`")
    assert login["trace"][0]["description"] == "request data: `req.body.email`"


def test_a_password_hashed_by_a_helper_of_another_module_is_no_injection(findings: dict[int, dict[str, Any]]) -> None:
    assert 28 not in findings  # only sha256(req.body.password) in the query: phase 2 read the helper


def test_a_trace_through_a_database_read_says_so(findings: dict[int, dict[str, Any]]) -> None:
    backup = findings[24]
    assert backup["rule_id"] == "NW101" and backup["confidence"] == "medium"
    assert backup["message"] == ("data read from the database by `users.findUser(req.params.id)` (line 23), looked "
                                 "up with request data `req.params.id`, reaches `child_process.exec` (a shell command)")
    assert any("returns a record it reads from the database" in step["description"] for step in backup["trace"])


def test_a_direct_flow_keeps_its_source_and_confidence(findings: dict[int, dict[str, Any]]) -> None:
    run = findings[32]
    assert run["confidence"] == "high" and "request data `req.query.dir` (line 32)" in run["message"]
