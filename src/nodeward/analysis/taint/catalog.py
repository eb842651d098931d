"""What the taint engine knows about frameworks and libraries, as plain data.

Adding a source, sanitizer or propagator is a row here; the engine never names a library itself.
Sink classes: command, code, path, sql, nosql, xss, ssrf, redirect, deserialization, prototype,
regex, xxe, header, require, xpath, log (text written to a log, where a line break forges entries); redos and
redos-polynomial (a value matched against a regular expression with exponential or polynomial
backtracking: a length limit makes it safe for the second, rarely for the first); prototype-partial (a key
written by a function that rejects `__proto__` only); dependency (a value handed to a package the lockfile
pins at a known-vulnerable version).
"""

from __future__ import annotations

import re

ALL_CLASSES = frozenset(
    {"command", "code", "path", "sql", "nosql", "xss", "ssrf", "redirect", "deserialization", "prototype",
     "regex", "xxe", "header", "require", "log", "redos", "redos-polynomial", "password", "xpath",
     "prototype-partial", "dependency"}
)
# A class whose sinks are a weaker form of another's: a value safe for the stronger class is safe for it too.
WEAKER_CLASSES = {"prototype-partial": "prototype"}

# ----- sources -----------------------------------------------------------------------------------

# Methods that register an HTTP handler: app.get(path, ...handlers), router.post, fastify.put, app.use(mw).
ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "del", "all", "use", "options", "head", "route", "any"}
)
# Calls whose function arguments are request handlers whatever their shape.
SERVER_FACTORIES = frozenset(
    {"http.createServer", "https.createServer", "http2.createServer", "http2.createSecureServer"}
)
# Properties of a request (Express, Koa ctx and ctx.request, Fastify, Hapi, Node http) that carry client data.
REQUEST_PROPERTIES = frozenset(
    {
        "query", "body", "params", "param", "headers", "header", "cookies", "signedCookies", "url", "originalUrl",
        "path", "files", "file", "payload", "request", "hostname", "host", "raw", "rawBody", "querystring",
        "search", "href", "req", "rawHeaders", "state_from_client",
        # Next.js: a NextRequest's parsed URL; the params and searchParams of a page's props
        "nextUrl", "searchParams",
    }
)
# Methods of a request that return client data: req.get('X-Header'), req.header(...), ctx.get(...).
# Web `Request` (Next.js route handlers, Hono, edge functions): `await req.json()`, `await req.formData()`.
REQUEST_METHODS = frozenset({"get", "header", "param", "cookie", "getHeader", "json", "formData", "text",
                             "arrayBuffer", "blob"})
# Calls that return client data wherever they are made: Next.js reads the current request's headers and cookies.
SOURCE_CALLS = {"next/headers.headers": "request headers", "next/headers.cookies": "request cookies"}
# Methods of an Express/Node response: a function whose second parameter is used with them is a request handler
# (`function (rq, rs) { rs.send(...) }`), wherever it is registered (often in another file).
RESPONSE_METHODS = frozenset(
    {"send", "json", "jsonp", "render", "redirect", "sendFile", "sendStatus", "download", "writeHead", "end",
     "setHeader", "cookie", "clearCookie", "attachment"}
)
# Parameter names that denote an HTTP request wherever they appear.
REQUEST_PARAMETER_NAMES = frozenset({"req", "request"})
# A Koa context (first parameter so named) is the request when the function uses it as Koa's: controllers
# exported from one file and routed in another.
KOA_CONTEXT_NAMES = frozenset({"ctx", "context"})
KOA_CONTEXT_USES = (".body =", ".status =", ".request.", ".throw(", ".redirect(", ".type =")
# NestJS parameter decorators: the decorated parameter is client data (or the whole request).
NEST_DATA_DECORATORS = frozenset({"Body", "Query", "Param", "Headers", "Cookies", "UploadedFile", "UploadedFiles",
                                  "Ip", "HostParam", "MessageBody", "Payload", "Args"})
NEST_REQUEST_DECORATORS = frozenset({"Req", "Request"})
# Pipes that let through only a number, a UUID, a boolean or a member of an enum (`@Param("id", ParseIntPipe)`).
NEST_SANITIZING_PIPES = frozenset({"ParseIntPipe", "ParseFloatPipe", "ParseBoolPipe", "ParseUUIDPipe",
                                   "ParseEnumPipe"})
