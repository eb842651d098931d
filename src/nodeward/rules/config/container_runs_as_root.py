"""## What it finds
A container whose process runs as root: a Dockerfile whose final stage has no `USER` (or whose
last `USER` is `root`/`0`, or which sets `USER` only in a build stage), a compose service with
`user: root`, a Kubernetes container whose security context does not set `runAsNonRoot: true` or sets
`runAsUser: 0`. Base images known to run as non-root (distroless `:nonroot`, Chainguard, Bitnami) are
not reported.

## Why it matters
Root in a container is root on the host's kernel. One bug in the app (command injection, a
path traversal, a vulnerable dependency) then runs with every permission inside the container, and any
kernel or runtime flaw or an over-generous mount becomes a host compromise.

## How to fix
Create or pick an unprivileged user and switch to it in the final stage (`USER node` for the
official Node.js images), after the files the app must own are copied with `--chown`. In Kubernetes,
set `runAsNonRoot: true` and a non-zero `runAsUser` in the security context.

## Bad
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY . .
CMD ["node", "server.js"]
```

## Good
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY --chown=node:node . .
USER node
CMD ["node", "server.js"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class ContainerRunsAsRoot(Rule):
    id = "NW701"
    name = "container-runs-as-root"
    title = "Container runs as root"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = (
        "Run as an unprivileged user: USER in the final stage, runAsNonRoot/runAsUser in Kubernetes, "
        "a non-root `user:` in compose."
    )
    category = "config"
