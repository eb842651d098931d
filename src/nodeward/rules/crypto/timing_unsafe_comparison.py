"""## What it finds
Secrets compared with `==`, `===`, `!=` or `!==`: a value named like a password, token, API key,
signature, HMAC or one-time code (including the `Authorization` and `X-Api-Key` request headers)
compared with another value that is not a constant. A hash, digest or MAC counts when it is an
HMAC or the hash of a credential (`passwordHash`), or when the comparison involves the request, a
user or a stored or expected value; build tools comparing content hashes are left alone.
Comparisons with `null`, `undefined`, numbers, booleans and string literals, `typeof` tests,
`.length` checks and metadata such as `tokenType` or `passwordLength` are not reported, nor is a
password compared with its confirmation. Timing matters only when a secret the attacker does not know
(from configuration, storage or a computation) is compared with a value from outside: two values of
the same request (`req.body.password !== req.body.cpassword`), two server-side values, and public
identifiers (an address, an e-mail, a user name, an id) compared with anything are not reported.

## Why it matters
String equality returns as soon as two characters differ, so the time a comparison takes tells how
long the matching prefix is. An attacker who can send many guesses and measure response times can
recover a token, signature or API key one character at a time (CWE-208), and so forge webhook
signatures or authenticate without knowing the secret.

## How to fix
Compare secrets in constant time with `crypto.timingSafeEqual`. It needs two Buffers of the same
length: compare HMACs (or hashes) of both values, which always have the same length, or check the
lengths first and compare the Buffers only when they match.

## Bad
```js
function checkApiKey(req, res, next) {
  if (req.get("x-api-key") !== process.env.API_KEY) {
    return res.sendStatus(401);
  }
  next();
}
```

## Good
```js
const crypto = require("crypto");
const digest = (value) => crypto.createHmac("sha256", "key-id").update(String(value)).digest();
function checkApiKey(req, res, next) {
  if (!crypto.timingSafeEqual(digest(req.get("x-api-key")), digest(process.env.API_KEY))) {
    return res.sendStatus(401);
  }
  next();
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from nodeward.analysis.taint.engine import REQUEST, SOURCE
from nodeward.findings import Confidence, Finding, Severity, shorten
from nodeward.rules.base import Rule
from nodeward.rules.context import RuleContext

EQUALITY_OPERATORS = frozenset({"==", "===", "!=", "!=="})

# Words that name a secret by themselves (the last word of a name: `storedToken`, `api_token`).
SECRET_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "passphrase", "passcode", "secret", "token", "apikey", "accesskey",
        "secretkey", "privatekey", "signature", "hmac", "otp", "totp", "hotp", "csrf", "xsrf", "authorization",
    }
)
# Single words that end with one of these are secrets too (`accesstoken`, `clientsecret`, `xhmac`).
SECRET_SUFFIXES = ("token", "password", "passwd", "passphrase", "secret", "signature", "apikey", "hmac")
# Words that name a secret only in some code: content hashes and digests are often public.
WEAK_SECRET_WORDS = frozenset({"hash", "digest", "mac", "sig"})
# A hash or digest is compared as a credential when the code around it says so: `user.storedHash`,
# `req.query.sig`, `expectedDigest`. Build tools compare content hashes (`chunk.hash !== old.hash`).
CREDENTIAL_CONTEXT_WORDS = frozenset(
    {
        "stored", "expected", "provided", "received", "supplied", "computed", "user", "users", "account",
        "req", "request", "query", "body", "cookies", "session", "credentials", "auth", "login", "webhook",
    }
)
# `<qualifier> key` names a key (`apiKey`, `signing_key`); `key` alone is an object key.
KEY_QUALIFIERS = frozenset(
    {"api", "access", "secret", "private", "signing", "sign", "auth", "master", "hmac", "encryption", "client"}
)
# Trailing words that say how the secret is held, not what it is: `tokenValue`, `signatureHex`.
CARRIER_WORDS = frozenset(
    {"value", "val", "str", "string", "hex", "b64", "base64", "buf", "buffer", "raw", "bytes", "text", "header"}
)
# First words of names of booleans, counts and actions: `isTokenValid`, `numTokens`, `verifyToken()`.
NON_VALUE_PREFIXES = frozenset(
    {
        "is", "has", "should", "can", "must", "verify", "validate", "check", "compare", "equals", "match",
        "matches", "num", "count", "total", "max", "min", "len", "no", "missing", "invalid", "show", "hide",
        "toggle", "enable", "disable",
    }
)
# Tokens that are not credentials: pagination cursors, cancellation handles, lexer and design tokens.
NON_CREDENTIAL_TOKEN_QUALIFIERS = frozenset(
    {
        "page", "paging", "pagination", "next", "continuation", "cursor", "sync", "cancel", "cancellation",
        "abort", "lexer", "tokenizer", "parser", "syntax", "lookahead", "peek", "prev", "previous", "design",
        "theme", "css", "eof",
    }
)
# A password compared with its confirmation is not compared with a secret the user does not know.
CONFIRMATION_WORDS = frozenset(
    {"confirm", "confirmation", "confirmed", "repeat", "repeated", "retype", "retyped", "again", "verification"}
)
RENEWAL_WORDS = frozenset({"old", "new", "current", "previous", "prev"})
# Names of public identifiers: comparing one is a lookup, whatever the other side is called
# (`recoveredAddress === wallet.address`, `token.owner.email === req.body.email`).
PUBLIC_VALUE_WORDS = frozenset(
    {"address", "addr", "email", "mail", "username", "login", "id", "uuid", "url", "uri", "host", "hostname",
     "domain", "ip", "phone", "name"}
)
# Objects whose `.hash` is the fragment of a URL (`location.hash`), not a digest.
URL_WORD_TAILS = frozenset((word,) for word in ("location", "url", "uri", "href", "link", "anchor", "route", "router"))
# Calls that return (part of) their receiver or first argument: the name of the value is inside.
PASS_THROUGH_METHODS = frozenset(
    {
        "toString", "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "normalize", "valueOf",
        "replace", "replaceAll", "slice", "substring", "substr", "split", "at",
    }
)
PASS_THROUGH_FUNCTIONS = frozenset({"String", "decodeURIComponent", "decodeURI", "unescape"})
# `req.get("x-api-key")`, `req.header("authorization")`, `headers.get("authorization")`.
LOOKUP_METHODS = frozenset({"get", "header", "getHeader", "getItem"})
MAX_DEPTH = 6


@dataclass(frozen=True, slots=True)
class SecretName:
    """Why an expression looks like a secret: the name it goes by and how sure that is."""

    name: str
    words: tuple[str, ...]
    strong: bool


def split_words(name: str) -> tuple[str, ...]:
    """`storedAPIKey_v2` -> ("stored", "api", "key", "v"): camelCase, snake_case, kebab-case; no digits."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return tuple(word.lower() for word in re.split(r"[^A-Za-z]+", spaced) if word)


