"""## What it finds
`privileged: true` on a compose service or in a Kubernetes container's security context.

## Why it matters
A privileged container has every capability, every device and no seccomp or AppArmor filter:
root in it is root on the host (mount the host disk, load kernel modules).

## How to fix
Drop `privileged`; if the container needs one kernel feature, add that one capability.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
    privileged: true
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


class PrivilegedContainer(Rule):
    id = "NW713"
    name = "privileged-container"
    title = "Privileged container"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    fix = "Remove privileged mode; add only the capabilities the container needs."
    category = "config"
