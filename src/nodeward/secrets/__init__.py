"""Secrets: credentials in the working tree and in git history, found without ever printing them.

- ``detectors``: the knowledge, as data (one small definition per token format);
- ``engine``: the keyword prefilter and the regexes, run only on candidate lines;
- ``filters``: placeholders, examples, UUIDs, hashes: values that look like secrets and are not;
- ``redact``: the only way a secret value reaches a finding (redacted) or a fingerprint (hashed);
- ``hygiene``: files that should not be in a repository at all (.env, keys, credential files);
- ``pii``: personal data in bulk (dumps, fixtures, seeds);
- ``gitleaks``: a team's existing ``.gitleaks.toml`` allow-list and ``.gitleaksignore``;
- ``history``: every blob reachable from any ref, read once through ``git cat-file --batch``.
"""
