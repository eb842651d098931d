"""## What it finds
A random-looking value (above an entropy floor, at least 8 characters) assigned to a secret-like
name (`password`, `secret`, `token`, `apiKey`, `auth`, `credentials`, `privateKey`...) in JS/TS,
JSON, YAML, `.env`, `.npmrc`, Dockerfiles and shell files. Placeholders (`${VAR}`, `<your-key>`,
`changeme`, `xxxx`), references to the environment, UUIDs, hashes and plain words are not reported;
values in test files are reported with low confidence.

## Why it matters
A password or key in the source is shared with everyone who can read the repository and cannot be
changed without a commit; it usually ends up the same in every environment.

## How to fix
Rotate the secret and read it from the environment (`process.env.DB_PASSWORD`) or a secret
manager; commit only an `.env.example` with placeholders.

## Bad
```js
const db = connect({ user: "app", password: "Zq3v9TfK2wLp8rXe" });
```

## Good
```js
const db = connect({ user: "app", password: process.env.DB_PASSWORD });
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class HardcodedGenericSecret(Rule):
    id = "NW502"
    name = "hardcoded-generic-secret"
    title = "High-entropy value assigned to a secret-like name"
    cwe = (798,)
    owasp = "A07"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Rotate the secret and read it from the environment or a secret manager."
    category = "secrets"
