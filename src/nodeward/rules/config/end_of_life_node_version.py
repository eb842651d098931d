"""## What it finds
A `package.json` `engines.node` range whose lowest version is an end-of-life Node.js release
(low), and a Dockerfile base image of an end-of-life Node.js line (`node:16-alpine`,
`node:gallium`) (medium). The `engines` of a published package (a library as npm ships it, see
NW607) say which Node.js versions it supports, not which one runs in production: not reported.

## Why it matters
End-of-life Node.js lines get no security fixes: HTTP parser, TLS and permission-model
vulnerabilities found after the end date stay open for ever.

## How to fix
Move to an active LTS line and raise `engines.node` (for example `>=22`) so installs on old
versions are refused.

## Bad
```json
{"engines": {"node": ">=14"}}
```

## Good
```json
{"engines": {"node": ">=22"}}
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class EndOfLifeNodeVersion(Rule):
    id = "NW722"
    name = "end-of-life-node-version"
    title = "End-of-life Node.js version"
    cwe = (1104,)
    owasp = "A06"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    fix = "Require and run a supported Node.js LTS line (engines.node and the base image)."
    category = "config"
