"""What a secret looks like, as data: one small definition per token format, read by one engine.

Each detector names the rule it reports under, the keywords of the prefilter (lowercase literals; the
regex runs only on lines that hold one of them), the regex (its group ``secret`` is the value that is
redacted, hashed and filtered; without that group the whole match is), a per-detector entropy floor
(bits per character of the secret; 0 for formats whose prefix is proof enough) and the documented
example values that are not secrets. Formats were taken from the providers' own documentation of
their token prefixes and lengths.

Adding a provider is adding one entry here (and a true positive and a near miss to
``tests/secrets/tokens.py`` and the fixtures); the engine does not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nodeward.findings import Confidence, Severity

PROVIDER_RULE = "NW501"
GENERIC_RULE = "NW502"
PRIVATE_KEY_RULE = "NW503"
HISTORY_RULE = "NW504"
ENV_FILE_RULE = "NW505"
CREDENTIAL_FILE_RULE = "NW506"
SHIPPED_RULE = "NW507"
PERSONAL_DATA_RULE = "NW508"


@dataclass(frozen=True, slots=True)
class Detector:
    """One format of secret. ``pattern`` is compiled once per process by the engine."""

    id: str
    provider: str
    description: str
    pattern: str
    keywords: tuple[str, ...]
    rule: str = PROVIDER_RULE
    entropy: float = 0.0
    examples: tuple[str, ...] = ()
    severity: Severity | None = None  # None: the rule's
    confidence: Confidence | None = None
    #: "pem-body": the match must be followed by a key body (a header alone in docs or code is not a key);
    #: "base64-pem": the match starts a base64 blob (wrapped over lines or strings or not) that must decode to
    #: a private key with its body.
    check: str = ""
    #: UUID-shaped secrets are normally filtered out; formats that are UUIDs (Heroku keys) keep them.
    uuid_is_secret: bool = False
    #: Run on lockfiles too (formats that can sit in a resolved URL or a registry setting).
    in_lockfiles: bool = True
    #: Run on the whole text rather than per candidate line (formats spanning lines).
    multiline: bool = False
    flags: int = 0
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.pattern, self.flags))
        assert all(k == k.lower() for k in self.keywords), f"{self.id}: keywords are lowercase"

    @property
    def label(self) -> str:
        return f"{self.provider} {self.description}"


_B = r"(?<![A-Za-z0-9_])"  # not preceded by a token character
_E = r"(?![A-Za-z0-9_])"  # not followed by one
_ASSIGN = r"""[\w.\-]{0,30}?["']?\s*(?:[:=]|:=|=>)\s*["'`]?"""  # `_key": "`, ` = '`, `: `

DETECTORS: tuple[Detector, ...] = (
    # --- AWS ---------------------------------------------------------------------------------------
    Detector(
        "aws-access-key-id", "AWS", "access key id",
        _B + r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})" + _E,
        ("akia", "asia", "abia", "acca"), entropy=3.0,
        examples=("AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"),
        severity=Severity.HIGH,
    ),
    Detector(
        "aws-secret-access-key", "AWS", "secret access key",
        r"(?i)aws.{0,20}?(?:secret|private).{0,20}?" + _ASSIGN + r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        ("aws",), entropy=4.0,
        examples=("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
        severity=Severity.CRITICAL,
    ),
    # --- GitHub ------------------------------------------------------------------------------------
    Detector(
        "github-pat-classic", "GitHub", "personal access token (classic)",
        _B + r"(?P<secret>ghp_[A-Za-z0-9]{36})" + _E, ("ghp_",), entropy=3.0,
    ),
    Detector(
        "github-pat-fine-grained", "GitHub", "fine-grained personal access token",
        _B + r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _E, ("github_pat_",), entropy=3.0,
    ),
    Detector(
        "github-oauth-token", "GitHub", "OAuth access token",
        _B + r"(?P<secret>gho_[A-Za-z0-9]{36})" + _E, ("gho_",), entropy=3.0,
    ),
    Detector(
        "github-app-token", "GitHub", "app installation or user-to-server token",
        _B + r"(?P<secret>gh[us]_[A-Za-z0-9]{36})" + _E, ("ghu_", "ghs_"), entropy=3.0,
    ),
    Detector(
        "github-refresh-token", "GitHub", "refresh token",
        _B + r"(?P<secret>ghr_[A-Za-z0-9]{36,76})" + _E, ("ghr_",), entropy=3.0,
    ),
    # --- GitLab ------------------------------------------------------------------------------------
    Detector(
        "gitlab-pat", "GitLab", "personal access token",
        _B + r"(?P<secret>glpat-[A-Za-z0-9_\-]{20,})" + r"(?![A-Za-z0-9_\-])", ("glpat-",), entropy=3.0,
    ),
    Detector(
        "gitlab-ci-token", "GitLab", "runner, deploy, trigger or feed token",
        _B + r"(?P<secret>(?:glrt|gldt|glptt|glft|glcbt|glsoat)-[A-Za-z0-9_\-]{20,})" + r"(?![A-Za-z0-9_\-])",
        ("glrt-", "gldt-", "glptt-", "glft-", "glcbt-", "glsoat-"), entropy=3.0,
    ),
    # --- Slack -------------------------------------------------------------------------------------
    Detector(
        "slack-bot-token", "Slack", "bot token",
        _B + r"(?P<secret>xoxb-[0-9]{8,13}-[0-9]{8,13}-[A-Za-z0-9]{20,34})" + _E, ("xoxb-",), entropy=3.0,
    ),
    Detector(
        "slack-user-token", "Slack", "user token",
        _B + r"(?P<secret>xox[pe](?:-[0-9]{8,13}){3}-[A-Za-z0-9]{28,34})" + _E, ("xoxp-", "xoxe-"), entropy=3.0,
    ),
    Detector(
        "slack-app-token", "Slack", "app-level token",
        _B + r"(?P<secret>xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{60,66})" + _E, ("xapp-",), entropy=3.0,
    ),
    Detector(
        "slack-webhook-url", "Slack", "incoming webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows)/(?P<secret>T[A-Z0-9]{8,12}/[AB][A-Z0-9]{8,12}/"
        r"[A-Za-z0-9]{23,25})" + _E,
        ("hooks.slack.com",), entropy=3.0, severity=Severity.MEDIUM,
    ),
    # --- Payments, mail, messaging -----------------------------------------------------------------
    Detector(
        "stripe-secret-key", "Stripe", "live secret key",
        _B + r"(?P<secret>sk_live_[A-Za-z0-9]{24,247})" + _E, ("sk_live_",), entropy=3.0,
        severity=Severity.CRITICAL,
    ),
    Detector(
        "stripe-restricted-key", "Stripe", "live restricted key",
        _B + r"(?P<secret>rk_live_[A-Za-z0-9]{24,247})" + _E, ("rk_live_",), entropy=3.0,
    ),
    Detector(
        "sendgrid-api-key", "SendGrid", "API key",
        _B + r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + r"(?![A-Za-z0-9_\-])", ("sg.",),
        entropy=3.5,
    ),
    Detector(
        "twilio-api-key", "Twilio", "API key",
        _B + r"(?P<secret>SK[0-9a-f]{32})" + _E, ("twilio",), entropy=3.0,
    ),
    Detector(
        "twilio-auth-token", "Twilio", "auth token",
        r"(?i)twilio.{0,20}?(?:auth|token|secret)" + _ASSIGN + r"(?P<secret>[0-9a-f]{32})" + _E,
        ("twilio",), entropy=3.0,
    ),
    Detector(
        "mailgun-api-key", "Mailgun", "API key",
        _B + r"(?P<secret>key-[0-9a-f]{32})" + _E, ("key-",), entropy=3.0,
    ),
    Detector(
        "mailgun-private-key", "Mailgun", "private API key",
        r"(?i)mailgun.{0,30}?" + _ASSIGN + r"(?P<secret>[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + _E,
        ("mailgun",), entropy=3.0,
    ),
    # --- Hosting -----------------------------------------------------------------------------------
    Detector(
        "heroku-api-key", "Heroku", "API key",
        r"(?i)heroku.{0,30}?" + _ASSIGN
        + r"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})" + _E,
        ("heroku",), entropy=3.0, uuid_is_secret=True,
    ),
    Detector(
        "heroku-platform-key", "Heroku", "platform API key",
        _B + r"(?P<secret>HRKU-[A-Za-z0-9_\-]{60})" + r"(?![A-Za-z0-9_\-])", ("hrku-",), entropy=3.0,
    ),
    Detector(
        "digitalocean-token", "DigitalOcean", "personal access, OAuth or refresh token",
        _B + r"(?P<secret>do[opr]_v1_[a-f0-9]{64})" + _E, ("dop_v1_", "doo_v1_", "dor_v1_"), entropy=3.0,
    ),
    Detector(
        "shopify-token", "Shopify", "access token or shared secret",
        _B + r"(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" + _E, ("shpat_", "shpca_", "shppa_", "shpss_"),
        entropy=3.0,
    ),
    # --- Cloud -------------------------------------------------------------------------------------
    Detector(
        "google-api-key", "Google", "API key",
        _B + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + r"(?![A-Za-z0-9_\-])", ("aiza",), entropy=3.5,
        severity=Severity.MEDIUM,
    ),
    Detector(
        "google-oauth-client-secret", "Google", "OAuth client secret",
        _B + r"(?P<secret>GOCSPX-[A-Za-z0-9_\-]{28})" + r"(?![A-Za-z0-9_\-])", ("gocspx-",), entropy=3.0,
    ),
    Detector(
        "azure-storage-account-key", "Azure", "storage account key",
        r"(?i)AccountKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)", ("accountkey",), entropy=4.0,
        severity=Severity.CRITICAL,
    ),
    Detector(
        "azure-shared-access-key", "Azure", "shared access key (Service Bus, Event Hubs, IoT Hub)",
        r"(?i)SharedAccessKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{42,44}=)", ("sharedaccesskey",), entropy=4.0,
    ),
    # --- AI ----------------------------------------------------------------------------------------
    Detector(
        "openai-api-key", "OpenAI", "API key",
        _B + r"(?P<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,})"
        + r"(?![A-Za-z0-9_\-])",
        ("t3blbkfj",), entropy=3.5,
    ),
    Detector(
        "openai-project-key", "OpenAI", "project API key",
        _B + r"(?P<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{74,})" + r"(?![A-Za-z0-9_\-])",
        ("sk-proj-", "sk-svcacct-", "sk-admin-"), entropy=3.5,
    ),
    Detector(
        "anthropic-api-key", "Anthropic", "API key",
        _B + r"(?P<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,})" + r"(?![A-Za-z0-9_\-])",
        ("sk-ant-",), entropy=3.5,
    ),
    # --- npm ---------------------------------------------------------------------------------------
    Detector(
        "npm-access-token", "npm", "access token",
        _B + r"(?P<secret>npm_[A-Za-z0-9]{36})" + _E, ("npm_",), entropy=3.0,
    ),
    Detector(
        "npmrc-auth", "npm", "registry credential in an npm config",
        r"(?:^|[\s:])_(?:authToken|auth|password)\s*=\s*[\"']?(?P<secret>[^\s\"'$][^\s\"']{7,})",
        ("_authtoken", "_auth", "_password"), rule=CREDENTIAL_FILE_RULE, entropy=2.5, uuid_is_secret=True,
    ),
    # --- Tokens and keys of any issuer ------------------------------------------------------------
    Detector(
        "jwt", "JSON Web", "Token",
        _B + r"(?P<secret>eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,})" + r"(?![A-Za-z0-9_\-])",
        ("eyj",), entropy=3.0, severity=Severity.MEDIUM, confidence=Confidence.MEDIUM, in_lockfiles=False,
    ),
    Detector(
        "private-key", "PEM/OpenSSH/PGP", "private key",
        r"-----BEGIN (?P<secret>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----",
        ("private key",), rule=PRIVATE_KEY_RULE, check="pem-body", multiline=True,
    ),
    Detector(  # `-----BEGIN` in base64 starts with `LS0tLS1CRUdJTi`; the blob (on one line or wrapped over
        # lines or strings) must decode to a private key
        "private-key-base64", "PEM", "private key (base64-encoded)",
        r"(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi",
        ("ls0tls1crudjti",), rule=PRIVATE_KEY_RULE, check="base64-pem", multiline=True,
    ),
    # --- Connection strings ------------------------------------------------------------------------
    Detector(
        "database-url-password", "Database or broker", "URL with a password",
        r"(?i)(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql2?|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
        r"sqlserver|cockroachdb)://[^:/\s'\"@`]*:(?P<secret>[^@/\s'\"`]{3,})@[^\s'\"`/]+",
        ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb"),
        severity=Severity.HIGH,
    ),
    Detector(
        "url-basic-auth", "HTTP", "URL with a password",
        r"(?i)(?<![A-Za-z0-9+.-])(?:https?|ftp)://[^:/\s'\"@`]+:(?P<secret>[^@/\s'\"`]{6,})@[^\s'\"`/]+",
        ("http://", "https://", "ftp://"), entropy=3.0, severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
    ),
)

