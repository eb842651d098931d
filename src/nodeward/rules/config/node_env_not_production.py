"""## What it finds
The final stage of a Node.js image (a `node` base image, or one that runs `node`/`npm`) that
does not set `NODE_ENV=production`, or sets it to something else.

## Why it matters
Express, and many libraries after it, switch on development behaviour when `NODE_ENV` is not
`production`: stack traces in error responses, verbose errors, no view caching, debug endpoints.

## How to fix
Add `ENV NODE_ENV=production` to the final stage.

## Bad
```dockerfile
FROM node:22-alpine
CMD ["node", "server.js"]
```

## Good
```dockerfile
FROM node:22-alpine
ENV NODE_ENV=production
CMD ["node", "server.js"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class NodeEnvNotProduction(Rule):
    id = "NW710"
    name = "node-env-not-production"
    title = "NODE_ENV not set to production in the image"
    cwe = (209, 489)
    owasp = "A05"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Set ENV NODE_ENV=production in the final stage of Node.js images."
    category = "config"
