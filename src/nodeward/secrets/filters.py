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
    "letmein", "mongo", "redis", "rabbitmq", "sa", "dev", "development", "local", "localhost", "pw", "pwd", "psw",
    "pword",
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


#: Seed data for databases: sample users with their passwords, loaded in development and tests.
_SEED_PATH = re.compile(
    r"(?:^|/)(?:seeds?|seeders|seed[-_]?data)/|(?:^|/|[-_.])seed(?:s|ers?|[-_]?data)?(?:[-_.][^/]*)?\.[a-z]+$",
    re.IGNORECASE,
)
#: Where translations live: folders of locale and message catalogs, and the catalog formats.
_LOCALE_PATH = re.compile(
    r"(?:^|/)(?:i18n|l10n|locales?|lang|langs|languages|translations?|intl|nls)/"
    r"|\.(?:po|pot|xlf|xliff|arb|strings)$",
    re.IGNORECASE,
)
#: A `"key": "text"` pair of a JSON catalog.
_CATALOG_PAIR = re.compile(r'"[^"\n]{1,120}"\s*:\s*"((?:[^"\\\n]|\\.){0,2000})"')
#: How many pairs a JSON file needs, and which share of them must read as text, to be a message catalog.
CATALOG_MIN_PAIRS = 8
CATALOG_TEXT_SHARE = 0.5


def is_seed_path(display_path: str) -> bool:
    """Seed data (`seeds/users.js`, `db/seed.json`, `seeders/`), whose passwords are sample users'."""
    return bool(_SEED_PATH.search(display_path.replace("\\", "/")))


def is_message_catalog(display_path: str, text: str) -> bool:
    """A translation file: by its place or format (`i18n/`, `locales/`, `*.po`), or a JSON file whose values
    are mostly text for people (`"FORGOT_PASSWORD": "パスワードを忘れた"`), as UI label catalogs are."""
    if _LOCALE_PATH.search(display_path.replace("\\", "/")):
        return True
    if not display_path.lower().endswith(".json"):
        return False
    from nodeward.secrets.engine import is_natural_language

    values = [m.group(1) for m in _CATALOG_PAIR.finditer(text)]
    if len(values) < CATALOG_MIN_PAIRS:
        return False
    return sum(1 for v in values if is_natural_language(v)) >= CATALOG_TEXT_SHARE * len(values)


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
