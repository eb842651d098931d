"""## What it finds
A compose service without `read_only: true`, or a Kubernetes container without
`readOnlyRootFilesystem: true`.

## Why it matters
With a writable root file system an attacker who gets in can modify the app's code, drop tools
and persist until the next deploy.

## How to fix
Make the root file system read-only and mount writable `tmpfs` or volumes only where the app
writes (`/tmp`, an uploads directory).

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
    read_only: true
    tmpfs: [/tmp]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class WritableRootFilesystem(Rule):
    id = "NW720"
    name = "writable-root-filesystem"
    title = "Container root file system is writable"
    cwe = (732,)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = (
        "Set read_only: true (compose) or readOnlyRootFilesystem: true (Kubernetes) and mount a tmpfs "
        "for scratch space."
    )
    category = "config"