def classify_name(name: str) -> SecretName | None:
    """Whether a name denotes a secret value (not its length, type, or a boolean about it)."""
    words = list(split_words(name))
    if not words or words[0] in NON_VALUE_PREFIXES:
        return None
    all_words = tuple(words)
    stripped = False
    while len(words) > 1 and words[-1] in CARRIER_WORDS:
        words.pop()
        stripped = True
    last = words[-1]
    previous = words[-2] if len(words) > 1 else ""
    if last == "pwd" and name.isupper():
        return None  # $PWD, the working directory
    if last == "key" and previous in KEY_QUALIFIERS:
        return SecretName(name, all_words, True)
    if last == "auth" and stripped:
        return SecretName(name, all_words, True)  # authHeader
    if last in SECRET_WORDS or last.endswith(SECRET_SUFFIXES):
        if _is_non_credential_token(tuple(words)):
            return None  # nextPageToken, cancelToken
        return SecretName(name, all_words, True)
    if last in WEAK_SECRET_WORDS:
        # passwordHash, ADMIN_TOKEN_HASH, secretDigest: the hash of a credential
        strong = any(w in SECRET_WORDS or w.endswith(SECRET_SUFFIXES) for w in words[:-1])
        return SecretName(name, all_words, strong)
    return None


class TimingUnsafeComparison(Rule):
    id = "NW202"
    name = "timing-unsafe-comparison"
    title = "Secret compared with a non-constant-time operator"
    cwe = (208,)
    owasp = "A02"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    fix = "Compare secrets with crypto.timingSafeEqual on equal-length Buffers, such as HMACs of both values."
    visits = ("binary_expression",)

    def check(self, node: Node, ctx: RuleContext) -> Iterator[Finding]:
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if operator is None or left is None or right is None:
            return
        op = ctx.text(operator)
        if op not in EQUALITY_OPERATORS:
            return
        left, right = ctx.unwrap(left), ctx.unwrap(right)
        if self._is_not_a_secret_value(left, ctx) or self._is_not_a_secret_value(right, ctx):
            return
        left_secret = self._secret_name(left, ctx, 0)
        right_secret = self._secret_name(right, ctx, 0)
        if left_secret is None and right_secret is None:
            return
        if left_secret is not None and right_secret is not None and _same_user_input(left_secret, right_secret):
            return
        names = (_name_words(left, ctx), _name_words(right, ctx))
        if CONFIRMATION_WORDS.intersection(names[0] + names[1]):
            return  # password === passwordConfirm: both typed by the same user
        if any(_is_non_credential_token(words) for words in names):
            return  # token === prevToken, cursor === nextPageToken: the same kind of (non-secret) token
        if any(words[-1:] and words[-1] in PUBLIC_VALUE_WORDS for words in names):
            return  # signerAddress === user.address: a public value
        if any(words[-1:] and words[-1] in ("type", "kind") for words in names):
            return  # tok.type === lexer.TOKEN_STRING: the kind of a value, not a value
        if not _attacker_meets_secret(left, right, ctx):
            return
        candidates = [(s, n) for s, n in ((left_secret, left), (right_secret, right)) if s is not None]
        secret, side = max(candidates, key=lambda pair: pair[0].strong)
        strong = secret.strong
        if not strong:
            context = split_words(ctx.text(left)) + split_words(ctx.text(right))
            if not CREDENTIAL_CONTEXT_WORDS.intersection(context):
                return
        yield ctx.report(
            node,
            f"secret `{shorten(ctx.text(side))}` ({secret.name}) is compared with `{op}`, which returns at the "
            "first differing character and so leaks through timing how much of it matched; "
            "use crypto.timingSafeEqual",
            confidence=Confidence.MEDIUM if strong else Confidence.LOW,
        )

    def _is_not_a_secret_value(self, node: Node, ctx: RuleContext) -> bool:
        """Constants, `typeof`, lengths and enum members: a comparison with these leaks nothing."""
        if ctx.is_constant(node):
            return True
        if node.type == "unary_expression":
            return True
        if node.type == "member_expression":
            prop = ctx.model.member_property(node)
            if prop in ("length", "size", "byteLength"):
                return True
            obj = node.child_by_field_name("object")
            if prop == "hash" and obj is not None and _simple_words(obj, ctx)[-1:] in URL_WORD_TAILS:
                return True  # `location.hash`: the fragment of a URL
            # `CancellationToken.None`, `TokenType.EOF`: a member of an enum or a class constant.
            if (
                obj is not None
                and obj.type == "identifier"
                and prop is not None
                and ctx.text(obj)[:1].isupper()
                and not ctx.text(obj).isupper()
                and prop[:1].isupper()
                and classify_name(prop) is None
            ):
                return True
        return False

    def _secret_name(self, node: Node, ctx: RuleContext, depth: int) -> SecretName | None:
        if depth > MAX_DEPTH:
            return None
        node = ctx.unwrap(node)
        kind = node.type
        if kind == "identifier":
            found = classify_name(ctx.text(node))
            if found is not None and found.strong:
                return found
            bound = self._bound_value_name(node, ctx, depth)
            return bound if bound is not None and (found is None or bound.strong) else found
        if kind in ("member_expression", "subscript_expression"):
            return self._member_name(node, ctx, depth)
        if kind == "call_expression":
            return self._call_name(node, ctx, depth)
        if kind == "await_expression":
            inner = node.named_children
            return self._secret_name(inner[0], ctx, depth + 1) if inner else None
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and ctx.text(operator) in ("||", "??"):
                left = node.child_by_field_name("left")
                return self._secret_name(left, ctx, depth + 1) if left is not None else None
        return None

    def _bound_value_name(self, ident: Node, ctx: RuleContext, depth: int) -> SecretName | None:
        """`const expected = hmac.digest("hex")`: the name of the value a stable local holds."""
        binding = ctx.model.resolve(ident)
        if binding is None or binding.value is None or binding.path or not binding.is_stable:
            return None
        if binding.kind not in ("const", "let", "var"):
            return None
        return self._secret_name(binding.value, ctx, depth + 1)

    def _member_name(self, node: Node, ctx: RuleContext, depth: int) -> SecretName | None:
        obj = node.child_by_field_name("object")
        prop = ctx.model.member_property(node)
        if prop is None:
            # `header.split(" ")[1]`, `tokens[i]`: a part of the object
            if node.type == "subscript_expression" and obj is not None:
                return self._secret_name(obj, ctx, depth + 1)
            return None
        found = classify_name(prop)
        if found is None:
            return None
        if found.words[-1] == "hash" and obj is not None and _simple_words(obj, ctx)[-1:] in URL_WORD_TAILS:
            return None  # location.hash: the fragment of a URL
        return found

    def _call_name(self, call: Node, ctx: RuleContext, depth: int) -> SecretName | None:
        callee = call.child_by_field_name("function")
        if callee is None:
            return None
        callee = ctx.unwrap(callee)
        args = ctx.arguments(call)
        method = ctx.method_name(call)
        if method is not None:
            receiver = callee.child_by_field_name("object")
            if method in PASS_THROUGH_METHODS and receiver is not None:
                return self._secret_name(receiver, ctx, depth + 1)
            if method in LOOKUP_METHODS and args:
                key = ctx.string_value(args[0])
                return classify_name(key) if key is not None else None
            found = classify_name(method)
            if found is not None and method == "digest" and receiver is not None and _is_hmac(receiver, ctx):
                return SecretName("HMAC digest", found.words, True)
            return found
        if callee.type == "identifier":
            name = ctx.text(callee)
            if name in PASS_THROUGH_FUNCTIONS and args and ctx.call_name(call) == name:
                return self._secret_name(args[0], ctx, depth + 1)
            return classify_name(name)
        return None


