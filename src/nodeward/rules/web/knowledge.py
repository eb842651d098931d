"""Shared knowledge of the web-practice rules (cookies, CORS, passwords, JWT, randomness, TLS, files, logs):
names, libraries and thresholds as data, and small helpers to read options objects and names.

Not a rule module: it defines no Rule subclass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from nodeward.analysis.taint.engine import SOURCE
from nodeward.lang.js.model import Constant
from nodeward.rules.context import RuleContext
from nodeward.rules.crypto.timing_unsafe_comparison import split_words

__all__ = ["split_words"]

FUNCTION_TYPES = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition", "function",
     "generator_function_declaration", "generator_function"}
)

# ----- names -------------------------------------------------------------------------------------------

# Words that name a password (the last word of a name, after carrier words: `newPassword`, `user_pwd`).
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw", "pword"})
# Trailing words that say how a value is held, not what it is: `passwordValue`, `passwordStr`.
CARRIER_WORDS = frozenset({"value", "val", "str", "string", "text", "input", "field", "plain", "raw", "buf"})
# Names whose words say the value is not the password itself: its hash, its length, a flag about it.
NOT_A_PASSWORD_WORDS = frozenset(
    {"hash", "hashed", "digest", "length", "len", "policy", "rules", "regex", "pattern", "min", "max", "reset",
     "expires", "expiry", "changed", "updated", "at", "token", "required", "confirm", "confirmation", "label",
     "placeholder", "error", "errors", "message", "strength", "visible", "show", "hint", "type", "field",
     "salt", "set", "is", "has", "valid", "invalid", "wrong", "incorrect", "encrypted", "enc", "hmac", "sha", "md"}
)


def is_password_name(name: str) -> bool:
    """`password`, `newPassword`, `user_pwd`, `plainPassword`; not `passwordHash`, `passwordLength`,
    `resetPasswordToken`, `PASSWORD_MIN`, `passport`, `bypass`."""
    words = list(split_words(name))
    while len(words) > 1 and words[-1] in CARRIER_WORDS:
        words.pop()
    if not words or NOT_A_PASSWORD_WORDS.intersection(words):
        return False
    last = words[-1]
    if last in ("pass", "pw") and len(words) == 1 and name != name.lower():
        return False
    return last in PASSWORD_WORDS or (last.endswith("password") and len(last) > len("password"))


# Words that, as the last word of a name, denote a value an attacker must not be able to guess.
SECURITY_VALUE_WORDS = frozenset(
    {"token", "secret", "password", "passwd", "pwd", "passphrase", "passcode", "nonce", "salt", "otp", "totp",
     "hotp", "csrf", "xsrf", "sid", "jti", "apikey", "genid", "pin", "pincode", "credential", "credentials",
     "verifier", "challenge", "signature", "iv"}
)
# `<qualifier> key|id|code`: `apiKey`, `sessionId`, `resetCode`, `verificationCode`; a bare key, id or code
# is an index, an element id or a status code.
QUALIFIED_SECURITY_WORDS = {
    "key": frozenset({"api", "secret", "session", "access", "private", "encryption", "signing", "auth", "hmac",
                      "license", "activation", "crypto", "aes", "master"}),
    "id": frozenset({"session", "sess", "auth", "secret", "reset", "invite", "invitation", "verification",
                     "activation", "recovery", "magic", "login", "device"}),
    "code": frozenset({"reset", "verification", "verify", "confirm", "confirmation", "auth", "otp", "activation",
                       "invite", "invitation", "recovery", "login", "sms", "email", "mfa", "fa", "security", "access",
                       "one", "backup", "pin", "unlock", "pass", "promo", "coupon", "voucher", "referral", "secret"}),
    "link": frozenset({"reset", "magic", "login", "verification", "activation", "invite"}),
    "url": frozenset({"reset", "magic", "login", "signed"}),
    "state": frozenset({"oauth", "auth"}),
}
# Words that say a random number is about timing, layout, sampling or presentation: never a secret.
NON_SECURITY_WORDS = frozenset(
    {"jitter", "delay", "backoff", "retry", "timeout", "interval", "wait", "sleep", "animation", "animate",
     "sample", "sampling", "sampled", "shuffle", "shuffled", "color", "colour", "hue", "position", "offset",
     "duration", "opacity", "chance", "probability", "weight", "index", "idx", "x", "y", "z", "width", "height",
     "angle", "speed", "velocity", "size", "radius", "particle", "test", "mock", "fake", "dummy", "demo", "example",
     "placeholder", "lorem", "avatar", "theme", "port", "rate", "ratio", "percent", "score", "tip", "quote",
     "greeting", "emoji", "page", "pagination", "cursor", "next", "cancel", "lexer", "design", "css", "key_frame"}
)


def is_security_value_name(name: str) -> bool:
    """`resetToken`, `sessionId`, `apiKey`, `generateOtp`, `csrf_secret`; not `retryDelay`, `elementId`,
    `nextPageToken`, `colorKey`."""
    words = list(split_words(name))
    while len(words) > 1 and words[-1] in ("value", "str", "string", "hex", "raw", "bytes", "buf", "b"):
        words.pop()
    if not words or NON_SECURITY_WORDS.intersection(words):
        return False
    last = words[-1]
    if last in ("is", "has", "valid"):
        return False
    if last in SECURITY_VALUE_WORDS or last.endswith(("token", "secret", "password", "nonce", "salt")):
        return True
    qualifiers = QUALIFIED_SECURITY_WORDS.get(last)
    if qualifiers is not None:
        return any(w in qualifiers for w in words[:-1]) or name.lower() in ("sessid", "sessionid")
    return False


def property_words(ctx: RuleContext, node: Node) -> str | None:
    """The name a value goes by: an identifier, the property of a member expression, a string key."""
    node = ctx.unwrap(node)
    if node.type in ("identifier", "property_identifier", "shorthand_property_identifier"):
        return ctx.text(node)
    if node.type in ("member_expression", "subscript_expression"):
        return ctx.model.member_property(node)
    if node.type == "string":
        return ctx.string_value(node)
    return None


# ----- objects -----------------------------------------------------------------------------------------

def object_entries(ctx: RuleContext, obj: Node) -> tuple[dict[str, Node], bool] | None:
    """The properties of an object literal (through a const alias) as key -> value node, and whether it has
    a spread or computed key (so that a missing key may still be there). None when not an object literal."""
    literal = ctx.resolve_object(obj)
    if literal is None:
        return None
    entries: dict[str, Node] = {}
    open_ended = False
    for child in literal.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            value = child.child_by_field_name("value")
            name = ctx.model._property_key(key) if key is not None else None
            if name is None or value is None:
                open_ended = True
            else:
                entries[name] = value
        elif child.type == "shorthand_property_identifier":
            entries[ctx.text(child)] = child
        elif child.type == "method_definition":
            name_node = child.child_by_field_name("name")
            if name_node is not None:
                entries[ctx.text(name_node)] = child
        elif child.type == "spread_element":
            open_ended = True
    return entries, open_ended


def evaluate(ctx: RuleContext, node: Node) -> Constant | None:
    """`ctx.model.evaluate`, also for shorthand properties (`{ secret }` holds the variable `secret`)."""
    node = ctx.unwrap(node)
    if node.type == "shorthand_property_identifier":
        return ctx.model._evaluate_identifier(node, 0)
    return ctx.model.evaluate(node)


def constant_value(ctx: RuleContext, node: Node) -> object | None:
    """The statically known value of a node (string, number, bool, list), or None when not known."""
    found = evaluate(ctx, node)
    if found is None:
        return None
    value = found.value
    return value if isinstance(value, (str, int, float, bool, list)) else None


def numeric_value(ctx: RuleContext, node: Node, depth: int = 0) -> float | None:
    """A number known statically, arithmetic included (`20 * 1024 * 1024`, `2 ** 20`, a const holding one)."""
    node = ctx.unwrap(node)
    if depth > 8:
        return None
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        a = numeric_value(ctx, left, depth + 1) if left is not None else None
        b = numeric_value(ctx, right, depth + 1) if right is not None else None
        if a is None or b is None or operator is None:
            return None
        op = ctx.text(operator)
        if op == "*":
            return a * b
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "**" and b < 64:
            return float(a ** b)
        if op == "/" and b:
            return a / b
        if op == "<<" and 0 <= b < 64:
            return float(int(a) << int(b))
        return None
    if node.type == "identifier":
        binding = ctx.model.resolve(node)
        if binding is not None and binding.value is not None and binding.is_stable and not binding.path:
            return numeric_value(ctx, binding.value, depth + 1)
    value = constant_value(ctx, node)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def is_false(ctx: RuleContext, node: Node) -> bool:
    value = constant_value(ctx, ctx.unwrap(node))
    return value is False or value == 0 or value == "false"


def enclosing_function(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def parameter_name(param: Node, ctx: RuleContext) -> str:
    """The name of a parameter, also for TypeScript's `required_parameter` (`req: Request`)."""
    if param.type in ("required_parameter", "optional_parameter"):
        pattern = param.child_by_field_name("pattern")
        return ctx.text(pattern) if pattern is not None else ""
    if param.type == "assignment_pattern":
        left = param.child_by_field_name("left")
        return ctx.text(left) if left is not None else ""
    return ctx.text(param)


