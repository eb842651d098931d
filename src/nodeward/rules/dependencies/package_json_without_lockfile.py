"""## What it finds
A `package.json` that declares dependencies with no lockfile (`package-lock.json`,
`npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`) in its folder or any folder above it.
The message counts the runtime dependencies (`dependencies`, `optionalDependencies`); a package that
declares only dev dependencies is not reported.

Not reported either, because they have no lockfile by design:
- a published package: not `private`, with a name and a version, and either declaring what it
  publishes (`files`, `publishConfig`), carrying the `_resolved`/`_integrity` fields npm adds on
  install, or laid out as an unpacked tarball (`npm pack`, a download from the registry): npm never
  packs a `.gitignore` or `.git`, which the source checkout of a package has beside its package.json.
  A lockfile is never published, and its consumers resolve its ranges themselves;
- a project whose `.npmrc` (in its folder or above) says `package-lock=false` (or pnpm's
  `lockfile=false`): a deliberate choice, usually of a library.

## Why it matters
Without a lockfile every install resolves the ranges again: builds differ from machine to machine, a
newly published (possibly malicious) release is picked up without review, and nobody can say which
versions run in production, so vulnerability checks can only guess (CWE-1357). nodeward then checks the
lowest version each range allows, and says the result is approximate.

## How to fix
Run `npm install` (or your package manager's equivalent) and commit the lockfile; install with
`npm ci` in CI and deployments.

## Bad
```json
{ "name": "app", "dependencies": { "express": "^4.18.0" } }
```

## Good
```json
{ "name": "app", "dependencies": { "express": "^4.18.0" } }
```
with `package-lock.json` committed beside it.
"""

from __future__ import annotations

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class PackageJsonWithoutLockfile(Rule):
    id = "NW607"
    name = "package-json-without-lockfile"
    title = "package.json without a lockfile"
    cwe = (1357,)
    owasp = "A08"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    fix = "Commit the lockfile your package manager writes, and install with `npm ci`."
    category = "dependencies"
    visits = ()
