"""## What it finds
Data from outside (request data, CLI input) passed to a package that the project's lockfile pins at a
version with a known vulnerability, or to a package that directly depends on such a version
(`humanize-ms` bringing in a vulnerable `ms`); and a vulnerable package mounted as request middleware
(`app.use(st(...))`), which every request reaches. Reported at the call, with the advisory.

## Why it matters
An advisory in the lockfile says a vulnerable version is installed; a call that hands it client data says
where an attacker reaches it: an archive from an upload extracted by a zip-slip-prone `adm-zip`, a
request string parsed by a ReDoS-prone `ms`, requests served by a traversal-prone `st`. That is the place
to review first, and the evidence that the upgrade is urgent.

## How to fix
Upgrade the package (or the one that brings it in) to a fixed version; until then, validate or limit the
data before it reaches the package.

## Bad
```javascript
const AdmZip = require("adm-zip"); // package-lock.json: adm-zip 0.4.7 (zip slip)
app.post("/import", (req, res) => {
  new AdmZip(req.files.archive.data).extractAllTo("/tmp/import");
});
```

## Good
Upgrade to a fixed version (`npm install adm-zip@latest`); until then, extract with a library that keeps
every entry inside the target folder:
```javascript
const extract = require("extract-zip");
app.post("/import", async (req, res) => {
  await extract(req.files.archive.tempFilePath, { dir: "/tmp/import" });
});
```
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from tree_sitter import Node

from nodeward.deps.reachable import ReachedVulnerability, package_of, vulnerable_entries
from nodeward.findings import Confidence, Finding, Location, Severity, TraceStep
from nodeward.lang.js.model import unwrap
from nodeward.rules.base import Sink, TaintRule
from nodeward.rules.context import RuleContext

#: Methods that mount request middleware (Express, Connect, Koa, routers).
MIDDLEWARE_METHODS = frozenset({"use"})
#: A vulnerable package more than this many dependencies below the one called is too far to say it is reached.
MAX_HOPS = 1
#: The lockfile entry and the most severe advisory as the message states them; the message is all that a flow
#: found across files carries from the worker that saw the sink (see `finish`).
_ENTRY = re.compile(r"known vulnerabilit(?:y|ies) \((?P<path>[^()]+):(?P<line>\d+)\): [^ ]+(?: \([^)]*\))? "
                    r"\[(?P<severity>\w+)\]")
_ADVISORY = re.compile(r"(?:\): |; )(?P<id>[\w.-]+)(?: \((?P<aliases>[^)]*)\))? \[(?:critical|high|medium|low|info)\]")


def _describe(call: str, reached: ReachedVulnerability, display_path: str, file_path: Path | None) -> str:
    vulnerable = reached.vulnerable
    advisories = "; ".join(
        f"{a.id}{' (' + ', '.join(a.aliases) + ')' if a.aliases else ''} [{a.severity.label}] {a.summary}"
        for a in sorted(vulnerable.advisories, key=lambda a: (-a.severity, a.id)))
    fix = f"upgrade to {vulnerable.fixed_version}" if vulnerable.fixed_version else "no fixed version known"
    label = vulnerable.package.label
    where = (f"of {label}, which has" if reached.hops == 0
             else f"(package {reached.entry}), which brings in {label} ({vulnerable.package.path.shown()}) with")
    count = len(vulnerable.advisories)
    return (f"`{call}` {where} {count} known {'vulnerability' if count == 1 else 'vulnerabilities'} "
            f"({_entry_place(reached, display_path, file_path)}): {advisories}; {fix}")


def _entry_place(reached: ReachedVulnerability, display_path: str, file_path: Path | None) -> str:
    """`path:line` of the vulnerable package's lockfile entry, the path as the same scan shows the file's."""
    name = reached.lockfile.name
    if file_path is not None:
        relative = os.path.relpath(reached.lockfile, file_path.parent).replace(os.sep, "/")
        name = posixpath.normpath(posixpath.join(posixpath.dirname(display_path), relative))
    return f"{name}:{reached.vulnerable.package.line or 1}"


def finish(finding: Finding) -> Finding:
    """An NW608 finding with the advisory's severity and the lockfile entry among its related places, in one
    file or across files alike."""
    match = _ENTRY.search(finding.message)
    if finding.rule_id != VulnerableDependencyReached.id or match is None:
        return finding
    line = int(match.group("line"))
    entry = TraceStep(Location(match.group("path"), line, 1, line, 1), "the lockfile entry of the vulnerable package")
    label = match.group("severity").upper()
    severity = Severity[label] if label in Severity.__members__ else finding.severity
    return replace(finding, severity=severity, related=(*finding.related, entry))


def advisory_ids(finding: Finding) -> list[tuple[str, ...]]:
    """The ids of each advisory an NW608 finding names, with their aliases (`NSWG-ECO-458`, `CVE-2018-...`)."""
    groups = []
    for match in _ADVISORY.finditer(finding.message):
        aliases = match.group("aliases")
        groups.append((match.group("id"), *(a.strip() for a in aliases.split(",") if a.strip())) if aliases
                      else (match.group("id"),))
    return groups


class VulnerableDependencyReached(TaintRule):
    id = "NW608"
    name = "vulnerable-dependency-reached"
    title = "Data from outside reaches a dependency with a known vulnerability"
    cwe = (1395,)
    owasp = "A06"
    severity = Severity.MEDIUM  # the scan gives each finding its advisory's severity (`finish`)
    confidence = Confidence.MEDIUM
    # A source reaching the package says it is reached, not that its vulnerable function is called.
    flow_confidence = Confidence.MEDIUM
    fix = "Upgrade the vulnerable package (or the one that brings it in) to a fixed version."
    visits = ("call_expression", "new_expression")
    sink_class = "dependency"
    needs_project = True

    def _reached(self, node: Node, ctx: RuleContext) -> tuple[str, ReachedVulnerability] | None:
        name = ctx.call_name(node)
        if name is None:
            return None
        # Not `file_path`, which would keep the result out of the cache: what is read here (the nearest lockfile,
        # the package.json beside it, the advisories) is part of the cache's key (resultcache.surroundings_of).
        entries = vulnerable_entries(ctx.disk_file, ctx.disk_root)
        package = package_of(name, entries) if entries else None
        if package is None:
            return None
        near = [r for r in entries[package] if r.hops <= MAX_HOPS]
        return (name, near[0]) if near else None

    def sinks(self, node: Node, ctx: RuleContext) -> Iterator[Sink]:
        found = self._reached(node, ctx)
        if found is None:
            return
        name, reached = found
        description = _describe(name, reached, ctx.display_path, ctx.disk_file)
        for argument in ctx.arguments(node):
            yield Sink(node, argument, description, reports_unknown_origin=False)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        yield from super().check(node, ctx)
        if ctx.method_name(node) in MIDDLEWARE_METHODS:
            yield from self._mounted(node, ctx)

    def _mounted(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        for argument in ctx.arguments(node):
            middleware = unwrap(argument)
            if middleware.type not in ("call_expression", "new_expression"):
                continue
            found = self._reached(middleware, ctx)
            if found is None:
                continue
            name, reached = found
            yield ctx.report(middleware, "every request reaches middleware "
                             f"{_describe(name, reached, ctx.display_path, ctx.disk_file)}")
