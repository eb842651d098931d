"""## What it finds
A Kubernetes container whose security context does not set `allowPrivilegeEscalation: false`, and
a compose service without `no-new-privileges:true` in `security_opt` (low).

## Why it matters
Without the no-new-privileges flag a process can gain privileges through setuid binaries (`su`,
`passwd`, anything an attacker can find or plant), turning a compromise of the app user into root.

## How to fix
Set `allowPrivilegeEscalation: false` in every container's security context, and
`security_opt: ["no-new-privileges:true"]` in compose.

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
    security_opt: ["no-new-privileges:true"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class PrivilegeEscalationAllowed(Rule):
    id = "NW718"
    name = "privilege-escalation-allowed"
    title = "Privilege escalation not prevented"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Set `allowPrivilegeEscalation: false` (Kubernetes) or `security_opt: [no-new-privileges:true]` (compose)."
    category = "config"
