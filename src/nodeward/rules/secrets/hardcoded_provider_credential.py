"""## What it finds
A credential in a provider's recognisable format (AWS, GitHub, GitLab, Slack, Stripe, npm, Google,
Azure, SendGrid, Twilio, Mailgun, Heroku, DigitalOcean, Shopify, OpenAI, Anthropic, JSON Web Tokens,
database and broker URLs with a password) written into a file of the repository. The list of formats
is data (`nodeward/secrets/detectors.py`); the value is shown redacted (first characters and length).

## Why it matters
Anyone who can read the repository (every developer, CI system, fork, backup, or a leak of any of
them) can use the credential. Provider tokens are scraped from public repositories within minutes.

## How to fix
Revoke and rotate the credential at the provider first (it is compromised once committed), then
read it from the environment or a secret manager, and keep real values out of files under version
control. Removing it from the file does not remove it from git history (see NW504).

## Bad
```js
const octokit = new Octokit({ auth: "ghp_<36 letters and digits>" });
```

## Good
```js
const octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class HardcodedProviderCredential(Rule):
    id = "NW501"
    name = "hardcoded-provider-credential"
    title = "Provider credential written into the repository"
    cwe = (798,)
    owasp = "A07"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    fix = "Revoke and rotate the credential, then load it from the environment or a secret manager."
    category = "secrets"
