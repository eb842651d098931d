"""## What it finds
A credential file that `npm publish` would put into the package tarball: a `.env` file with real values
(not `.env.example`), a private key (`*.pem`, `*.key`, `id_rsa`...), a keystore (`*.p12`, `*.pfx`), a
`.netrc` with a password, a Google service-account key or an AWS credentials file, inside a package whose
package.json is not `"private": true`. What goes into the tarball follows npm's rules: the `files`
allow-list when there is one, otherwise everything that `.npmignore` (or, without it, `.gitignore`) does
not exclude. The message names the package and why the file is included. `.npmrc` files are never
reported here: npm leaves them out of every tarball.

## Why it matters
A published version cannot be changed and stays downloadable from the registry and its mirrors; anyone
who installs the package gets the file. `.gitignore` does not protect a file once a `.npmignore` exists:
npm then reads `.npmignore` only, so a `.env` kept out of git is published anyway.

## How to fix
List what the package needs in `files` (an allow-list: `"files": ["dist/"]`), or exclude the file in
`.npmignore`; set `"private": true` on packages that are not meant to be published. Check with
`npm pack --dry-run`. If a version with the file was published, rotate the credential.

## Bad
```json
{ "name": "my-lib", "version": "1.0.0", "main": "index.js" }
```
with `.env` next to it and a `.npmignore` that lists only `test/`.

## Good
```json
{ "name": "my-lib", "version": "1.0.0", "main": "dist/index.js", "files": ["dist/"] }
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SecretsShippedInNpmPackage(Rule):
    id = "NW507"
    name = "secrets-shipped-in-npm-package"
    title = "Credential file would be published in the npm package"
    cwe = (538, 312)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Add a `files` allow-list to package.json or exclude the file in .npmignore; rotate it if it was published."
    category = "secrets"
