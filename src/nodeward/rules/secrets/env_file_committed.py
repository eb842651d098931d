"""## What it finds
A `.env` file (`.env`, `.env.production`, `.env.local`...) with real values that is tracked by git,
was committed once and deleted later, or sits in the project without being ignored by git (one
`git add .` away from being committed). `.env.example`, `.env.sample` and `.env.template` with
placeholder values are not reported; secrets inside any `.env` file are also reported by NW501/NW502
with the key name.

## Why it matters
`.env` files hold the credentials of an environment by design; committed, they hand those to
everyone with a clone, for ever (history keeps deleted files).

## How to fix
Add `.env*` (except `.env.example`) to `.gitignore`, `git rm --cached` the file, rotate the values it
held, and commit an `.env.example` with placeholders.

## Bad
```sh
git add .env.production
```

## Good
```sh
echo ".env*" >> .gitignore && echo "!.env.example" >> .gitignore
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class EnvFileCommitted(Rule):
    id = "NW505"
    name = "env-file-committed"
    title = "Environment file with real values tracked, committed or not ignored"
    cwe = (312, 538)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Ignore .env files in git, untrack them, rotate their values, commit an .env.example instead."
    category = "secrets"
