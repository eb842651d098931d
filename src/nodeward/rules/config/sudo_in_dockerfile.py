"""## What it finds
`sudo` in a `RUN` instruction.

## Why it matters
Build steps already run as the current `USER`; `sudo` in an image means sudo is installed and
configured, so anyone who gets a shell as the app user can become root in the container.

## How to fix
Switch with `USER root` for the steps that need it and back with `USER node`; remove sudo from
the image.

## Bad
```dockerfile
FROM node:22-alpine
USER node
RUN sudo apk add --no-cache curl
```

## Good
```dockerfile
FROM node:22-alpine
RUN apk add --no-cache curl
USER node
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SudoInDockerfile(Rule):
    id = "NW705"
    name = "sudo-in-dockerfile"
    title = "sudo used in a Dockerfile"
    cwe = (250,)
    owasp = "A05"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Run the step as root with USER root before it and switch back to the app user after it; do not install sudo."
    category = "config"