def _attacker_meets_secret(left: Node, right: Node, ctx: RuleContext) -> bool:
    """Whether one side may come from outside while the other does not: the shape of a timing attack.

    Two values of the request are both known to the sender (a password and its confirmation); two
    values that never came from outside are compared without an attacker measuring anything.
    """
    if _is_request_value(left, ctx) and _is_request_value(right, ctx):
        return False
    sides = (ctx.taint.taint_of(left), ctx.taint.taint_of(right))
    return any(taint and not _is_configuration(node, ctx) for taint, node in zip(sides, (left, right), strict=True))


def _is_request_value(node: Node, ctx: RuleContext) -> bool:
    """A part of the request itself (`req.body.cpassword`, a header's second word), not something looked up
    with it: `user.password` of `const user = await User.findOne({ email: req.body.email })` is stored, and
    `req.session.csrfToken` is the server's state."""
    if not any(o.kind == SOURCE for o in ctx.taint.taint_of(node)):
        return False
    for _ in range(MAX_DEPTH):
        node = ctx.unwrap(node)
        kind = node.type
        if kind == "identifier":
            binding = ctx.model.resolve(node)
            if binding is not None and binding.value is not None and binding.is_stable:
                node = binding.value  # `const { password } = req.body`, `const token = header.split(" ")[1]`
                continue
            return any(o.kind in (REQUEST, SOURCE) for o in ctx.taint.taint_of(node))
        if kind in ("member_expression", "subscript_expression"):
            inner = node.child_by_field_name("object")
        elif kind == "call_expression":
            callee = ctx.unwrap(node.child_by_field_name("function") or node)
            args = ctx.arguments(node)
            if ctx.method_name(node) in PASS_THROUGH_METHODS | LOOKUP_METHODS:
                inner = callee.child_by_field_name("object")
            elif callee.type == "identifier" and ctx.text(callee) in PASS_THROUGH_FUNCTIONS and args:
                inner = args[0]
            else:
                return False  # a lookup or a computation: its result is not what the request carried
        elif kind == "binary_expression" and ctx.text(node.child_by_field_name("operator") or node) in ("||", "??"):
            inner = node.child_by_field_name("left")
        else:
            return False
        if inner is None:
            return False
        node = inner
    return False


