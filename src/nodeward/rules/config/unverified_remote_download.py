"""## What it finds
Commands that run what they download: `curl ... | sh`, `wget -O- ... | bash`, `bash <(curl ...)`,
`sh -c "$(curl ...)"` in Dockerfile `RUN` instructions and in `package.json` scripts, and
`ADD https://...` without `--checksum`.

## Why it matters
Whoever controls the server, the DNS answer or the network path at build or install time runs
code in your image or on every developer machine. Nothing records what was run, so a compromised
install script leaves no trace in the repository.

## How to fix
Download to a file, check it against a pinned SHA-256 (`echo "<sum>  file" | sha256sum -c`) or a
signature, then run it; prefer the distribution's package manager or `ADD --checksum=sha256:...`.

## Bad
```dockerfile
FROM node:22-alpine
RUN curl -fsSL https://example.com/install.sh | sh
```

## Good
```dockerfile
FROM node:22-alpine
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0b2a0c5b3c9 \\
    https://example.com/install.sh /tmp/
RUN sh /tmp/install.sh
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class UnverifiedRemoteDownload(Rule):
    id = "NW704"
    name = "unverified-remote-download"
    title = "Remote content run or added without verification"
    cwe = (494,)
    owasp = "A08"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Download to a file, verify its checksum or signature, then run it; use ADD --checksum or a package manager."
    category = "config"
