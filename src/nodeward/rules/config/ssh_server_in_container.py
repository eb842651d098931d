"""## What it finds
A Dockerfile that exposes port 22, installs `openssh-server` or starts `sshd`.

## Why it matters
An SSH server is another way in, with its own credentials to leak and its own vulnerabilities;
containers are reached with `docker exec` or `kubectl exec`, which use the orchestrator's access
control.

## How to fix
Remove the SSH server and the `EXPOSE 22`.

## Bad
```dockerfile
FROM node:22-alpine
RUN apk add --no-cache openssh-server
EXPOSE 22
```

## Good
```dockerfile
FROM node:22-alpine
EXPOSE 3000
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SshServerInContainer(Rule):
    id = "NW711"
    name = "ssh-server-in-container"
    title = "SSH server in a container"
    cwe = (284,)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Do not run sshd in application containers; use `docker exec` / `kubectl exec` for access."
    category = "config"
