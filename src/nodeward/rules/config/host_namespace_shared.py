"""## What it finds
A compose service with `network_mode: host`, `pid: host` or `ipc: host`, a Kubernetes pod with
`hostNetwork`, `hostPID` or `hostIPC`.

## Why it matters
With the host's network the container reaches every service bound to localhost on the host (and
cloud metadata without restrictions); with the host's PIDs it sees and signals every process; with the
host's IPC it reads shared memory of other programs.

## How to fix
Use the default isolated namespaces; publish the ports the app serves.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
    network_mode: host
```

## Good
```yaml
services:
  api:
    image: acme/api:1.4.2
    ports: ["3000:3000"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class HostNamespaceShared(Rule):
    id = "NW715"
    name = "host-namespace-shared"
    title = "Container shares a host namespace"
    cwe = (668,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Remove network_mode/pid/ipc: host and hostNetwork/hostPID/hostIPC; publish ports instead."
    category = "config"
