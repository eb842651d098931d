"""## What it finds
Lockfile entries whose package is downloaded over plain `http://`.

## Why it matters
Anyone on the network path (a café Wi-Fi, a compromised proxy, a CI runner's network) can replace the
tarball in transit with one that runs their code at install time or in production (CWE-494). An
integrity hash in the lockfile helps only when it was recorded from a trustworthy download.

## How to fix
Point the registry at an `https://` URL (`registry=https://...` in `.npmrc`, `npmRegistryServer` in
`.yarnrc.yml`), then regenerate the lockfile.

## Bad
```json
"node_modules/left-pad": {
  "resolved": "http://registry.example.com/left-pad/-/left-pad-1.3.0.tgz"
}
```

## Good
```json
"node_modules/left-pad": {
  "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"
}
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class InsecureRegistryUrl(Rule):
    id = "NW602"
    name = "insecure-registry-url"
    title = "Dependency downloaded over plain HTTP"
    cwe = (319, 494)
    owasp = "A08"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Use an https:// registry URL and regenerate the lockfile."
    category = "dependencies"
    visits = ()