def _is_configuration(node: Node, ctx: RuleContext) -> bool:
    """`process.env.API_TOKEN`, or a constant that holds it: set by whoever deploys the app, not a request."""
    for _ in range(MAX_DEPTH):
        node = ctx.unwrap(node)
        if node.type == "identifier":
            binding = ctx.model.resolve(node)
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return False
            node = binding.value
            continue
        qualified = ctx.qualified_name(node) if node.type == "member_expression" else None
        return qualified is not None and qualified.startswith("process.env.")
    return False


def _is_hmac(node: Node, ctx: RuleContext) -> bool:
    """Whether a `.digest()` receiver is an HMAC: `crypto.createHmac(...).update(x)` or a name for one."""
    for _ in range(MAX_DEPTH):
        node = ctx.unwrap(node)
        if node.type == "identifier":
            if "hmac" in split_words(ctx.text(node)):
                return True
            binding = ctx.model.resolve(node)
            if binding is None or binding.value is None or binding.path or not binding.is_stable:
                return False
            node = binding.value
            continue
        if node.type != "call_expression":
            return False
        if ctx.call_name(node) == "crypto.createHmac":
            return True
        callee = node.child_by_field_name("function")
        callee = ctx.unwrap(callee) if callee is not None else None
        if callee is None or callee.type != "member_expression":
            return False
        receiver = callee.child_by_field_name("object")
        if receiver is None:
            return False
        node = receiver
    return False


