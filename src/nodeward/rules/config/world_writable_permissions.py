"""## What it finds
`chmod 777`, `chmod -R 777`, `chmod o+w` and `COPY --chmod=777` in a Dockerfile, and files or
directories of the scanned tree that are world-writable on disk (directories with the sticky bit,
like `/tmp`, are reported as low).

## Why it matters
Anyone (any user in the container or on the host) can replace a world-writable file: the app's
code, its configuration, its static files. That turns a foothold as any user into code execution as
the app.

## How to fix
Make the app's user the owner (`COPY --chown=node:node`, `chown`) and use 0755 for directories and
0644 (or 0600) for files; on disk, `chmod o-w` the reported paths.

## Bad
```dockerfile
FROM node:22-alpine
COPY . /app
RUN chmod -R 777 /app
```

## Good
```dockerfile
FROM node:22-alpine
COPY --chown=node:node . /app
RUN chmod -R u=rwX,go=rX /app
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class WorldWritablePermissions(Rule):
    id = "NW706"
    name = "world-writable-permissions"
    title = "World-writable files or directories"
    cwe = (732,)
    owasp = "A01"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Give files to the user that needs them (chown) with 0644/0755 or tighter; never 777."
    category = "config"
