"""## What it finds
Lockfile entries resolved from a registry host that is neither the public npm registry (or yarn's
mirror of it) nor a registry configured in an `.npmrc` of the scanned project.

## Why it matters
A lockfile that points some packages at an unexpected host is how dependency-confusion and
lockfile-injection attacks look: a pull request that changes one `resolved` URL is easy to miss in
review, and the package then comes from whoever controls that host (CWE-829).

## How to fix
If the host is your private registry, declare it in `.npmrc` (`registry=` or `@scope:registry=`) so the
lockfile matches the configuration. Otherwise regenerate the lockfile from the registry you trust.

## Bad
```json
"node_modules/lodash": {
  "resolved": "https://npm.evil.example/lodash/-/lodash-4.17.21.tgz"
}
```

## Good
```json
"node_modules/lodash": {
  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
}
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class UntrustedRegistryHost(Rule):
    id = "NW603"
    name = "untrusted-registry-host"
    title = "Dependency resolved from an unexpected registry host"
    cwe = (829,)
    owasp = "A08"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Declare the registry in .npmrc, or regenerate the lockfile from a trusted registry."
    category = "dependencies"
    visits = ()