# Decorators that give a whole object, which a handler may type with a class-validator DTO.
NEST_DTO_DECORATORS = frozenset({"Body", "Query", "Param", "MessageBody", "Payload", "Args"})
# class-validator decorators that let through only numbers, booleans, dates, UUIDs, hexadecimal ids or one of
# listed constants: with a ValidationPipe, a DTO field carrying one is safe for every sink.
SAFE_VALIDATORS = frozenset({
    "IsInt", "IsNumber", "IsNumberString", "IsDecimal", "IsBoolean", "IsBooleanString", "IsUUID", "IsIn", "IsEnum",
    "IsDate", "IsDateString", "IsISO8601", "IsMongoId", "IsHexadecimal", "IsAlphanumeric", "IsAlpha", "Min", "Max",
    "IsPositive", "IsNegative", "IsLatitude", "IsLongitude", "IsLatLong", "IsPort", "IsHexColor", "IsMilitaryTime",
    "IsTimeZone", "IsISO31661Alpha2", "IsISO4217CurrencyCode", "IsSemVer",
})
# ... and those that make the others conditional.
CONDITIONAL_VALIDATORS = frozenset({"ValidateIf"})
# Methods that return the request object: NestJS `context.switchToHttp().getRequest()` in guards, interceptors
# and parameter decorators.
REQUEST_GETTERS = frozenset({"getRequest"})
# Qualified names whose value is input from outside the program.
GLOBAL_SOURCES = {
    "process.argv": "command-line argument",
    "process.stdin": "standard input",
    "location.search": "URL of the page",
    "location.hash": "URL of the page",
    "document.location": "URL of the page",
    "window.location": "URL of the page",
    "document.cookie": "cookie",
    "document.URL": "URL of the page",
}
# What a server template prints inside an inline `<script>` of the page: the templates scanner replaces each
# output tag there by one of these names (numbered, `__nw_raw_3`) before the script is analysed as JavaScript.
# Printed raw, the data can be anything; HTML-escaped, it cannot carry markup (`&lt;` stays text when the
# script inserts it as HTML) but is still code to `eval` and a URL to `location`.
TEMPLATE_OUTPUT_MARKERS = re.compile(r"__nw_(raw|esc)_\d+")
TEMPLATE_OUTPUT_SOURCES = {
    "raw": ("data the template prints unescaped", frozenset[str]()),
    "esc": ("data the template prints HTML-escaped", frozenset({"xss"})),
}
# Event names whose listeners receive data from a client: ws, socket.io, net sockets, stdin.
CLIENT_EVENTS = frozenset({"message", "data"})
CONNECTION_EVENTS = frozenset({"connection", "connect"})
QUIET_EVENTS = frozenset({"disconnect", "close", "error", "end", "connection", "connect", "open"})
# RPC servers that emit one event per method a client calls, with the client's parameters:
# `xmlrpc.createServer(...).on("method.name", (err, params, callback) => ...)`.
RPC_SERVER_FACTORIES = frozenset({"xmlrpc.createServer", "xmlrpc.createSecureServer"})
# GraphQL resolvers (Apollo, graphql-js, mercurius...): the second parameter holds the query's arguments.
GRAPHQL_MARKERS = (b"graphql", b"GraphQL", b"apollo", b"Apollo", b"gql", b"mercurius", b"Resolver")
GRAPHQL_ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})
# Scalars that pass any JSON value, objects included, into a resolver's arguments (graphql-type-json,
# graphql-scalars, a `scalar JSON` of the schema): with one in the file, arguments may carry query operators.
GRAPHQL_JSON_SCALARS = re.compile(
    rb"GraphQLJSON|graphql-type-json|graphql-scalars|JSONObject|JSONResolver|\bscalar\s+(?:JSON|Object|Any|Mixed)\b")
# Names under which an AWS Lambda (or similar) handler is exported.
SERVERLESS_HANDLER_NAMES = frozenset({"handler", "main", "lambdaHandler"})

# ----- propagation ---------------------------------------------------------------------------------

