"""What the app model knows about frameworks and middleware, as data: which calls create an application or a
router, which modules provide which control (CSRF, rate limiting, headers...), how loggers and password checks
look. Adding a library is a line here, never a change to the collector or the joiner."""

from __future__ import annotations

import math
import re

# Calls (qualified names) that create an application or a router: name -> (framework, "app" | "router").
CREATORS: dict[str, tuple[str, str]] = {
    "express": ("express", "app"),
    "express.default": ("express", "app"),
    "express.Router": ("express", "router"),
    "express.Router.default": ("express", "router"),
    "router": ("express", "router"),
    "koa": ("koa", "app"),
    "koa.default": ("koa", "app"),
    "@koa/router": ("koa", "router"),
    "koa-router": ("koa", "router"),
    "fastify": ("fastify", "app"),
    "fastify.default": ("fastify", "app"),
    "fastify.fastify": ("fastify", "app"),
    "@hapi/hapi.server": ("hapi", "app"),
    "@hapi/hapi.Server": ("hapi", "app"),
    "hapi.server": ("hapi", "app"),
    "hapi.Server": ("hapi", "app"),
    "@nestjs/core.NestFactory.create": ("nestjs", "app"),
}

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "options", "head"})
STATE_CHANGING = frozenset({"post", "put", "patch", "delete", "del", "all"})

# Middleware factories (qualified name of the call, or of the value passed to `.use`) -> kind.
# Kinds: csrf, rate-limit, helmet, headers, cors, session, cookie-parser, auth, request-logger, body-parser.
MIDDLEWARE: dict[str, str] = {
    "csurf": "csrf", "@dr.pogodin/csurf": "csrf", "lusca.csrf": "csrf", "express.csrf": "csrf",
    "@fastify/csrf-protection": "csrf-setup", "fastify-csrf": "csrf-setup", "koa-csrf": "csrf", "tiny-csrf": "csrf",
    "express-rate-limit": "rate-limit", "express-rate-limit.rateLimit": "rate-limit",
    "express-rate-limit.default": "rate-limit", "express-slow-down": "rate-limit",
    "express-slow-down.slowDown": "rate-limit", "@fastify/rate-limit": "rate-limit",
    "fastify-rate-limit": "rate-limit", "koa-ratelimit": "rate-limit", "koa2-ratelimit.RateLimit.middleware":
    "rate-limit", "express-limiter": "rate-limit", "hapi-rate-limit": "rate-limit", "hapi-rate-limitor": "rate-limit",
    "helmet": "helmet", "helmet.default": "helmet", "@fastify/helmet": "helmet", "fastify-helmet": "helmet",
    "koa-helmet": "helmet", "koa-helmet.default": "helmet", "lusca": "lusca",
    "cors": "cors", "@fastify/cors": "cors", "fastify-cors": "cors", "@koa/cors": "cors", "kcors": "cors",
    "express-session": "session", "cookie-session": "session", "koa-session": "session",
    "@fastify/session": "session", "@fastify/secure-session": "session", "@hapi/yar": "session",
    "@hapi/cookie": "session", "@hapi/crumb": "csrf", "crumb": "csrf",
    "cookie-parser": "cookie-parser", "@fastify/cookie": "cookie-parser", "fastify-cookie": "cookie-parser",
    "passport.authenticate": "auth", "passport.session": "auth", "express-jwt": "auth",
    "express-jwt.expressjwt": "auth", "express-jwt.expressJwt": "auth", "koa-jwt": "auth",
    "koa-passport.authenticate": "auth",
    "connect-ensure-login.ensureLoggedIn": "auth", "express-openid-connect.requiresAuth": "auth",
    "express-oauth2-jwt-bearer.auth": "auth", "@fastify/jwt": "auth-setup", "@fastify/auth": "auth-setup",
    "morgan": "request-logger", "pino-http": "request-logger", "pino-http.default": "request-logger",
    "express-pino-logger": "request-logger", "express-winston.logger": "request-logger",
    "koa-logger": "request-logger", "koa-pino-logger": "request-logger", "hapi-pino": "request-logger",
    "express.json": "body-parser", "express.urlencoded": "body-parser", "express.text": "body-parser",
    "express.raw": "body-parser", "body-parser.json": "body-parser", "body-parser.urlencoded": "body-parser",
    "body-parser.text": "body-parser", "body-parser.raw": "body-parser", "body-parser": "body-parser",
    "koa-bodyparser": "body-parser", "koa-body": "body-parser", "koa-body.koaBody": "body-parser",
}
# Methods of a middleware that return it with exceptions (express-unless: `jwt({ secret }).unless({ path })`).
MIDDLEWARE_MODIFIERS = frozenset({"unless"})
# Fastify plugins that only decorate the instance ("-setup" kinds guard nothing by themselves): the routes are
# protected where the decorator runs as a hook. Decorators of plugins, as hooks -> kind.
FASTIFY_DECORATOR_KINDS: dict[str, str] = {"csrfProtection": "csrf", "rateLimit": "rate-limit", "auth": "auth"}
# Methods that, called in a hook or middleware, authenticate the request: passport's check, @fastify/jwt's.
AUTH_METHODS = frozenset({"isAuthenticated", "jwtVerify"})
# Wrappers that make a Fastify plugin register into its parent's scope instead of a child one.
FASTIFY_PLUGIN_WRAPPERS = frozenset({"fastify-plugin", "fastify-plugin.default", "fastify-plugin.fastifyPlugin"})
# Objects returned by a factory that hold the middleware in a property: (factory, property) -> kind.
HOLDERS: dict[tuple[str, str], str] = {
    ("csrf-csrf.doubleCsrf", "doubleCsrfProtection"): "csrf",
    ("csrf-sync.csrfSync", "csrfSynchronisedProtection"): "csrf",
    ("express-brute", "prevent"): "rate-limit",
    ("express-brute", "getMiddleware"): "rate-limit",
}
# Calls that count as a limiter or lockout when made in a handler or middleware (rate-limiter-flexible).
LIMITER_CALLS = ("rate-limiter-flexible.", "@upstash/ratelimit.")
LIMITER_METHODS = frozenset({"consume", "penalty", "block", "limit"})
# Hand-written security headers (any of these set on a response means headers are handled on purpose).
SECURITY_HEADERS = frozenset({
    "content-security-policy", "strict-transport-security", "x-frame-options", "x-content-type-options",
    "referrer-policy", "permissions-policy", "cross-origin-opener-policy",
})
# helmet options that switch off a protection worth having.
HELMET_PROTECTIONS = ("contentSecurityPolicy", "frameguard", "xFrameOptions", "hsts", "strictTransportSecurity",
                      "noSniff", "xContentTypeOptions")

