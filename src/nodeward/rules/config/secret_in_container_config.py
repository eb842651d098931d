"""## What it finds
A secret-looking setting with a literal value: a Dockerfile `ENV` or `ARG` whose name says
password, token, secret or key (or whose value the secret detectors recognise as a token), a compose
`environment:` entry, or a Kubernetes container `env` entry with a literal `value:`. `ARG` secrets
without a value and `ENV` copying an `ARG` are reported too: both end up in the image. The token itself
is also reported by the secrets rules (NW501/NW502); this rule is about the setting.

## Why it matters
Image layers and their metadata (`docker history`, `docker inspect`) are readable by everyone
who can pull the image; compose files and manifests are committed and copied around. A secret placed
there leaks to every registry, CI log and laptop the image or file reaches, and cannot be rotated
without rebuilding.

## How to fix
Mount build secrets with `RUN --mount=type=secret,id=npm_token ...`; pass run-time secrets with
compose `secrets:` or `environment: KEY: ${KEY}` from the deploying environment, and with
`valueFrom.secretKeyRef` in Kubernetes.

## Bad
```dockerfile
FROM node:22-alpine
ENV JWT_SECRET=8f2b1c9e0d7a4f36b5e1c2d3a4b5c6d7
ARG NPM_TOKEN
```

## Good
```dockerfile
FROM node:22-alpine
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --omit=dev
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SecretInContainerConfig(Rule):
    id = "NW702"
    name = "secret-in-container-config"
    title = "Secret written into container or deployment configuration"
    cwe = (798, 538)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = (
        "Pass secrets at run time from a secret store (BuildKit secret mounts, compose/Kubernetes secrets), "
        "never as ENV, ARG or env literals."
    )
    category = "config"
