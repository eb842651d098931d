"""## What it finds
Installed packages that run a `preinstall`, `install` or `postinstall` script (npm's
`hasInstallScript`, pnpm's `requiresBuild`, Bun's `hasInstallScript`), listed so that they can be
reviewed: one finding per lockfile, at the first such package, naming how many there are (production
and dev) and the first few with the dependency that brings each in. This is information, not a
vulnerability.

## Why it matters
Install scripts run with your user's rights on every developer machine and CI runner that installs the
project, before any of your code or tests run. Most malicious npm packages do their damage there
(CWE-506), so the list of packages allowed to run them deserves a look.

## How to fix
Review the packages listed. Install with `--ignore-scripts` where you can, and allow scripts only for
the packages that need them (pnpm `onlyBuiltDependencies`, Bun `trustedDependencies`, yarn
`dependenciesMeta.<name>.built`).

## Bad
```json
"node_modules/core-js": {
  "version": "2.6.12",
  "hasInstallScript": true
}
```

## Good
```json
"node_modules/core-js": {
  "version": "3.39.0"
}
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class DependencyInstallScript(Rule):
    id = "NW606"
    name = "dependency-install-script"
    title = "Dependency runs an install script"
    cwe = (506,)
    owasp = "A08"
    severity = Severity.INFO
    confidence = Confidence.HIGH
    fix = "Review the package's install script; allow scripts only for packages that need them."
    category = "dependencies"
    visits = ()
