"""## What it finds
Private keys, `.env` files, credential files, logs, database files, crash dumps and `.git`
directories inside a directory that web servers and `express.static` commonly serve as they are
(`public/`, `static/`, `www/`, `htdocs/`...).

## Why it matters
Everything inside a statically served directory is one URL away: `GET /.env`, `GET /.git/config`
and `GET /server.key` are among the first requests every scanner on the internet sends.

## How to fix
Move the file out of the served directory (and rotate what it held if it was ever deployed);
serve only the build output.

## Bad
```sh
public/
  index.html
  .env
  backup.sqlite
```

## Good
```sh
public/
  index.html
.env          (outside the served directory, mode 600)
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SensitiveFileInServedDirectory(Rule):
    id = "NW726"
    name = "sensitive-file-in-served-directory"
    title = "Sensitive file inside a publicly served directory"
    cwe = (538, 527)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    fix = "Keep keys, .env files, databases and .git out of directories the web server serves."
    category = "config"
