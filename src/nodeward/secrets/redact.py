"""The only ways a secret value leaves the engine: redacted for people, hashed for machines.

Every finding of the secrets scanner is built from these, so no report format (terminal, JSON,
SARIF, or any added later) can show a secret unless the user asked for it with ``--show-secrets``.
"""

from __future__ import annotations

import hashlib
import os

#: Set by ``--show-secrets`` (through the environment, so that worker processes see it too).
SHOW_SECRETS_ENV = "NODEWARD_SHOW_SECRETS"


def show_secrets() -> bool:
    return os.environ.get(SHOW_SECRETS_ENV, "") == "1"


def redact(value: str, *, reveal: bool = False) -> str:
    """``ghp_*** (40 chars)``: the first 4 characters (fewer for short values) and the length."""
    if reveal:
        return value
    shown = 4 if len(value) >= 16 else len(value) // 4
    return f"{value[:shown]}*** ({len(value)} chars)"


def secret_digest(value: str) -> str:
    """A hash that identifies a secret without revealing it (baselines, history de-duplication)."""
    return hashlib.sha256(b"nodeward-secret\x1f" + value.encode("utf-8", "surrogatepass")).hexdigest()


def secret_fingerprint(rule_id: str, path: str, value: str) -> str:
    """A finding's identity: rule, file and the hashed secret; never the line number."""
    key = "\x1f".join((rule_id, path, secret_digest(value)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def redact_spans(line: str, spans: list[tuple[int, int]], *, reveal: bool = False, limit: int = 240) -> str:
    """``line`` with the character ranges ``spans`` redacted, cut to ``limit`` characters."""
    if not reveal:
        for start, end in sorted(spans, reverse=True):
            line = line[:start] + redact(line[start:end]) + line[end:]
    line = line.rstrip("\r\n")
    return line if len(line) <= limit else line[: limit - 3] + "..."
