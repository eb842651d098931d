"""## What it finds
An `npm ci`/`npm install` (or `yarn install`) in the final stage of a Dockerfile without
`--omit=dev` (`--production`), with no `NODE_ENV=production` before it and no `npm prune
--omit=dev` after it. Not when the `package.json` beside the Dockerfile (its build context) declares no
`devDependencies`: then there are none to ship.

## Why it matters
Dev dependencies (test runners, bundlers, type checkers, their hundreds of transitive packages)
have no business in production: each is code an attacker can reach in the running container, and
each advisory against them becomes yours.

## How to fix
Install with `npm ci --omit=dev` in the runtime stage, or build with all dependencies in a build
stage and copy only the pruned `node_modules` into the final one.

## Bad
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci
```

## Good
```dockerfile
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class DevDependenciesInFinalImage(Rule):
    id = "NW709"
    name = "dev-dependencies-in-final-image"
    title = "Dev dependencies installed in the final image"
    cwe = (1357,)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Install with `npm ci --omit=dev` in the final stage (or build in an earlier stage and prune)."
    category = "config"