# Logging: libraries, and calls that log.
LOGGING_MODULES = frozenset({
    "winston", "pino", "bunyan", "log4js", "loglevel", "signale", "npmlog", "consola", "tracer", "roarr",
    "@nestjs/common.Logger", "morgan", "pino-http", "express-winston", "koa-logger", "hapi-pino", "debug",
})
LOG_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "fatal", "trace", "notice", "audit",
                         "critical", "child"})
LOGGER_NAME = re.compile(r"(?i)(^|[._])(log|logger|audit\w*|\w*logger|winston|pino|bunyan|console)$")
AUDIT_NAME = re.compile(r"(?i)audit")
MFA_MODULES = frozenset({
    "otplib", "@otplib/core", "@otplib/preset-default", "speakeasy", "@simplewebauthn/server", "notp",
    "node-2fa", "totp-generator", "passport-totp", "passport-2fa-totp", "passport-fido2-webauthn",
    "@passwordless-id/webauthn", "fido2-lib", "otpauth", "authenticator",
})
# Password verification and hashing calls (qualified names, or module prefixes).
PASSWORD_VERIFY = frozenset({
    "bcrypt.compare", "bcrypt.compareSync", "bcryptjs.compare", "bcryptjs.compareSync", "argon2.verify",
    "@node-rs/argon2.verify", "@node-rs/bcrypt.compare", "@node-rs/bcrypt.verify", "crypto.timingSafeEqual",
    "passport-local.Strategy", "scrypt-kdf.verify",
})
PASSWORD_HASH = frozenset({
    "bcrypt.hash", "bcrypt.hashSync", "bcryptjs.hash", "bcryptjs.hashSync", "argon2.hash", "@node-rs/argon2.hash",
    "@node-rs/bcrypt.hash", "crypto.scrypt", "crypto.scryptSync", "crypto.pbkdf2", "crypto.pbkdf2Sync",
    "scrypt-kdf.kdf",
})
# Line-level practices: calls that show a practice is in use (evidence when no rule found a problem).
PRACTICE_CALLS: dict[str, tuple[str, ...]] = {
    "password-storage": tuple(sorted(PASSWORD_HASH)),
    "jwt": ("jsonwebtoken.verify", "jsonwebtoken.sign", "jose.jwtVerify", "express-jwt", "express-jwt.expressjwt"),
    "randomness": ("crypto.randomBytes", "crypto.randomUUID", "crypto.randomInt", "crypto.webcrypto.getRandomValues",
                   "nanoid.nanoid", "uuid.v4"),
    "tls": ("https.createServer", "tls.createServer", "http2.createSecureServer"),
    "temp-files": ("fs.mkdtemp", "fs.mkdtempSync", "fs.promises.mkdtemp", "tmp.file", "tmp.dir", "tmp-promise.file",
                   "tmp-promise.dir"),
    "exposed-files": ("express.static", "serve-static", "koa-static", "@fastify/static"),
}
# Findings of other rules that speak about a practice, by CWE (so rules added later count without a change here).
PRACTICE_CWES: dict[str, frozenset[int]] = {
    "session-cookies": frozenset({614, 1004, 1275, 384, 565}),
    "cors": frozenset({942, 346}),
    "password-storage": frozenset({916, 759, 760, 328, 256, 257}),
    "jwt": frozenset({347, 345, 613}),
    "randomness": frozenset({330, 338}),
    "tls": frozenset({295, 319, 297}),
    "temp-files": frozenset({377, 378, 379, 732, 276}),
    "exposed-files": frozenset({538, 548, 552}),
    "sensitive-data": frozenset({209, 532, 200, 201, 215}),
    "body-size": frozenset({770, 400}),
    "csrf": frozenset({352}),
}

