"""## What it finds
A base image (`FROM`), compose `image:` or Kubernetes container `image:` that is untagged or
`:latest` (medium), or a Dockerfile base image with a tag but no `@sha256:` digest (low severity and low
confidence: an audit finding, shown with `--min-confidence low`).

## Why it matters
`latest` and tags move: two builds of the same commit get different base images, a rebuild
silently pulls a new major version, and a compromised or hijacked tag is picked up without review.

## How to fix
Name an explicit version (`node:22.11.0-alpine3.20`) and pin it by digest
(`node:22.11.0-alpine3.20@sha256:...`); let a bot (Renovate, Dependabot) update the digest.

## Bad
```dockerfile
FROM node:latest
```

## Good
```dockerfile
FROM node:22.11.0-alpine3.20@sha256:b64ced2e7cd0a4816699fe308ce6e8a08ccba463c757c00c14cd372e3d2c763e
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class UnpinnedContainerImage(Rule):
    id = "NW707"
    name = "unpinned-container-image"
    title = "Container image not pinned"
    cwe = (1357, 494)
    owasp = "A08"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Use a specific tag, and pin production images by digest (image:tag@sha256:...)."
    category = "config"
