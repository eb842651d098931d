"""## What it finds
`COPY` or `ADD` of a secret file (`.env`, `*.pem`, `*.key`, `id_rsa`, `.npmrc`, `.aws`, `.ssh`),
and `COPY . .` (the whole build context) when no `.dockerignore` beside the Dockerfile excludes
`.env`, `.git`, `node_modules` and keys: at high severity when such a file (or `.git`) is in the
context, and as a low-confidence precaution (hidden by default) when none is there yet.

## Why it matters
Every file copied into a layer stays in the image, even when a later `RUN rm` deletes it:
`docker save` and any registry user can read it. `.git` holds the whole history (with secrets
removed long ago), and a host `node_modules` brings binaries built for another platform and
packages outside the lockfile.

## How to fix
Write a `.dockerignore` that excludes `.env*`, `.git`, `node_modules`, `*.pem`, `*.key` and
other local files; copy only what the app needs; pass secrets with `RUN --mount=type=secret`.

## Bad
```dockerfile
FROM node:22-alpine
COPY .env /app/.env
COPY . /app
```

## Good
```dockerfile
FROM node:22-alpine
COPY package.json package-lock.json /app/
COPY src /app/src
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SecretFileCopiedIntoImage(Rule):
    id = "NW703"
    name = "secret-file-copied-into-image"
    title = "Secret files copied into the image"
    cwe = (538,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Do not COPY secrets; add .env, .git, node_modules and key files to .dockerignore before `COPY . .`."
    category = "config"