# Calls whose result carries the taint of all their arguments.
PROPAGATING_CALLS = frozenset(
    {
        "JSON.parse", "JSON.stringify", "String", "Buffer.from", "Object.assign", "Object.values", "Object.entries",
        "Object.keys", "Object.getOwnPropertyNames", "Reflect.ownKeys",
        "Array.from", "Array.of", "util.format", "util.inspect", "decodeURIComponent", "decodeURI", "unescape",
        "querystring.parse", "querystring.unescape", "qs.parse", "url.parse", "url.format", "URL", "url.URL",
        "URLSearchParams", "url.URLSearchParams",
        "path.join", "path.resolve", "path.normalize", "path.relative", "path.dirname", "path.posix.join",
        "path.win32.join", "path.posix.resolve", "path.win32.resolve", "path.posix.normalize", "path.format",
        "url.fileURLToPath", "Object.fromEntries", "structuredClone", "lodash.merge", "lodash.defaults",
        "lodash.template", "sprintf-js.sprintf", "util.promisify", "Promise.resolve", "atob", "btoa",
        "querystring.stringify", "qs.stringify", "format", "printf",
        # The output of a command run synchronously: what its command line carries (a constant command,
        # or one built from sanitized values, prints data of the system, not of a client).
        "child_process.execSync", "child_process.execFileSync", "child_process.spawnSync",
    }
)
# Methods that, called on a tainted value, return a value carrying its taint (and their arguments').
PROPAGATING_METHODS = frozenset(
    {
        "toString", "toLowerCase", "toUpperCase", "toLocaleLowerCase", "toLocaleUpperCase", "trim", "trimStart",
        "trimEnd", "trimLeft", "trimRight", "split", "slice", "substring", "substr", "replace", "replaceAll",
        "concat", "join", "padStart", "padEnd", "repeat", "normalize", "charAt", "at", "map", "filter", "flat",
        "flatMap", "reduce", "reduceRight", "find", "findLast", "pop", "shift", "reverse", "sort", "values",
        "entries", "keys", "get", "toJSON", "valueOf", "then", "catch", "finally", "format", "parse", "decode",
        "toObject", "lean", "match", "exec", "matchAll", "getAll", "text", "json",
    }
)
# Methods of database clients and models that read records (SQL clients, ORMs, MongoDB): what they return is
# stored data, not their arguments, so a value read with request data is not that request data.
DATABASE_READ_METHODS = frozenset(
    {
        "query", "execute", "findOne", "findById", "findByPk", "findAll", "findMany", "findUnique", "findFirst",
        "findOneBy", "findBy", "findAndCountAll", "findOneOrFail", "aggregate", "countDocuments",
    }
)
# Methods that put their arguments into the receiver: `list.push(x)` makes `list` carry the taint of `x`.
COLLECTION_ADDERS = frozenset({"push", "unshift", "splice", "set", "add", "append", "fill"})
# Callback-taking methods: the callback's parameters take the taint of the receiver.
CALLBACK_METHODS = {
    "map": (0,), "forEach": (0,), "filter": (0,), "find": (0,), "findLast": (0,), "some": (0,), "every": (0,),
    "flatMap": (0,), "reduce": (1,), "reduceRight": (1,), "then": (0,), "sort": (0, 1), "findIndex": (0,),
}
# Collection functions of utility libraries, `_.each(obj, (value, key) => ...)`: the callback's parameters at
# these positions take the taint of the first argument (over an object, the keys are its keys).
_ITERATEE_PARAMS: dict[str, tuple[int, ...]] = {
    "each": (0, 1), "forEach": (0, 1), "forOwn": (0, 1), "forIn": (0, 1), "eachRight": (0, 1),
    "forEachRight": (0, 1), "map": (0, 1), "mapValues": (0, 1), "mapKeys": (0, 1), "filter": (0, 1),
    "some": (0, 1), "every": (0, 1), "find": (0, 1), "reduce": (1, 2), "transform": (1, 2),
}
CALLBACK_FUNCTIONS: dict[str, tuple[int, ...]] = {
    f"{library}.{name}": params
    for library in ("lodash", "underscore", "lodash-es")
    for name, params in _ITERATEE_PARAMS.items()
} | {f"lodash.{name.lower()}": params for name, params in _ITERATEE_PARAMS.items()} | {
    f"lodash/{name}": params for name, params in _ITERATEE_PARAMS.items()}

# ----- sanitizers ------------------------------------------------------------------------------------

