"""## What it finds
Capabilities added to a container: compose `cap_add` and Kubernetes `securityContext.capabilities.add`.
`ALL`, `SYS_ADMIN` and `SYS_MODULE` are critical, `NET_ADMIN`, `SYS_PTRACE`, `DAC_READ_SEARCH` high, others
medium; `NET_BIND_SERVICE` and similar narrow ones are not reported.

## Why it matters
Capabilities are slices of root. `SYS_ADMIN` alone is enough for most known container escapes;
`NET_ADMIN` lets the container reroute and sniff traffic; `SYS_PTRACE` reads other processes.

## How to fix
Remove the capability; if a feature needs it, find the narrower one (`NET_BIND_SERVICE` to bind
port 80) or move that work out of the app container.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
    cap_add: [SYS_ADMIN]
```

## Good
```yaml
services:
  api:
    image: acme/api:1.4.2
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class DangerousCapabilityAdded(Rule):
    id = "NW714"
    name = "dangerous-capability-added"
    title = "Dangerous Linux capability added"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Add no capabilities beyond what the process needs (NET_BIND_SERVICE at most); drop ALL."
    category = "config"
