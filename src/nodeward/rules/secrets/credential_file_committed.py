"""## What it finds
Files whose purpose is to hold credentials, committed to the repository: an `.npmrc` with a literal
`_authToken`, `_auth` or `_password`, a `.netrc`, a Google service-account JSON key, an AWS
`credentials` file, a PKCS#12 keystore (`.p12`, `.pfx`) or an SSH private key file (`id_rsa`...).

## Why it matters
These files are read by tools automatically (npm, curl, git, cloud SDKs), so the credential in them
is live by construction, often with publish or admin rights.

## How to fix
Rotate the credential. Keep the file in your home directory or inject it in CI; in a project
`.npmrc` reference the environment: `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`.

## Bad
```ini
//registry.npmjs.org/:_authToken=<a real token>
```

## Good
```ini
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class CredentialFileCommitted(Rule):
    id = "NW506"
    name = "credential-file-committed"
    title = "Credential file committed to the repository"
    cwe = (798, 312)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Rotate the credential, remove the file from the repository and reference the environment instead."
    category = "secrets"
