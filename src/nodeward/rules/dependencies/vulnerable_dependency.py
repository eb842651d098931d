"""## What it finds
Installed packages whose exact version (from `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
`pnpm-lock.yaml` or `bun.lock`) is affected by a published security advisory in nodeward's offline
advisory database. Each finding lists the advisories with their aliases (CVE, GHSA), severity and
summary, the lowest version that fixes all of them, whether the package is a direct or transitive and
a production or dev dependency, and the dependency path from a direct dependency. Without a lockfile
the lowest version each `package.json` range allows is checked instead, with low confidence.

## Why it matters
Components with known vulnerabilities are one of the most common ways an application is exploited
(OWASP A06): the advisory tells attackers exactly what to send, and the vulnerable code runs inside
your process whether your own code is careful or not.

## How to fix
Upgrade the package to the fixed version shown (for a transitive package, upgrade the direct dependency
at the start of the path to a release that pulls the fixed version in, or use npm `overrides`, yarn
`resolutions` or pnpm `overrides`). Run `nodeward db update` regularly so that new advisories are known.

## Bad
```json
"node_modules/lodash": {
  "version": "4.17.4",
  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.4.tgz"
}
```

## Good
```json
"node_modules/lodash": {
  "version": "4.17.21",
  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
}
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class VulnerableDependency(Rule):
    id = "NW601"
    name = "vulnerable-dependency"
    title = "Dependency with a known vulnerability"
    cwe = (1395,)
    owasp = "A06"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Upgrade the package to the fixed version shown, or override the transitive version."
    category = "dependencies"
    visits = ()