# Calls whose result is clean for the listed sink classes ("*" = every class).
SANITIZING_CALLS: dict[str, frozenset[str]] = {
    "Number": frozenset({"*"}), "parseInt": frozenset({"*"}), "parseFloat": frozenset({"*"}),
    "Number.parseInt": frozenset({"*"}), "Number.parseFloat": frozenset({"*"}), "Boolean": frozenset({"*"}),
    "Math.floor": frozenset({"*"}), "Math.round": frozenset({"*"}), "Math.abs": frozenset({"*"}),
    "Math.max": frozenset({"*"}), "Math.min": frozenset({"*"}), "Date.parse": frozenset({"*"}),
    "isNaN": frozenset({"*"}), "Number.isInteger": frozenset({"*"}), "Array.isArray": frozenset({"*"}),
    # Quotes, parentheses, `*` and `-` pass unchanged: not a sanitizer for SQL, code or shell command text.
    "encodeURIComponent": frozenset({"xss", "redirect", "path", "header", "ssrf", "log"}),
    "encodeURI": frozenset({"xss", "header"}),
    "escape-html": frozenset({"xss"}), "he.encode": frozenset({"xss"}), "he.escape": frozenset({"xss"}),
    "validator.escape": frozenset({"xss"}), "xss": frozenset({"xss"}), "dompurify.sanitize": frozenset({"xss"}),
    "DOMPurify.sanitize": frozenset({"xss"}), "sanitize-html": frozenset({"xss"}), "lodash.escape": frozenset({"xss"}),
    "underscore.escape": frozenset({"xss"}), "entities.encode": frozenset({"xss"}),
    "shell-quote.quote": frozenset({"command"}), "shell-escape": frozenset({"command"}),
    "shescape.quote": frozenset({"command"}), "any-shell-escape": frozenset({"command"}),
    "path.basename": frozenset({"path"}), "path.extname": frozenset({"path", "command"}),
    "sanitize-filename": frozenset({"path", "command"}),
    "mysql.escape": frozenset({"sql"}), "mysql2.escape": frozenset({"sql"}), "sqlstring.escape": frozenset({"sql"}),
    "pg-format": frozenset({"sql"}), "mysql.format": frozenset({"sql"}), "mysql2.format": frozenset({"sql"}),
    "mongo-sanitize": frozenset({"nosql"}), "express-mongo-sanitize.sanitize": frozenset({"nosql"}),
    "lodash.escapeRegExp": frozenset({"regex"}), "escape-string-regexp": frozenset({"regex"}),
    "lodash.escaperegexp": frozenset({"regex"}), "validator.isURL": frozenset({"*"}),
    "validator.isInt": frozenset({"*"}), "validator.isEmail": frozenset({"*"}), "crypto.createHash": frozenset({"*"}),
    "uuid.validate": frozenset({"*"}), "typeof": frozenset({"*"}),
    # Password hashing: what it returns is a hash (or a promise of one), safe to store and to use anywhere.
    **{f"{library}.{function}": frozenset({"*"})
       for library in ("bcrypt", "bcryptjs", "bcrypt-nodejs", "@node-rs/bcrypt") for function in ("hash", "hashSync")},
    "argon2.hash": frozenset({"*"}), "@node-rs/argon2.hash": frozenset({"*"}),
    "@node-rs/argon2.hashSync": frozenset({"*"}),
    "crypto.scryptSync": frozenset({"*"}), "crypto.pbkdf2Sync": frozenset({"*"}), "crypto.createHmac": frozenset({"*"}),
    # Both quote strings and escape line breaks in them: what they produce cannot start a new log line.
    "JSON.stringify": frozenset({"log"}), "util.inspect": frozenset({"log"}),
}
# Methods (on any receiver) whose result is clean for the listed sink classes.
SANITIZING_METHODS: dict[str, frozenset[str]] = {
    "escape": frozenset({"xss", "sql"}), "escapeId": frozenset({"sql"}), "escapeLiteral": frozenset({"sql"}),
    "escapeIdentifier": frozenset({"sql"}), "escapeHtml": frozenset({"xss"}), "encodeForHTML": frozenset({"xss"}),
    "quote": frozenset({"command"}), "digest": frozenset({"*"}), "length": frozenset({"*"}),
    "indexOf": frozenset({"*"}), "includes": frozenset({"*"}), "test": frozenset({"*"}), "startsWith": frozenset({"*"}),
    "endsWith": frozenset({"*"}), "localeCompare": frozenset({"*"}), "hasOwnProperty": frozenset({"*"}),
    "toFixed": frozenset({"*"}), "getTime": frozenset({"*"}), "search": frozenset({"*"}),
    "lastIndexOf": frozenset({"*"}), "charCodeAt": frozenset({"*"}), "codePointAt": frozenset({"*"}),
}
# Function names (in the project's own code) that by their name clean or check a value.
SANITIZER_NAME_WORDS = ("sanitiz", "escape", "encode", "quote", "validat", "clean", "safe", "whitelist", "allowlist",
                        "hash", "encrypt")