# Routes: authentication by path, registration / password change by path, admin by path.
AUTH_PATH = re.compile(
    r"(?i)(^|/)(login|log-in|signin|sign-in|sign_in|authenticate|auth|token|oauth/token|sessions?|"
    r"(forgot|reset)[-_]?password|password[-_/]?(reset|forgot)|otp|2fa|mfa|totp|verify[-_]?(otp|code|2fa|mfa))"
    r"(/:[^/]+)*/?$"
)
REGISTER_PATH = re.compile(
    r"(?i)(^|/)(register|signup|sign-up|sign_up|join|users?/?$|accounts?/?$|password|change[-_]?password|"
    r"reset[-_]?password|set[-_]?password)(/:[^/]+)*/?$"
)
ADMIN_PATH = re.compile(r"(?i)(^|/)(admin|roles?|permissions?|users/:[^/]+/(role|ban|delete))(/|$)")
AUTH_MIDDLEWARE_NAME = re.compile(
    r"(?i)(authenticat|authoriz|^auth$|^auth[A-Z_]|requireauth|isauth|loggedin|logged_in|ensurelogged|"
    r"loginrequired|login_required|jwt|verifytoken|checktoken|validatetoken|requiretoken|protect|guard|requireuser|requirerole|"
    r"requireadmin|isadmin|hasrole|haspermission|checkrole|checkpermission|restrict|requirelogin|requiresession)"
)
ADMIN_MIDDLEWARE_NAME = re.compile(r"(?i)(admin|role|permission)")
LOCKOUT_WORDS = re.compile(r"(?i)(lock_?until|locked_?until|lockout|failed_?(login_?)?attempts|login_?attempts|"
                           r"failed_?logins|max_?attempts)")
PASSWORD_NAME = re.compile(r"(?i)(^|[._'\"])(new_?)?(password|passwd|pwd|pass)([A-Z_]\w*)?['\"]?$")
LENGTH_METHODS = frozenset({"min", "minLength", "isLength", "length", "isStrongPassword", "minlength"})
CLASS_VALIDATOR_LENGTH = frozenset({"class-validator.MinLength", "class-validator.Length",
                                    "class-validator.IsStrongPassword"})

SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}


def parse_size(value: object) -> int | None:
    """Bytes of a body-parser `limit` ("10mb", "100kb", 1048576); None when not understood."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) else 2 ** 63
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?b)?\s*", value.lower())
        if match:
            return int(float(match.group(1)) * SIZE_UNITS[match.group(2) or "b"])
    return None

# ----- session fixation -------------------------------------------------------------------------------

# A write of who the user is into a server-side session: `req.session.userId = ...`, `ctx.session.user = ...`.
SESSION_IDENTITY_WRITE = re.compile(
    r"^(?:this\.)?(?:req|request|ctx|context)(?:\.request)?\.session\.((?:user|account|member|customer|admin)\w*|uid|"
    r"(?:is)?(?:logged_?in|authenticated|auth|admin)|role|email|username|passport)$", re.IGNORECASE)
# Calls that give a session a new id (or start a new one) at sign-in. Passport's `req.login` regenerates the
# session since passport 0.6.
SESSION_RENEWAL_METHODS = frozenset({"regenerate", "regenerateSession", "login", "logIn"})
SESSION_OWNER = re.compile(r"^(?:this\.)?(?:req|request|ctx|context)(?:\.request)?(?:\.session)?$")
# Session middleware that keeps the whole session in the cookie: a new value is a new cookie, nothing to fix.
COOKIE_SESSIONS = frozenset({"cookie-session", "@fastify/secure-session", "koa-session"})
# Cookies that carry who the user is (a JWT, an access token, a session id set by hand): a browser sends them
# with every request to the site, forged cross-site ones included, as it does a session cookie.
AUTH_COOKIE_NAME = re.compile(r"token|jwt|auth|sess|sid\b|access|identity|login", re.IGNORECASE)
