"""## What it finds
Volumes that mount the Docker (or containerd, CRI-O) socket, the host's `/`, `/etc`, `/root`,
`/proc`, `/sys`, `/dev` and similar into a compose service, and Kubernetes `hostPath` volumes (sensitive
paths by severity, any other host path as medium).

## Why it matters
The Docker socket is root on the host: whoever reaches it starts a privileged container with the
host disk mounted. `/etc` and `/` let the container rewrite the host's users, cron jobs and binaries.

## How to fix
Mount named volumes or the one data directory the app needs, read-only where possible; for
Docker-in-Docker needs use a rootless builder or a socket proxy with a narrow allow-list.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
```

## Good
```yaml
services:
  api:
    image: acme/api:1.4.2
    volumes:
      - uploads:/app/uploads
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SensitiveHostPathMounted(Rule):
    id = "NW716"
    name = "sensitive-host-path-mounted"
    title = "Sensitive host path mounted into a container"
    cwe = (668,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Do not mount the Docker socket or host system directories; mount only the data directory the app needs."
    category = "config"
