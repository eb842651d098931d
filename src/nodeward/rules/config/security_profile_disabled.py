"""## What it finds
`security_opt` entries `seccomp:unconfined`, `apparmor:unconfined`, `label:disable` in compose, and
`seccompProfile.type: Unconfined` / `appArmorProfile.type: Unconfined` in Kubernetes.

## Why it matters
The default seccomp profile blocks the system calls used by most kernel exploits and container
escapes; AppArmor and SELinux confine file access. Switching them off removes a layer that costs
nothing.

## How to fix
Remove the option; in Kubernetes set `seccompProfile: {type: RuntimeDefault}`.

## Bad
```yaml
services:
  api:
    image: acme/api:1.4.2
    security_opt: ["seccomp:unconfined"]
```

## Good
```yaml
services:
  api:
    image: acme/api:1.4.2
    security_opt: ["no-new-privileges:true"]
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class SecurityProfileDisabled(Rule):
    id = "NW717"
    name = "security-profile-disabled"
    title = "Seccomp or AppArmor disabled"
    cwe = (693,)
    owasp = "A05"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Keep the runtime's default seccomp and AppArmor profiles (RuntimeDefault)."
    category = "config"
