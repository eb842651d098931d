"""## What it finds
`registry=http://...` and `@scope:registry=http://...` in `.npmrc`, and `npm config set registry
http://...` or `--registry=http://...` in Dockerfile `RUN` instructions.

## Why it matters
Packages and the credentials sent to the registry travel in clear: anyone on the network path
can read the token and replace tarballs with ones that run code at install time.

## How to fix
Point the registry at its `https://` URL.

## Bad
```ini
registry=http://npm.internal.example.com/
```

## Good
```ini
registry=https://npm.internal.example.com/
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class InsecureRegistryInNpmConfig(Rule):
    id = "NW724"
    name = "insecure-registry-in-npm-config"
    title = "npm registry configured over plain HTTP"
    cwe = (319, 494)
    owasp = "A08"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Use an https:// registry URL."
    category = "config"
