"""## What it finds
Settings that switch TLS certificate verification off: `strict-ssl=false` in `.npmrc`,
`NODE_TLS_REJECT_UNAUTHORIZED=0` in a Dockerfile `ENV`, compose or Kubernetes environment,
`npm config set strict-ssl false`, `curl -k`, `wget --no-check-certificate` and `git config
http.sslVerify false` in Dockerfile `RUN` instructions.

## Why it matters
Without certificate checks anyone on the network path can impersonate the registry or the API:
they serve modified packages or read credentials sent to it.

## How to fix
Trust the private CA instead of disabling checks: `cafile=/path/ca.pem` in `.npmrc`,
`NODE_EXTRA_CA_CERTS=/path/ca.pem` for Node.js.

## Bad
```ini
strict-ssl=false
```

## Good
```ini
cafile=/etc/ssl/certs/corp-ca.pem
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class TlsVerificationDisabledInConfig(Rule):
    id = "NW723"
    name = "tls-verification-disabled-in-config"
    title = "TLS certificate checks disabled in configuration"
    cwe = (295,)
    owasp = "A02"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Keep certificate checks on; trust a private CA with `cafile=` / NODE_EXTRA_CA_CERTS instead."
    category = "config"
