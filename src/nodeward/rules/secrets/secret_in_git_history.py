"""## What it finds
A secret that is no longer in the working tree but is still in git history: it was committed in
some commit reachable from a branch or tag and removed later (`nodeward scan --history`). The
finding names the commit that introduced it, its author date and the path. Secrets still present
in the tree are reported by their own rules (NW501-NW503) and not again here.

## Why it matters
Deleting a file or a line does not delete it from history: every clone holds every past version.
A credential that was ever pushed must be considered leaked.

## How to fix
Revoke and rotate the credential; that is the fix. Rewriting history (`git filter-repo`) only helps
before anyone else has cloned or fetched, and needs every clone to be replaced.

## Bad
```sh
git commit -m "add config"   # config.js holds a live token
git rm config.js && git commit -m "remove config"   # the token is still in history
```

## Good
```sh
# rotate the token at the provider, then keep the new one out of the repository
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SecretInGitHistory(Rule):
    id = "NW504"
    name = "secret-in-git-history"
    title = "Secret removed from the tree but still in git history"
    cwe = (798, 312)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Revoke and rotate the credential: everyone with a clone still has it."
    category = "secrets"
