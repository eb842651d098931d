"""## What it finds
SQL dumps, CSV/JSON fixtures and seed files that hold real-looking personal data in bulk: many e-mail
addresses on real domains, phone numbers, card numbers that pass the Luhn check, national id numbers.
One finding per file, with counts per kind and redacted samples. Addresses on reserved domains
(`example.com`, `.test`, `.invalid`, `localhost`) do not count.

## Why it matters
Production data copied into a repository is a data breach waiting for a clone: privacy laws (GDPR,
CCPA) apply to it, and developers, CI systems and forks are not where it belongs.

## How to fix
Delete the file (and purge it from history), and generate development data with a faker or an
anonymising export instead.

## Bad
```sql
INSERT INTO users (email, phone) VALUES ('<a customer's address>', '<their phone number>');
```

## Good
```js
const users = Array.from({ length: 100 }, () => ({ email: faker.internet.email({ provider: "example.com" }) }));
```
"""

from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule


class PersonalDataInRepository(Rule):
    id = "NW508"
    name = "personal-data-in-repository"
    title = "Personal data in bulk committed to the repository"
    cwe = (359, 312)
    owasp = "A04"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Remove the data and generate anonymised development data instead."
    category = "secrets"
