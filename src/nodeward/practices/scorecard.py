"""The practices scorecard: per application, each practice with a status and the evidence behind it.

Statuses: "in-place", "partly", "missing", "not-applicable", and "not-checked" when the scanner that would
judge a practice did not run. Evidence comes from the app model (where the limiter, the CSRF middleware,
the hashing call are), from the findings of every scanner (by rule, or by CWE for line-level rules), and
from the plain-data records rules and scanners leave in FileResult.summaries["practices"].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nodeward.findings import AppScorecard, Finding, PracticeEvidence, PracticeResult
from nodeward.practices import catalog
from nodeward.practices.base import AppRule
from nodeward.practices.model import AppModel, Middleware
from nodeward.rules.registry import find_rule

PRACTICES = (
    "csrf", "rate-limiting", "login-throttling", "security-headers", "session-cookies", "cors", "password-storage",
    "password-policy", "jwt", "randomness", "tls", "temp-files", "exposed-files", "sensitive-data", "logging",
    "audit-trail", "authorization", "mfa", "body-size", "secrets", "dependencies", "sandboxing", "file-permissions",
)
IN_PLACE, PARTLY, MISSING = "in-place", "partly", "missing"
NOT_APPLICABLE, NOT_CHECKED = "not-applicable", "not-checked"
LARGE_BODY = 5 * 1024 * 1024


@dataclass
class Line:
    status: str
    reason: str
    evidence: list[PracticeEvidence] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def _ev(loc: Sequence[Any], text: str) -> PracticeEvidence:
    return PracticeEvidence(str(loc[0]), int(loc[1]), text)


def _mw(middleware: Middleware, text: str | None = None) -> PracticeEvidence:
    label = f"{middleware.info.get('module') or middleware.kind}: {middleware.info.get('text')}"
    return PracticeEvidence(middleware.path, middleware.line, text or label)


class ScorecardBuilder:
    def __init__(self, app: AppModel, findings: list[Finding], records: list[dict[str, Any]],
                 scanners: frozenset[str]) -> None:
        self.app = app
        prefix = f"{app.root}/" if app.root else ""
        self.in_package = [f for f in findings if f.path.startswith(prefix)]
        self.records = [r for r in records if str(r.get("path", "")).startswith(prefix)]
        self.scanners = scanners

    # ----- helpers ----------------------------------------------------------------------------

    def findings_for(self, practice: str) -> list[Finding]:
        """Findings that count against a practice: app rules by their `practice`, other rules by CWE."""
        result = []
        cwes = catalog.PRACTICE_CWES.get(practice, frozenset())
        for finding in self.in_package:
            rule = find_rule(finding.rule_id)
            if rule is not None and issubclass(rule, AppRule):
                if rule.practice == practice and (finding.path in self.app.files or finding.path == self.app.path):
                    result.append(finding)
            elif cwes & set(finding.cwe):
                result.append(finding)
        return result

    def with_findings(self, practice: str, line: Line) -> Line:
        """Merge what other rules and scanners say about a practice into the app model's view."""
        found = self.findings_for(practice)
        records = [r for r in self.records if r.get("practice") == practice]
        for record in records:
            line.evidence.append(PracticeEvidence(str(record["path"]), int(record["line"]), str(record["evidence"])))
        bad = [r for r in records if r.get("status") in (MISSING, PARTLY)]
        good = [r for r in records if r.get("status") == IN_PLACE]
        if found or bad:
            line.findings.extend(sorted({f.rule_id for f in found}))
            line.evidence.extend(PracticeEvidence(f.path, f.line, f"{f.rule_id} {f.rule_name}: {f.message}")
                                 for f in found[:8])
            if line.status in (IN_PLACE, PARTLY) or good:
                line.status = PARTLY
            else:
                line.status = MISSING
            count = len(found) + len(bad)
            line.reason = (line.reason + "; " if line.reason and line.status == PARTLY else "") + \
                f"{count} problem{'s' if count != 1 else ''} found"
        elif good and line.status == NOT_APPLICABLE:
            line.status, line.reason = IN_PLACE, "evidence recorded by the rules"
        return line

    def calls(self, practice: str) -> list[PracticeEvidence]:
        return [_ev(c["loc"], c["call"]) for c in self.app.practice_calls if c["practice"] == practice][:6]

    # ----- practices --------------------------------------------------------------------------

    def build(self) -> AppScorecard:
        lines: list[PracticeResult] = []
        for practice in PRACTICES:
            method = getattr(self, "p_" + practice.replace("-", "_"))
            line: Line = method()
            lines.append(PracticeResult(practice, line.status, line.reason, tuple(line.evidence),
                                        tuple(dict.fromkeys(line.findings))))
        routes = tuple(PracticeEvidence(r.file, r.line, r.label) for r in self.app.routes)
        return AppScorecard(self.app.name, self.app.framework, self.app.path, self.app.line, self.app.root,
                            tuple(lines), routes)

    def p_csrf(self) -> Line:
        from nodeward.rules.practices.missing_csrf_protection import session_middleware

        sessions = session_middleware(self.app)
        if not sessions:
            return self.with_findings("csrf", Line(NOT_APPLICABLE, "no cookie session: CSRF needs ambient credentials"))
        protections = [m for m in self.app.all_middleware if m.kind == "csrf" or (
            m.kind == "lusca" and "csrf" in m.info.get("lusca", []))]
        line = Line(IN_PLACE if protections else MISSING,
                    "CSRF middleware protects the state-changing routes" if protections else "no CSRF middleware",
                    [_mw(m) for m in protections])
        return self.with_findings("csrf", line)

    def p_rate_limiting(self) -> Line:
        limiters = [m for m in self.app.all_middleware if m.is_limiter()]
        global_limiters = [m for m in limiters if m.prefix in ("", "/") and m.scope == 0]
        route_limiters = [m for r in self.app.routes for m in r.own if m.is_limiter()]
        if global_limiters:
            line = Line(IN_PLACE, "a limiter covers the whole app", [_mw(m) for m in global_limiters])
        elif limiters or route_limiters:
            line = Line(PARTLY, "limiters cover some routes only", [_mw(m) for m in [*limiters, *route_limiters][:6]])
        elif not self.app.routes:
            line = Line(NOT_APPLICABLE, "no routes found")
        else:
            line = Line(MISSING, "no rate limiter registered")
        return self.with_findings("rate-limiting", line)

    def p_login_throttling(self) -> Line:
        routes = [r for r in self.app.routes if r.is_auth_route]
        if not routes:
            return self.with_findings("login-throttling", Line(NOT_APPLICABLE, "no authentication route found"))
        evidence = []
        covered = 0
        for route in routes:
            limiter = route.limiter()
            if limiter is not None:
                covered += 1
                evidence.append(_mw(limiter, f"{route.label}: {limiter.info.get('text')}"))
            elif route.handler_facts("limiter") or route.handler_facts("lockout"):
                covered += 1
                evidence.append(_ev(route.loc, f"{route.label}: limiter or lockout in the handler"))
        status = IN_PLACE if covered == len(routes) else PARTLY if covered else MISSING
        reason = f"{covered} of {len(routes)} authentication route{'s' if len(routes) != 1 else ''} throttled"
        return self.with_findings("login-throttling", Line(status, reason, evidence))

    def p_security_headers(self) -> Line:
        from nodeward.rules.practices.missing_security_headers import FRAMEWORKS, header_middleware
        from nodeward.rules.practices.x_powered_by_header_enabled import powered_by_removed

        if self.app.framework not in FRAMEWORKS:
            return self.with_findings("security-headers", Line(NOT_CHECKED, f"not judged for {self.app.framework}"))
        headers = header_middleware(self.app)
        evidence = [_mw(m) for m in headers]
        evidence += [_ev(s["loc"], "app.disable('x-powered-by')") for s in self.app.settings
                     if s.get("setting") == "x-powered-by" and not s.get("on")]
        if not headers:
            return self.with_findings("security-headers", Line(MISSING, "no helmet or security headers"))
        off = [k for m in headers for k in m.info.get("off", [])]
        status = IN_PLACE if not off and powered_by_removed(self.app) is not False else PARTLY
        reason = "helmet or equivalent headers on every response" if status == IN_PLACE else \
            "headers set, but " + (f"{', '.join(off)} switched off" if off else "X-Powered-By left on")
        return self.with_findings("security-headers", Line(status, reason, evidence))

    def p_session_cookies(self) -> Line:
        sessions = [m for m in self.app.all_middleware if m.kind in ("session", "cookie-parser")]
        if not sessions:
            return self.with_findings("session-cookies", Line(NOT_APPLICABLE, "no session or cookie middleware"))
        weak = []
        for m in sessions:
            if m.kind != "session":
                continue
            options = m.info.get("session", {})
            if options.get("secure") in (None, False):
                weak.append("secure")
            if options.get("httpOnly") is False:
                weak.append("httpOnly")
            if options.get("sameSite") in (None, False, "none"):
                weak.append("sameSite")
        line = Line(PARTLY if weak else IN_PLACE,
                    f"session cookie without {', '.join(dict.fromkeys(weak))}" if weak
                    else "session cookie flags set (secure, httpOnly, sameSite)", [_mw(m) for m in sessions])
        return self.with_findings("session-cookies", line)

    def p_cors(self) -> Line:
        cors = self.app.of_kind("cors")
        if not cors:
            return self.with_findings("cors", Line(NOT_APPLICABLE,
                                                   "no CORS middleware: the same-origin policy applies"))
        return self.with_findings("cors", Line(IN_PLACE, "CORS configured; no permissive setting found",
                                               [_mw(m) for m in cors]))

    def _from_calls(self, practice: str, found_reason: str, none_reason: str) -> Line:
        evidence = self.calls(practice)
        line = Line(IN_PLACE, found_reason, evidence) if evidence else Line(NOT_APPLICABLE, none_reason)
        return self.with_findings(practice, line)

    def p_password_storage(self) -> Line:
        line = self._from_calls("password-storage", "passwords hashed with a slow hash",
                                "no password hashing or storage found")
        if line.status == NOT_APPLICABLE and any(r.verifies_password for r in self.app.routes):
            line.reason = "passwords verified, hashing happens elsewhere"
        return line

    def p_password_policy(self) -> Line:
        from nodeward.rules.practices.weak_password_policy import MINIMUM, password_checks

        routes = [r for r in self.app.routes if r.sets_password]
        if not routes:
            return self.with_findings("password-policy", Line(NOT_APPLICABLE, "no registration or password change"))
        evidence = []
        for route in routes:
            checks, _ = password_checks(self.app, route)
            if checks:
                best = max(checks, key=lambda c: c["min"])
                evidence.append(_ev(best["loc"], f"{route.label}: minimum {best['min']} ({best['how']})"))
        good = [e for e in evidence if int(e.text.split("minimum ")[1].split(" ")[0]) >= MINIMUM]
        status = IN_PLACE if len(good) == len(routes) else PARTLY if good else MISSING
        return self.with_findings("password-policy", Line(
            status, f"{len(good)} of {len(routes)} password route{'s' if len(routes) != 1 else ''} require "
                    f"{MINIMUM}+ characters", evidence))

    def p_jwt(self) -> Line:
        return self._from_calls("jwt", "tokens signed and verified; no JWT problem found", "no JWT use found")

    def p_randomness(self) -> Line:
        return self._from_calls("randomness", "security values from a CSPRNG; no Math.random found for them",
                                "no security random values generated")

    def p_tls(self) -> Line:
        line = self._from_calls("tls", "HTTPS server in the app; no certificate check disabled",
                                "no TLS code in the app (usually terminated by a proxy); no check disabled")
        proxies = [_ev(s["loc"], "trust proxy: TLS terminated in front of the app")
                   for s in self.app.settings if s.get("setting") == "trust proxy" and s.get("on")]
        if proxies and line.status == NOT_APPLICABLE:
            line.status, line.reason, line.evidence = IN_PLACE, "a TLS-terminating proxy is declared", proxies
        return line

    def p_temp_files(self) -> Line:
        return self._from_calls("temp-files", "temporary files made with mkdtemp / tmp", "no temporary files")

    def p_exposed_files(self) -> Line:
        return self._from_calls("exposed-files", "static folders served; none exposes the project",
                                "no static file serving")

    def p_sensitive_data(self) -> Line:
        return self.with_findings("sensitive-data", Line(
            IN_PLACE, "no error details, secrets or password hashes found in responses or logs"))

    def p_logging(self) -> Line:
        app = self.app
        evidence = [_ev(loc, f"{module} imported") for module, loc in app.logging_modules.items()][:4]
        evidence += [_mw(m) for m in app.of_kind("request-logger")]
        if app.data.get("options", {}).get("logger") not in (None, False):
            evidence.append(_ev(app.loc, f"{app.framework} logger option"))
        line = Line(IN_PLACE, "logging library and request logger", evidence) if evidence else \
            Line(MISSING, "no logging library or request logger")
        if evidence and not app.of_kind("request-logger") and not app.data.get("options", {}).get("logger"):
            line.status, line.reason = PARTLY, "a logging library but no request logger"
        return self.with_findings("logging", line)

    def p_audit_trail(self) -> Line:
        from nodeward.rules.practices.missing_audit_log import is_sensitive_change

        routes = [r for r in self.app.routes if is_sensitive_change(r)]
        if not routes:
            return self.with_findings("audit-trail", Line(NOT_APPLICABLE, "no admin or password-change routes"))
        evidence = []
        for route in routes:
            lines = route.handler_facts("audit") or route.handler_facts("logs")
            if lines:
                where = route.handler[0]["loc"][0]
                evidence.append(PracticeEvidence(where, int(lines[0]), f"{route.label}: audit/log call"))
        status = IN_PLACE if len(evidence) == len(routes) else PARTLY if evidence else MISSING
        return self.with_findings("audit-trail", Line(
            status, f"{len(evidence)} of {len(routes)} sensitive route{'s' if len(routes) != 1 else ''} audited",
            evidence))

    def p_authorization(self) -> Line:
        guards: dict[tuple[str, int], Middleware] = {}
        for route in self.app.routes:
            guard = route.auth_guard()
            if guard is not None:
                guards.setdefault((guard.path, guard.line), guard)
        if not guards:
            return self.with_findings("authorization", Line(NOT_APPLICABLE, "no authentication middleware in the app"))
        return self.with_findings("authorization", Line(
            IN_PLACE, "state-changing routes behind authentication middleware", [_mw(m) for m in guards.values()][:6]))

    def p_mfa(self) -> Line:
        if not any(r.is_auth_route or r.verifies_password for r in self.app.routes):
            return Line(NOT_APPLICABLE, "no password login")
        mfa = self.app.mfa_modules
        if mfa:
            return Line(IN_PLACE, "a second factor is offered", [_ev(loc, f"{m} imported") for m, loc in mfa.items()])
        return Line(MISSING, "password login without a second factor library (otplib, speakeasy, WebAuthn)")

    def p_body_size(self) -> Line:
        parsers = self.app.of_kind("body-parser")
        evidence = []
        large = []
        for m in parsers:
            limit = m.info.get("limit")
            size = catalog.parse_size(limit) if limit is not None else None
            text = f"{m.info.get('module')} limit {limit if limit is not None else 'default'}"
            evidence.append(_mw(m, text))
            if limit == "<dynamic>" or (size is not None and size > LARGE_BODY) or limit in ("Infinity", "infinity"):
                large.append(m)
        option = self.app.data.get("options", {}).get("bodyLimit")
        if option is not None:
            evidence.append(_ev(self.app.loc, f"bodyLimit {option}"))
            size = catalog.parse_size(option)
            if size is None or size > LARGE_BODY:
                large.append(parsers[0] if parsers else None)  # type: ignore[arg-type]
        if not evidence:
            line = Line(IN_PLACE if self.app.framework in ("fastify", "koa", "hapi") else NOT_APPLICABLE,
                        "framework default body limit" if self.app.framework in ("fastify", "koa", "hapi")
                        else "no body parser")
        elif large:
            line = Line(PARTLY if len(large) < len(evidence) else MISSING, "body limit above 5 MB", evidence)
        else:
            line = Line(IN_PLACE, "body parsers keep small limits", evidence)
        return self.with_findings("body-size", line)

    def p_secrets(self) -> Line:
        if "secrets" not in self.scanners:
            return Line(NOT_CHECKED, "the secrets scanner did not run")
        found = [f for f in self.in_package if f.rule_id.startswith("NW5")]
        if found:
            return Line(MISSING, f"{len(found)} secret finding{'s' if len(found) != 1 else ''}",
                        [PracticeEvidence(f.path, f.line, f"{f.rule_id} {f.title}") for f in found[:8]],
                        sorted({f.rule_id for f in found}))
        return Line(IN_PLACE, "no secret found in the package's files")

    def p_dependencies(self) -> Line:
        if "deps" not in self.scanners:
            return Line(NOT_CHECKED, "the dependency scanner did not run")
        vulnerable = [f for f in self.in_package if f.rule_id == "NW601"]
        if vulnerable:
            return Line(MISSING, f"{len(vulnerable)} vulnerable package{'s' if len(vulnerable) != 1 else ''}",
                        [PracticeEvidence(f.path, f.line, f.message) for f in vulnerable[:8]], ["NW601"])
        unlocked = [f for f in self.in_package if f.rule_id == "NW607"]
        if unlocked:
            return Line(PARTLY, "no lockfile: installed versions are not pinned or checked",
                        [PracticeEvidence(f.path, f.line, f.message) for f in unlocked[:2]], ["NW607"])
        return Line(IN_PLACE, "no known-vulnerable dependency in the lockfile")

    def _config(self, practice: str) -> Line:
        records = [r for r in self.records if r.get("practice") == practice]
        if not records:
            if "config" in self.scanners:
                return Line(NOT_APPLICABLE, "no container or deployment configuration found")
            return Line(NOT_CHECKED, "the config scanner did not run")
        statuses = {r.get("status") for r in records}
        if statuses == {NOT_APPLICABLE}:  # nothing found to judge: what was looked for is the reason
            return Line(NOT_APPLICABLE, "; ".join(dict.fromkeys(str(r["evidence"]) for r in records)))
        line = Line(NOT_APPLICABLE, "")
        line.evidence = [PracticeEvidence(str(r["path"]), int(r["line"]), str(r["evidence"])) for r in records[:8]]
        if MISSING in statuses:
            line.status = PARTLY if IN_PLACE in statuses else MISSING
        elif PARTLY in statuses:
            line.status = PARTLY
        elif IN_PLACE in statuses:
            line.status = IN_PLACE
        line.reason = f"{len(records)} configuration fact{'s' if len(records) != 1 else ''}"
        return line

    def p_sandboxing(self) -> Line:
        return self._config("sandboxing")

    def p_file_permissions(self) -> Line:
        return self._config("file-permissions")


def build_scorecards(apps: Iterable[AppModel], findings: list[Finding], records: list[dict[str, Any]],
                     scanners: frozenset[str]) -> list[AppScorecard]:
    cards = []
    for app in apps:
        try:
            cards.append(ScorecardBuilder(app, findings, records, scanners).build())
        except Exception:
            continue
    return cards
