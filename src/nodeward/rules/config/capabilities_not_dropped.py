"""## What it finds
A compose service without `cap_drop: [ALL]`, or a Kubernetes container whose
`securityContext.capabilities.drop` does not hold `ALL`.

## Why it matters
Containers start with a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`, `NET_RAW`,
`SETUID`...) that a Node.js app does not need; each helps an attacker who gets in.

## How to fix
`cap_drop: [ALL]` (compose) or `capabilities: {drop: [ALL]}` (Kubernetes), then `cap_add` the one
capability a process really needs.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
```

## Good
```yaml
services:
  api:
    image: acme/api:1.4.2
    cap_drop: [ALL]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class CapabilitiesNotDropped(Rule):
    id = "NW719"
    name = "capabilities-not-dropped"
    title = "Default capabilities not dropped"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Drop all capabilities (cap_drop: [ALL], capabilities.drop: [ALL]) and add back only the ones needed."
    category = "config"
