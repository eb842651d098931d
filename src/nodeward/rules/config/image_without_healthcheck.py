"""## What it finds
A Dockerfile whose final stage has no `HEALTHCHECK` (or `HEALTHCHECK NONE`).

## Why it matters
Without a health check Docker and compose consider a hung or half-started app healthy: it keeps
receiving traffic and is never restarted. (Kubernetes uses its own probes; there this is fine.)

## How to fix
Add `HEALTHCHECK CMD node healthcheck.js` (a small script that requests the app's health
endpoint), or suppress the rule where orchestrator probes are used.

## Bad
```dockerfile
FROM node:22-alpine
CMD ["node", "server.js"]
```

## Good
```dockerfile
FROM node:22-alpine
HEALTHCHECK --interval=30s CMD ["node", "healthcheck.js"]
CMD ["node", "server.js"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class ImageWithoutHealthcheck(Rule):
    id = "NW712"
    name = "image-without-healthcheck"
    title = "Image without HEALTHCHECK"
    cwe = (754,)
    owasp = "A09"
    severity = Severity.LOW
    confidence = Confidence.LOW
    fix = "Add a HEALTHCHECK to the final stage (or rely on orchestrator probes and suppress this rule)."
    category = "config"