# Escaping and formatting functions of SQL libraries (the SQL sink's parameterised forms need no row:
# only the SQL text is a sink).
SANITIZING_CALLS.update({
    "sqlstring.format": frozenset({"sql"}), "sqlstring.escapeId": frozenset({"sql"}),
    "mysql.escapeId": frozenset({"sql"}), "mysql2.escapeId": frozenset({"sql"}),
    "mysql2/promise.escape": frozenset({"sql"}), "mysql2/promise.format": frozenset({"sql"}),
    "pg-format.literal": frozenset({"sql"}), "pg-format.ident": frozenset({"sql"}),
    "pg-format.string": frozenset({"sql"}), "pg-escape": frozenset({"sql"}),
    "pg-escape.literal": frozenset({"sql"}), "pg-escape.ident": frozenset({"sql"}),
})

# ----- archive entries (zip slip) --------------------------------------------------------------------

# Names of the entries of an archive being extracted are chosen by whoever made the archive: `../../x`
# or `/etc/x` written as is escapes the destination. Each row says how a library hands out entry objects
# and which property holds the name: (module, via, key, parameter, name property), where `via` is
#   "result":   calling the method `key` returns entries (a list of them): `zip.getEntries()`;
#   "event":    listeners of the event `key` get an entry as parameter `parameter`: `.on("entry", e => ...)`;
#   "option":   the function given as option `key` to a function of the module gets one as parameter
#               `parameter`: `tar.x({ onentry })`;
#   "callback": the function given to the method `key` gets one as parameter `parameter`.
# An empty name property means the parameter is the name itself. Rows apply in files that load the module.
# These names are sources for the "path" sink class only.
ARCHIVE_ENTRY_SOURCES: tuple[tuple[str, str, str, int, str], ...] = (
    ("adm-zip", "result", "getEntries", -1, "entryName"),
    ("unzipper", "event", "entry", 0, "path"),
    ("unzip-stream", "event", "entry", 0, "path"),
    ("unzip", "event", "entry", 0, "path"),
    ("yauzl", "event", "entry", 0, "fileName"),
    ("yauzl-promise", "callback", "walkEntries", 0, "filename"),
    ("yauzl-promise", "result", "readEntry", -1, "filename"),
    ("yauzl-promise", "result", "readEntries", -1, "filename"),
    ("tar", "event", "entry", 0, "path"),
    ("tar", "option", "onentry", 0, "path"),
    ("tar", "option", "filter", 0, ""),
    ("tar", "option", "filter", 1, "path"),
    ("tar-stream", "event", "entry", 0, "name"),
)

# ----- library mode ------------------------------------------------------------------------------------

# Confidence of a flow from a parameter of a package's exported API, by sink class. File-system paths and
# regular expressions are what many libraries take from their callers by design (a file utility, a router):
# such flows are worth a look, not a certain vulnerability. Classes not listed: high.
# A caller's value matched against a regular expression with exponential backtracking is the classic ReDoS of a
# library (high); with polynomial backtracking it needs long inputs, which callers often limit (medium).
# Sink classes that concern applications only: a library that logs what its caller passed is not where a
# forged log line comes from, the application that passed request data to it is.
APPLICATION_ONLY_CLASSES = frozenset({"log", "password"})
# What a library writes into a response (a header, an HTML body, a redirect) from its parameters is the
# caller's configuration (helmet's policies, a rate limiter's message): the app is where request data would
# reach it, and is reported there (low).
LIBRARY_API_CONFIDENCE = {"path": "medium", "regex": "medium", "require": "medium", "header": "low", "xss": "low",
                          "redirect": "low", "redos-polynomial": "medium",
                          "prototype-partial": "low"}
