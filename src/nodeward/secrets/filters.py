"""Values that look like secrets and are not: placeholders, documented examples, references to the
environment, UUIDs, git SHAs, integrity hashes; and the paths whose values are test data.

The first complaint about secret scanners is noise; every rule of thumb here removes a class of it
and is tested with a near miss beside a true positive.
"""

from __future__ import annotations

import math
import re
from collections import Counter

#: Words that mark a value as a placeholder or an example (lowercase, matched as substrings).
PLACEHOLDER_WORDS: tuple[str, ...] = (
    "example", "sample", "dummy", "placeholder", "changeme", "change_me", "change-me", "replace", "your_",
    "your-", "yourkey", "yourtoken", "yoursecret", "yourpassword", "insert", "redacted", "fake", "notreal",
    "not_real", "not-a-", "password", "username", "todo", "fixme", "secret_here", "token_here", "key_here",
    "here>", "xxxx", "****", "....", "----", "####",
)
#: Whole values that are defaults or words, never a credential worth reporting.
PLACEHOLDER_VALUES: frozenset[str] = frozenset({
    "password", "passwd", "secret", "token", "changeme", "admin", "root", "postgres", "mysql", "guest", "test",
    "pass", "user", "username", "default", "none", "null", "undefined", "true", "false", "example", "demo",
    "letmein", "mongo", "redis", "rabbitmq", "sa", "dev", "development", "local", "localhost",
})

_TEMPLATE = re.compile(
    r"""\$\{[^}]*\}?|\$\([^)]*\)?|\{\{.*?\}\}|<%.*?%>|%\([\w]+\)s|%[sd]\b|^\$[A-Za-z_][A-Za-z0-9_]*$|^<[^>]+>$|"""
    r"""\bprocess\.env\b|\bimport\.meta\.env\b|\bos\.environ\b|\bgetenv\b|\bDeno\.env\b|\bBun\.env\b"""
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-f]+$")
_INTEGRITY = re.compile(r"^(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]+=*$")
_SEQUENCES = ("0123456789", "1234567890", "abcdefghij", "qwertyuiop", "9876543210")
_REPEAT = re.compile(r"(.)\1{5,}")

#: Path parts that hold tests, fixtures and mocks: values found there get a lower confidence.
_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|__tests__|__mocks__|spec|specs|fixtures?|testdata|test-data|mocks?|e2e|cypress)/"
    r"|\.(?:test|spec|e2e|stories)\.[cm]?[jt]sx?$|(?:^|/)test_[^/]*$",
    re.IGNORECASE,
)


def shannon_entropy(value: str) -> float:
    """Bits of information per character of ``value`` (0 for an empty string)."""
    if not value:
        return 0.0
    length = len(value)
    return -sum(count / length * math.log2(count / length) for count in Counter(value).values())


def is_placeholder(value: str, examples: tuple[str, ...] = ()) -> bool:
    """True for values that stand in for a secret: templates, env references, examples, filler."""
    if value in examples:
        return True
    lower = value.lower()
    if lower in PLACEHOLDER_VALUES or lower.strip("*x.-_#0") == "":
        return True
    if any(word in lower for word in PLACEHOLDER_WORDS):
        return True
    if any(seq in lower for seq in _SEQUENCES) or _REPEAT.search(value):
        return True
    return bool(_TEMPLATE.search(value))


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def is_integrity_hash(value: str) -> bool:
    """Subresource-integrity style hashes (`sha512-...`) of lockfiles and HTML."""
    return bool(_INTEGRITY.match(value))


def is_hex_digest(value: str) -> bool:
    """A lowercase hex string of a hash's length (git SHA-1 and SHA-256, MD5)."""
    return len(value) in (32, 40, 64) and bool(_HEX.match(value))


def is_test_path(display_path: str) -> bool:
    """True for files of tests, fixtures and mocks, whose credentials are most often fakes."""
    return bool(_TEST_PATH.search(display_path.replace("\\", "/")))
