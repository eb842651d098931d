"""## What it finds
Files in the scanned directory whose mode lets the group or everyone read them although they
are private: private keys, `.env` files, credential files (`.netrc`, `.pgpass`, `.git-credentials`,
cloud credentials), logs, database files (SQLite, Redis dumps) and crash dumps (core files, heap
snapshots, Node.js diagnostic reports). The modes on disk are checked, not the names in git.

## Why it matters
On a shared host or in a container with several processes, every other user (a compromised
service, a co-tenant, a backup job) can read what a world-readable file holds: keys, passwords,
session tokens in logs, and the full memory of the process in a core dump or heap snapshot.

## How to fix
`chmod 600` keys, `.env` and credential files; `chmod 640` (or tighter) logs and databases; set a
restrictive umask (`umask 077`) for the service that writes them.

## Bad
```sh
$ ls -l .env server.key
-rw-r--r-- 1 app app  512 .env
-rw-r--r-- 1 app app 1704 server.key
```

## Good
```sh
$ chmod 600 .env server.key && ls -l .env server.key
-rw------- 1 app app  512 .env
-rw------- 1 app app 1704 server.key
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SensitiveFileReadableByOthers(Rule):
    id = "NW725"
    name = "sensitive-file-readable-by-others"
    title = "Sensitive file readable by other users"
    cwe = (732,)
    owasp = "A01"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "chmod 600 keys, .env and credential files (640 for logs and databases shared with a group)."
    category = "config"