def _simple_words(node: Node, ctx: RuleContext) -> tuple[str, ...]:
    """The words of the name an object goes by: `window.location` -> ("location",)."""
    node = ctx.unwrap(node)
    if node.type == "identifier":
        return split_words(ctx.text(node))
    if node.type in ("member_expression", "subscript_expression"):
        prop = ctx.model.member_property(node)
        return split_words(prop) if prop is not None else ()
    if node.type in ("call_expression", "new_expression"):
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        return _simple_words(callee, ctx) if callee is not None else ()
    return ()


def _is_non_credential_token(words: tuple[str, ...]) -> bool:
    """`nextPageToken`, `lexer.TOKEN_STRING` (a lexer's token kind): a token that is no credential."""
    while len(words) > 1 and words[-1] in CARRIER_WORDS:
        words = words[:-1]
    return bool(words) and words[-1].endswith("token") and bool(NON_CREDENTIAL_TOKEN_QUALIFIERS.intersection(words))


def _name_words(node: Node, ctx: RuleContext) -> tuple[str, ...]:
    """The words of the name of a compared value, its object included: `form.confirmPassword`."""
    if node.type in ("identifier", "member_expression", "subscript_expression"):
        return split_words(ctx.text(node))
    return ()


def _same_user_input(left: SecretName, right: SecretName) -> bool:
    """`password1 === password2`, `oldPassword === newPassword`: two values the same user typed."""
    if left.name != right.name and re.sub(r"\d", "", left.name) == re.sub(r"\d", "", right.name):
        return True  # names that differ only in digits
    return bool(RENEWAL_WORDS.intersection(left.words)) and bool(RENEWAL_WORDS.intersection(right.words))

