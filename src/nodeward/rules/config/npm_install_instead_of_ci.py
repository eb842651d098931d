"""## What it finds
`npm install` (or `npm i`) without package names, and `yarn install` without
`--frozen-lockfile`/`--immutable`, in a Dockerfile `RUN`.

## Why it matters
`npm install` may resolve versions other than the lockfile's and rewrite it: the image then holds
dependencies nobody reviewed or audited, and builds of the same commit differ.

## How to fix
Copy `package.json` and the lockfile, then run `npm ci` (it fails when the two disagree).

## Bad
```dockerfile
FROM node:22-alpine
COPY package.json package-lock.json ./
RUN npm install
```

## Good
```dockerfile
FROM node:22-alpine
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class NpmInstallInsteadOfCi(Rule):
    id = "NW708"
    name = "npm-install-instead-of-ci"
    title = "npm install in an image build"
    cwe = (1357,)
    owasp = "A08"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    fix = "Use `npm ci` (or `yarn install --frozen-lockfile` / `--immutable`) in image builds."
    category = "config"
