"""## What it finds
Packages installed from a git repository (`git+ssh://`, `github:user/repo`, ...) or from a tarball URL
instead of from a registry.

## Why it matters
Such dependencies bypass the registry's guarantees: nothing stops a branch or tag from being moved, a
tarball URL from serving different content tomorrow, or the repository from being taken over. They get
no advisories either, so `nodeward` and `npm audit` cannot tell you when they are vulnerable (CWE-829).

## How to fix
Depend on a published version from the registry. If you must use git, pin a full commit hash and review
the code you pull in.

## Bad
```json
"node_modules/my-fork": {
  "resolved": "git+ssh://git@github.com/someone/my-fork.git#master"
}
```

## Good
```json
"node_modules/my-fork": {
  "resolved": "https://registry.npmjs.org/my-fork/-/my-fork-2.0.1.tgz"
}
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class GitOrTarballDependency(Rule):
    id = "NW604"
    name = "git-or-tarball-dependency"
    title = "Dependency installed from git or a tarball URL"
    cwe = (829,)
    owasp = "A08"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    fix = "Depend on a registry release, or pin the exact commit and review it."
    category = "dependencies"
    visits = ()
