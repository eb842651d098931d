"""## What it finds
Registry packages in a lockfile that carry no integrity hash (`integrity` in npm and yarn classic,
`checksum` in yarn Berry, `resolution.integrity` in pnpm, the hash in `bun.lock`). One finding per
lockfile says how many of its registry entries lack the hash and names the first few: the cause is
how the lockfile was written, not each package. Entries that cannot carry a hash of their own are not
counted: bundled packages (`"bundled": true`, `"inBundle": true`: they come inside their parent's
tarball), local folders (`file:`, `link:`, workspaces) and git dependencies (pinned by commit).

## Why it matters
Without the hash the package manager cannot tell whether the tarball it downloads today is the one that
was reviewed and locked: a compromised registry, mirror or proxy can serve anything (CWE-353).

## How to fix
Regenerate the lockfile with a current package manager (old yarn 1 and npm 5 releases did not always
record hashes), and do not strip `integrity` fields when editing lockfiles.

## Bad
```text
lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"
```

## Good
```text
lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"
  integrity sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==
```
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class MissingIntegrityHash(Rule):
    id = "NW605"
    name = "missing-integrity-hash"
    title = "Lockfile entry without an integrity hash"
    cwe = (353,)
    owasp = "A08"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    fix = "Regenerate the lockfile so that every registry package has an integrity hash."
    category = "dependencies"
    visits = ()
