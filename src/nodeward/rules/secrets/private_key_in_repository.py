"""## What it finds
A private key (PEM `-----BEGIN ... PRIVATE KEY-----` with its body, OpenSSH, PGP private key block),
in a key file (`.pem`, `.key`, `id_rsa`) or embedded in code or JSON: on one line with `\n` or `\r\n`
escapes (also escaped twice), split over string concatenations (the header too: `'-----BEGIN ' +
'RSA PRIVATE KEY-----\n' + ...`) or array items joined, in a template literal, in a JSON string (a
Google service-account file), or base64-encoded (a blob that decodes to a key, as in a Kubernetes
Secret, also wrapped over lines as `base64` writes it or over concatenated strings). A header without
a key body (in documentation or in code that parses keys) is not reported. No report shows any part of the key body.

## Why it matters
Whoever holds a private key can impersonate its owner: sign tokens, decrypt TLS traffic, log in over
SSH, publish signed releases.

## How to fix
Treat the key as compromised: revoke it and issue a new one. Keep keys out of the repository (a
secret manager, a mounted file, an environment variable) and add `*.pem`, `*.key` to `.gitignore`.

## Bad
```js
const key = `-----BEGIN RSA PRIVATE KEY-----
<base64 body of the key>
-----END RSA PRIVATE KEY-----`;
```

## Good
```js
const key = fs.readFileSync(process.env.SIGNING_KEY_FILE, "utf8");
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class PrivateKeyInRepository(Rule):
    id = "NW503"
    name = "private-key-in-repository"
    title = "Private key committed to the repository"
    cwe = (798, 321)
    owasp = "A02"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    fix = "Revoke the key, issue a new one, and load it from outside the repository."
    category = "secrets"
