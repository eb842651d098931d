"""Personal data in bulk: e-mail addresses on real domains, phone numbers, Luhn-valid card numbers and
national id numbers, counted per file. A handful is a fixture; dozens is a copy of production.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: Domains (and suffixes) reserved for examples or obviously made up: addresses there do not count.
FAKE_EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "example.net", "test.com", "foo.com", "bar.com", "acme.com", "domain.com",
    "email.com", "company.com", "yourcompany.com", "mycompany.com", "sample.com", "fake.com", "mailinator.com",
    "users.noreply.github.com", "localhost",
)
FAKE_EMAIL_SUFFIXES: tuple[str, ...] = (".test", ".example", ".invalid", ".localhost", ".local", ".internal")

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})(?![\w-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,3}"
                    r"|\(\d{3}\) ?\d{3}-\d{4})(?![\w])")
_CARD = re.compile(r"(?<![\w.-])(?:\d[ -]?){12,18}\d(?![\w.-])")
_US_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
_UK_NINO = re.compile(r"(?<![\w])(?![DFIQUV])[A-Z](?![DFIOQUV])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _email_ok(match: re.Match[str]) -> bool:
    domain = match.group(1).lower()
    return not (domain in FAKE_EMAIL_DOMAINS or domain.endswith(FAKE_EMAIL_SUFFIXES)
                or any(domain.endswith("." + fake) for fake in FAKE_EMAIL_DOMAINS))


def _card_ok(match: re.Match[str]) -> bool:
    digits = re.sub(r"[ -]", "", match.group(0))
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 4:
        return False
    if not re.match(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5)", digits):
        return False
    return luhn_valid(digits)


def _phone_ok(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    return 10 <= len(digits) <= 15 and len(set(digits)) >= 4


@dataclass(frozen=True, slots=True)
class PiiKind:
    name: str
    pattern: re.Pattern[str]
    accept: Callable[[re.Match[str]], bool]
    threshold: int  # distinct values in one file that make it "bulk"


PII_KINDS: tuple[PiiKind, ...] = (
    PiiKind("e-mail addresses", _EMAIL, _email_ok, 20),
    PiiKind("phone numbers", _PHONE, _phone_ok, 20),
    PiiKind("card numbers", _CARD, _card_ok, 3),
    PiiKind("US social security numbers", _US_SSN, lambda m: True, 3),
    PiiKind("UK national insurance numbers", _UK_NINO, lambda m: True, 3),
)
#: Where bulk personal data is looked for: data files, and code under seed/fixture/mock/dump paths.
DATA_EXTENSIONS = (".sql", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".yaml", ".yml", ".xml", ".txt", ".dump")
_DATA_PATH = re.compile(r"(?:^|/)(?:seeds?|seeders?|fixtures?|mocks?|dumps?|data|db)/", re.IGNORECASE)


@dataclass
class PiiReport:
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)
    first_line: int = 0


def wants_pii_scan(display_path: str) -> bool:
    lower = display_path.lower()
    name = lower.rsplit("/", 1)[-1]
    if name in ("package.json", "package-lock.json", "tsconfig.json", "composer.json") or name.startswith("."):
        return False
    return lower.endswith(DATA_EXTENSIONS) or bool(_DATA_PATH.search(lower))


def find_personal_data(text: str) -> PiiReport | None:
    """Counts of each kind of personal data, when at least one kind reaches its bulk threshold."""
    report = PiiReport()
    bulk = False
    first_offset: int | None = None
    for kind in PII_KINDS:
        seen: set[str] = set()
        for match in kind.pattern.finditer(text):
            if not kind.accept(match):
                continue
            if not seen:
                report.samples[kind.name] = redact_personal(match.group(0))
                first_offset = match.start() if first_offset is None else min(first_offset, match.start())
            seen.add(match.group(0))
        if seen:
            report.counts[kind.name] = len(seen)
            bulk = bulk or len(seen) >= kind.threshold
    if not bulk or first_offset is None:
        return None
    report.first_line = text.count("\n", 0, first_offset) + 1
    return report


def redact_personal(value: str) -> str:
    """`j***@gmail.com`, `+44 ***(12 digits)`: enough to recognise the kind, not the person."""
    if "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"\D", "", value)
    return f"{value[:2]}*** ({len(digits)} digits)" if digits else f"{value[:1]}***"