def parameter_names(function: Node, ctx: RuleContext) -> list[str]:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")
        return [ctx.text(single)] if single is not None else []
    return [parameter_name(p, ctx) for p in params.named_children if p.type != "comment"]


def descendants(node: Node, types: frozenset[str]) -> Iterator[Node]:
    """Nodes of the given types under `node` (not entering nested functions when `node` is one)."""
    stack = list(reversed(node.named_children))
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        stack.extend(reversed(current.named_children))


def is_request_data(ctx: RuleContext, node: Node) -> bool:
    """Whether some part of the value comes straight from a request (or other outside input)."""
    return any(o.kind == SOURCE and o.tag == "" and "*" not in o.sanitized for o in ctx.taint.taint_of(node))


def file_mentions(ctx: RuleContext, pattern: str) -> bool:
    """A cheap whole-file test: does the source text match `pattern` (a regex over bytes)?"""
    return re.search(pattern.encode(), ctx.model.source) is not None


def short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----- sizes -------------------------------------------------------------------------------------------

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


def parse_size(value: object) -> float | None:
    """Bytes of a body-parser style limit: 1048576, "50mb", "1gb", "100kb"; inf for Infinity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            return float(match.group(1)) * _UNITS[match.group(2).lower()]
    return None


def human_size(size: float) -> str:
    if size == float("inf"):
        return "unlimited"
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size:g} bytes"


# ----- passwords ---------------------------------------------------------------------------------------

# Slow password hashing functions (a value passed to these is being hashed properly).
SLOW_HASH_CALLS = frozenset(
    {"bcrypt.hash", "bcrypt.hashSync", "bcryptjs.hash", "bcryptjs.hashSync", "bcrypt-nodejs.hash",
     "bcrypt-nodejs.hashSync", "argon2.hash", "@node-rs/argon2.hash", "@node-rs/argon2.hashSync",
     "@node-rs/bcrypt.hash", "@node-rs/bcrypt.hashSync", "crypto.scrypt", "crypto.scryptSync", "crypto.pbkdf2",
     "crypto.pbkdf2Sync", "scrypt-js.scrypt", "scrypt-kdf.kdf", "bcrypt.compare", "bcryptjs.compare",
     "argon2.verify", "crypto.subtle.deriveBits", "crypto.subtle.deriveKey"}
)
_PASS_THROUGH_METHODS = frozenset({"trim", "toString", "normalize", "toLowerCase", "concat", "valueOf"})
_PASS_THROUGH_CALLS = frozenset({"String", "Buffer.from", "JSON.stringify"})


def password_part(ctx: RuleContext, node: Node, depth: int = 0) -> str | None:
    """The password-named value inside an expression (`salt + password`, `` `${user.pwd}` ``,
    `String(req.body.password).trim()`, a const holding one), or None."""
    if depth > 6:
        return None
    node = ctx.unwrap(node)
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier"):
        if is_password_name(ctx.text(node)):
            return ctx.text(node)
        binding = ctx.model.resolve(node) if kind == "identifier" else None
        if binding is not None and binding.value is not None and binding.is_stable and not binding.path \
                and binding.kind in ("const", "let", "var"):
            return password_part(ctx, binding.value, depth + 1)
        return None
    if kind in ("member_expression", "subscript_expression"):
        prop = ctx.model.member_property(node)
        return ctx.text(node) if prop is not None and is_password_name(prop) else None
    if kind == "binary_expression":
        for side in ("left", "right"):
            child = node.child_by_field_name(side)
            found = password_part(ctx, child, depth + 1) if child is not None else None
            if found is not None:
                return found
        return None
    if kind == "template_string":
        for child in node.named_children:
            if child.type == "template_substitution" and child.named_children:
                found = password_part(ctx, child.named_children[0], depth + 1)
                if found is not None:
                    return found
        return None
    if kind == "call_expression":
        method = ctx.method_name(node)
        callee = ctx.unwrap(node.child_by_field_name("function") or node)
        if method in _PASS_THROUGH_METHODS:
            receiver = callee.child_by_field_name("object")
            return password_part(ctx, receiver, depth + 1) if receiver is not None else None
        if ctx.call_name(node) in _PASS_THROUGH_CALLS:
            args = ctx.arguments(node)
            return password_part(ctx, args[0], depth + 1) if args else None
    if kind == "await_expression" and node.named_children:
        return password_part(ctx, node.named_children[0], depth + 1)
    return None


def inside_slow_hash(ctx: RuleContext, node: Node) -> bool:
    """Whether `node` is (part of) an argument of a slow password hash: a pre-hash before bcrypt."""
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type == "call_expression" and ctx.call_name(current) in SLOW_HASH_CALLS:
            return True
        current = current.parent
    return False


CONSOLE_METHODS = frozenset({"log", "info", "warn", "error", "debug", "trace", "dir"})
LOGGER_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly",
                            "http", "notice", "crit", "critical", "alert", "emerg"})
LOGGER_NAMES = frozenset({"logger", "log", "winston", "pino", "bunyan", "audit", "auditlog", "auditlogger",
                          "applogger", "requestlogger"})


#: The method names of the calls `logger_kind` recognises (for `Rule.call_names`).
LOG_CALL_NAMES = CONSOLE_METHODS | LOGGER_METHODS


def logger_kind(call: Node, ctx: RuleContext) -> str | None:
    """"console" for console.*, "logger" for a logger's method, None otherwise."""
    name = ctx.call_name(call)
    if name is not None and name.startswith("console.") and name.split(".")[-1] in CONSOLE_METHODS:
        return "console"
    method = ctx.method_name(call)
    if method not in LOGGER_METHODS:
        return None
    callee = ctx.unwrap(call.child_by_field_name("function") or call)
    receiver = callee.child_by_field_name("object")
    receiver_name = property_words(ctx, receiver) if receiver is not None else None
    if receiver_name is not None and receiver_name.lower().replace("_", "") in LOGGER_NAMES:
        return "logger"
    return None