DETECTORS_BY_ID = {detector.id: detector for detector in DETECTORS}


# --- The generic detector: a high-entropy value assigned to a secret-like name. ---------------------

#: Words that make a name secret-like (matched in the lowercased name with `_`, `-` and `.` removed).
SECRET_NAME_WORDS: tuple[str, ...] = (
    "password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "accesskey", "auth",
    "credential", "privatekey", "signingkey", "encryptionkey", "masterkey", "sessionkey", "clientkey",
)
#: Prefilter keywords for the generic detector (lowercase literals that appear in the names above).
GENERIC_KEYWORDS: tuple[str, ...] = (
    "password", "passwd", "passphrase", "pwd", "secret", "token", "api_key", "apikey", "api-key",
    "access_key", "accesskey", "auth", "credential", "private_key", "privatekey", "signing", "encryption",
    "master_key", "masterkey", "session_key", "client_key",
)
#: Names that contain a secret word but hold no secret (`author`, `tokenizer`, `maxTokens`...).
NOT_SECRET_NAME_PARTS: tuple[str, ...] = (
    "author", "tokeniz", "maxtoken", "tokenlimit", "tokencount", "tokenusage", "tokenstype", "tokentype",
    "csrftoken", "xsrftoken", "authority", "authstrategy", "authmode", "authmethod", "authtype", "pwdlength",
    "passwordlength", "passwordpolicy", "passwordhash", "passwordreset", "secretname", "tokenname",
)
#: Words of a name that make it the key of a text shown to people (a UI label, a message, a hint) rather
#: than of a secret: `LABEL_PASSWORD`, `SHOW_PASSWORD_ADVICE`, `FORGOT_PASSWORD`, `passwordPlaceholder`.
UI_TEXT_NAME_WORDS = frozenset({
    "label", "show", "hide", "forgot", "forgotten", "advice", "hint", "placeholder", "tooltip", "title",
    "message", "msg", "text", "button", "btn", "caption", "heading", "header", "prompt", "description", "desc",
    "help", "error", "invalid", "wrong", "incorrect", "enter", "lost", "strength", "weak", "strong", "mismatch",
    "required", "notice", "dialog", "modal", "instructions",
})
#: Name endings that describe a secret rather than hold it (`PASSWORD_FILE`, `tokenUrl`, `authHeader`).
NOT_SECRET_NAME_SUFFIXES: tuple[str, ...] = (
    "url", "uri", "endpoint", "path", "file", "filename", "dir", "header", "headername", "name", "type",
    "field", "label", "placeholder", "length", "min", "max", "count", "mode", "method", "enabled", "required",
    "format", "pattern", "regex", "regexp", "hint", "expires", "expiry", "expiresin", "ttl", "env", "var",
    "id", "prefix", "version", "arn", "ref", "location", "provider", "strategy", "kind", "size", "policy",
)
#: Minimum length and Shannon entropy (bits per character) of a generic secret's value.
GENERIC_MIN_LENGTH = 8
GENERIC_MAX_LENGTH = 256
GENERIC_ENTROPY = 3.0
