"""## What it finds
`--inspect`, `--inspect-brk` or `--inspect-wait` bound to all interfaces (`0.0.0.0`, `[::]`) anywhere,
and any `--inspect` in a `start` script, a Dockerfile `CMD`/`ENTRYPOINT`, or a `NODE_OPTIONS`
setting (package.json scripts, Dockerfile `ENV`, compose and Kubernetes environments).

## Why it matters
The inspector is a remote-code-execution interface by design: whoever reaches the port runs any
JavaScript in the process. Bound to all interfaces, that is everyone on the network.

## How to fix
Remove `--inspect` from production start commands and environments; when debugging, bind to
`127.0.0.1` and reach it through an SSH tunnel or `kubectl port-forward`.

## Bad
```json
{"scripts": {"start": "node --inspect=0.0.0.0:9229 server.js"}}
```

## Good
```json
{"scripts": {"start": "node server.js", "debug": "node --inspect server.js"}}
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class NodeInspectorExposed(Rule):
    id = "NW721"
    name = "node-inspector-exposed"
    title = "Node.js inspector enabled in a start command"
    cwe = (1327, 489)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Never start production with --inspect; bind debugging sessions to 127.0.0.1 and tunnel to them."
    category = "config"
