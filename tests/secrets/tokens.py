"""Fake tokens in every detector's format, generated at run time from pieces.

The repository must hold no complete token literal (GitHub push protection and other scanners would
rightly flag it), so prefixes are split and bodies are random: nothing here is a real credential.
Fixture templates name a generator as ``{{detector-id}}``; modifiers make near misses:
``{{id|cut:N}}`` keeps the first N characters, ``{{id|append:S}}`` glues S to the end (the token is
then longer than its format allows), ``{{id|lower}}`` lowercases it; ``{{id|fresh}}`` is a new token
and ``{{id|escaped}}`` a new one with newlines written as ``\n`` (inside a JSON string);
``{{private-key|shape:NAME}}`` is a whole new private key (header, body, footer) written as one of
``PEM_SHAPES`` (inside a single-quoted JavaScript string where the shape is one).
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
UPPER32 = string.ascii_uppercase + "234567"


class TokenFactory:
    """Deterministic per seed, different per detector and call."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.cache: dict[str, str] = {}

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.rng.randint(1, 9)) + self.chars("0123456789", n - 1)

    def make(self, detector_id: str) -> str:
        return GENERATORS[detector_id](self)

    def pem_body(self, lines: int = 12) -> str:
        return "\n".join(self.chars(B64, 64) for _ in range(lines))

    def render(self, template: str) -> str:
        """The template with every ``{{id}}`` / ``{{id|modifier}}`` replaced; one token per id per render."""

        def replace(match: re.Match[str]) -> str:
            name, _, modifier = match.group(1).partition("|")
            if name not in self.cache:
                self.cache[name] = self.make(name)
            value = self.cache[name]
            if modifier.startswith("cut:"):
                return value[: int(modifier[4:])]
            if modifier.startswith("append:"):
                return value + modifier[7:]
            if modifier == "lower":
                return value.lower()
            if modifier == "fresh":
                return self.make(name)
            if modifier == "escaped":  # a JSON string: newlines as \n
                return self.make(name).replace("\n", "\\n")
            if modifier.startswith("shape:"):
                return pem_in_shape(self.make(name), modifier[6:])
            return value

        return re.sub(r"\{\{([\w\-]+(?:\|[^}]*)?)\}\}", replace, template)


def _jwt(f: TokenFactory) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return ".".join((part({"alg": "HS256", "typ": "JWT"}), part({"sub": f.digits(8), "role": "admin"}),
                     f.chars(URLSAFE, 43)))


def _uuid(f: TokenFactory) -> str:
    h = f.chars(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _split_header(pem: str) -> str:
    """Concatenated strings, the header itself cut in three (`'-----' + 'BEGIN RSA' + ' PRIVATE KEY-----\\n'`)."""
    first, *rest = pem.splitlines()
    return "' +\n  '".join([first[:5], first[5:14], first[14:] + "\\n", *(line + "\\n" for line in rest)])


def _wrapped_base64(pem: str, width: int = 76) -> list[str]:
    """The key base64-encoded, in lines of ``width`` characters (as `base64` and `openssl base64` write it)."""
    blob = base64.b64encode(pem.encode()).decode()
    return [blob[start : start + width] for start in range(0, len(blob), width)]


#: Ways code holds a private key (``pem`` is the key with real newlines), its header on the first line; all
#: but `template`, `array` and `base64-lines` sit inside single quotes (those concatenating open and close
#: their own).
PEM_SHAPES: dict[str, Callable[[str], str]] = {
    "escaped": lambda pem: pem.replace("\n", "\\n"),
    "crlf-escaped": lambda pem: pem.replace("\n", "\\r\\n"),
    "double-escaped": lambda pem: pem.replace("\n", "\\\\n"),
    "concat": lambda pem: "' +\n  '".join(line + "\\n" for line in pem.splitlines()),
    "array": lambda pem: "['" + "',\n  '".join(pem.splitlines()) + "',\n].join('\\n')",
    "template": lambda pem: "`" + pem + "`",
    "base64": lambda pem: base64.b64encode(pem.encode()).decode(),
    "split-header": _split_header,
    "base64-concat": lambda pem: "' +\n  '".join(_wrapped_base64(pem)),
    "base64-lines": lambda pem: "`" + "\n".join(_wrapped_base64(pem)) + "`",
}


def pem_key(body: str, label: str = "RSA PRIVATE KEY") -> str:
    """A PEM private key block around ``body`` (the header is put together here, never written whole)."""
    dashes = "-" * 5
    return f"{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}\n"


def pem_in_shape(body: str, shape: str, label: str = "RSA PRIVATE KEY") -> str:
    return PEM_SHAPES[shape](pem_key(body, label).rstrip("\n"))


GENERATORS: dict[str, Callable[[TokenFactory], str]] = {
    "aws-access-key-id": lambda f: "AK" + "IA" + f.chars(UPPER32, 16),
    "aws-secret-access-key": lambda f: f.chars(B64, 40),
    "github-pat-classic": lambda f: "gh" + "p_" + f.chars(ALNUM, 36),
    "github-pat-fine-grained": lambda f: "github" + "_pat_" + f.chars(ALNUM, 22) + "_" + f.chars(ALNUM, 59),
    "github-oauth-token": lambda f: "gh" + "o_" + f.chars(ALNUM, 36),
    "github-app-token": lambda f: "gh" + "s_" + f.chars(ALNUM, 36),
    "github-refresh-token": lambda f: "gh" + "r_" + f.chars(ALNUM, 36),
    "gitlab-pat": lambda f: "gl" + "pat-" + f.chars(ALNUM, 20),
    "gitlab-ci-token": lambda f: "gl" + "rt-" + f.chars(ALNUM, 20),
    "slack-bot-token": lambda f: "xo" + "xb-" + f.digits(11) + "-" + f.digits(12) + "-" + f.chars(ALNUM, 24),
    "slack-user-token": lambda f: "xo" + "xp-" + "-".join(f.digits(11) for _ in range(3)) + "-" + f.chars(HEX, 32),
    "slack-app-token": lambda f: "xa" + "pp-1-A" + f.chars(string.ascii_uppercase + string.digits, 10) + "-"
    + f.digits(13) + "-" + f.chars(HEX, 64),
    "slack-webhook-url": lambda f: "https://hooks.slack" + ".com/services/T" + f.chars(string.ascii_uppercase, 9)
    + "/B" + f.chars(string.ascii_uppercase, 9) + "/" + f.chars(ALNUM, 24),
    "stripe-secret-key": lambda f: "sk" + "_live_" + f.chars(ALNUM, 24),
    "stripe-restricted-key": lambda f: "rk" + "_live_" + f.chars(ALNUM, 24),
    "sendgrid-api-key": lambda f: "S" + "G." + f.chars(URLSAFE, 22) + "." + f.chars(URLSAFE, 43),
    "twilio-api-key": lambda f: "S" + "K" + f.chars(HEX, 32),
    "twilio-auth-token": lambda f: f.chars(HEX, 32),
    "mailgun-api-key": lambda f: "ke" + "y-" + f.chars(HEX, 32),
    "mailgun-private-key": lambda f: f.chars(HEX, 32) + "-" + f.chars(HEX, 8) + "-" + f.chars(HEX, 8),
    "heroku-api-key": _uuid,
    "heroku-platform-key": lambda f: "HR" + "KU-" + f.chars(URLSAFE, 60),
    "digitalocean-token": lambda f: "do" + "p_v1_" + f.chars(HEX, 64),
    "shopify-token": lambda f: "sh" + "pat_" + f.chars(HEX, 32),
    "google-api-key": lambda f: "AI" + "za" + f.chars(URLSAFE, 35),
    "google-oauth-client-secret": lambda f: "GOC" + "SPX-" + f.chars(URLSAFE, 28),
    "azure-storage-account-key": lambda f: f.chars(B64, 86) + "==",
    "azure-shared-access-key": lambda f: f.chars(B64, 43) + "=",
    "openai-api-key": lambda f: "sk-" + f.chars(ALNUM, 20) + "T3Blbk" + "FJ" + f.chars(ALNUM, 20),
    "openai-project-key": lambda f: "sk-" + "proj-" + f.chars(URLSAFE, 100),
    "anthropic-api-key": lambda f: "sk-" + "ant-api03-" + f.chars(URLSAFE, 93) + "AA",
    "npm-access-token": lambda f: "np" + "m_" + f.chars(ALNUM, 36),
    "npmrc-auth": _uuid,
    "jwt": _jwt,
    "private-key": lambda f: f.pem_body(),
    "private-key-base64": lambda f: pem_in_shape(f.pem_body(), "base64"),
    "database-url-password": lambda f: f.chars(ALNUM, 18),
    "url-basic-auth": lambda f: f.chars(ALNUM, 18),
    "generic-secret": lambda f: f.chars(ALNUM, 12) + "-" + f.chars(ALNUM, 6),
}
