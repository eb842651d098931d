"""What the configuration checks know, as data: the engines in this package read these tables and
hold no case-by-case knowledge of their own. Adding a capability, a host path or an image is one line.
"""

from __future__ import annotations

import datetime

from nodeward.findings import Severity

# -- containers ------------------------------------------------------------------------------------

#: Linux capabilities that give a container a way out (or power over the host), with their severity.
#: Any other added capability is reported as medium.
DANGEROUS_CAPABILITIES: dict[str, Severity] = {
    "ALL": Severity.CRITICAL,
    "SYS_ADMIN": Severity.CRITICAL,  # mount, namespaces, BPF: the classic container escape
    "SYS_MODULE": Severity.CRITICAL,  # load kernel modules
    "SYS_PTRACE": Severity.HIGH,  # read other processes' memory (with host PID: the host's)
    "SYS_RAWIO": Severity.HIGH,
    "DAC_READ_SEARCH": Severity.HIGH,  # open_by_handle_at: read host files (the "shocker" escape)
    "NET_ADMIN": Severity.HIGH,  # reconfigure interfaces, routes, firewall
    "SYS_BOOT": Severity.HIGH,
    "SYS_TIME": Severity.MEDIUM,
    "NET_RAW": Severity.MEDIUM,  # forge packets, ARP spoofing
    "BPF": Severity.HIGH,
    "PERFMON": Severity.MEDIUM,
    "MKNOD": Severity.MEDIUM,
}
#: Capabilities an added entry may be without being worth a report (bind a low port as non-root).
HARMLESS_CAPABILITIES = frozenset({"NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID", "KILL"})

#: Host paths that must not be mounted into a container: the path (or a prefix of it) and what it gives.
SENSITIVE_HOST_PATHS: dict[str, tuple[Severity, str]] = {
    "/var/run/docker.sock": (Severity.CRITICAL, "the Docker socket (root on the host)"),
    "/run/docker.sock": (Severity.CRITICAL, "the Docker socket (root on the host)"),
    "/run/containerd/containerd.sock": (Severity.CRITICAL, "the containerd socket (root on the host)"),
    "/var/run/crio/crio.sock": (Severity.CRITICAL, "the CRI-O socket (root on the host)"),
    "/": (Severity.CRITICAL, "the host's root file system"),
    "/etc": (Severity.HIGH, "the host's configuration (passwords, sudoers, cron)"),
    "/root": (Severity.HIGH, "root's home directory (SSH keys, shell history)"),
    "/proc": (Severity.HIGH, "the host's processes"),
    "/sys": (Severity.HIGH, "the host's kernel interfaces"),
    "/dev": (Severity.HIGH, "the host's devices"),
    "/boot": (Severity.HIGH, "the host's kernel and boot loader"),
    "/var/lib/kubelet": (Severity.HIGH, "the kubelet's state (service-account tokens of every pod)"),
    "/var/lib/docker": (Severity.HIGH, "every container's file system"),
    "/home": (Severity.MEDIUM, "the users' home directories"),
    "/var/log": (Severity.MEDIUM, "the host's logs"),
    "/var/run": (Severity.HIGH, "the host's runtime sockets"),
    "/run": (Severity.HIGH, "the host's runtime sockets"),
}
#: Paths only reported when mounted exactly (their subdirectories are ordinary data directories).
EXACT_ONLY_HOST_PATHS = frozenset({"/", "/home", "/var/run", "/run"})

#: security_opt / seccompProfile / appArmorProfile values that switch the kernel's filters off.
UNCONFINED_PROFILES = frozenset({"seccomp:unconfined", "seccomp=unconfined", "apparmor:unconfined",
                                 "apparmor=unconfined", "label:disable", "label=disable", "systempaths=unconfined"})

#: Users that are root, in `USER`, compose `user:` and `runAsUser`.
ROOT_USERS = frozenset({"root", "0", "root:root", "0:0", "root:0", "0:root"})

#: Base images that run as a non-root user by default (so a Dockerfile without USER is fine), by
#: image-name prefix and, where it matters, tag prefix.
NON_ROOT_IMAGES: tuple[tuple[str, str], ...] = (
    ("gcr.io/distroless/", "nonroot"),  # distroless images have a `:nonroot` / `:debug-nonroot` variant
    ("gcr.io/distroless/", "debug-nonroot"),
    ("cgr.dev/chainguard/", ""),  # Chainguard images run as a non-root user unless `-dev`
    ("bitnami/", ""),
    ("docker.io/bitnami/", ""),
)
#: Images (name without registry and tag) that hold Node.js: the NODE_ENV and dev-dependency checks apply.
NODE_IMAGE_NAMES = frozenset({"node", "library/node", "circleci/node", "cimg/node", "bitnami/node",
                              "gcr.io/distroless/nodejs", "cgr.dev/chainguard/node", "mhart/alpine-node"})
NODE_IMAGE_PREFIXES = ("gcr.io/distroless/nodejs", "cgr.dev/chainguard/node")

#: Ports of remote shells.
SSH_PORTS = frozenset({"22", "2222"})

# -- secrets in settings ---------------------------------------------------------------------------

#: Environment variables whose value 0 / false turns TLS certificate checks off for the whole process.
TLS_OFF_VARIABLES: dict[str, frozenset[str]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": frozenset({"0", "false"}),
    "NPM_CONFIG_STRICT_SSL": frozenset({"false", "0"}),
    "npm_config_strict_ssl": frozenset({"false", "0"}),
    "YARN_ENABLE_STRICT_SSL": frozenset({"false", "0"}),
    "GIT_SSL_NO_VERIFY": frozenset({"1", "true"}),
}

# -- shell commands (RUN, package.json scripts) ------------------------------------------------------

#: Programs that download, and programs that run what they are given on standard input or as a string.
DOWNLOADERS = ("curl", "wget", "fetch", "http", "iwr", "invoke-webrequest", "irm", "invoke-restmethod")
INTERPRETERS = ("sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "python", "python3", "perl", "ruby", "node",
                "php", "iex", "invoke-expression", "pwsh", "powershell")
#: Flags of `npm ci`/`npm install`/`yarn` that leave the dev dependencies out.
OMIT_DEV_FLAGS = ("--omit=dev", "--omit dev", "--only=prod", "--only=production", "--production", "--prod",
                  "--only prod", "--only production", "--production=true", "--omit=optional --omit=dev")
#: Commands that remove dev dependencies after an install.
PRUNE_COMMANDS = ("npm prune --production", "npm prune --omit=dev", "npm prune --omit dev", "yarn install --production",
                  "pnpm prune --prod", "npm prune --only=production")
#: `chmod` modes: octal digits whose "others" part can write; symbolic modes granting others write.
WORLD_WRITE_SYMBOLIC = ("o+w", "a+w", "o=rwx", "a=rwx", "ugo+w", "o+rwx", "a+rwx", "o=w", "o=rw", "a=rw")

# -- Node.js releases --------------------------------------------------------------------------------

#: End of life of each Node.js major (from the Node.js release schedule). Majors above the table are
#: treated as supported; odd majors are short-lived "current" lines.
NODE_END_OF_LIFE: dict[int, datetime.date] = {
    0: datetime.date(2016, 12, 31), 4: datetime.date(2018, 4, 30), 5: datetime.date(2016, 6, 30),
    6: datetime.date(2019, 4, 30), 7: datetime.date(2017, 6, 30), 8: datetime.date(2019, 12, 31),
    9: datetime.date(2018, 6, 30), 10: datetime.date(2021, 4, 30), 11: datetime.date(2019, 6, 1),
    12: datetime.date(2022, 4, 30), 13: datetime.date(2020, 6, 1), 14: datetime.date(2023, 4, 30),
    15: datetime.date(2021, 6, 1), 16: datetime.date(2023, 9, 11), 17: datetime.date(2022, 6, 1),
    18: datetime.date(2025, 4, 30), 19: datetime.date(2023, 6, 1), 20: datetime.date(2026, 4, 30),
    21: datetime.date(2024, 6, 1), 22: datetime.date(2027, 4, 30), 23: datetime.date(2025, 6, 1),
    24: datetime.date(2028, 4, 30), 25: datetime.date(2026, 6, 1), 26: datetime.date(2029, 4, 30),
}
#: Release codenames used as image tags (`node:gallium-alpine`).
NODE_CODENAMES: dict[str, int] = {
    "argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14, "gallium": 16,
    "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24,
}

# -- files on disk -------------------------------------------------------------------------------------

#: Kinds of sensitive files, by name pattern (fnmatch on the lowercased file name), with the severity
#: when others (world) can read them and when the group can. Reading a .pem's first bytes tells a key
#: from a certificate; the other patterns are decided by name alone.
SENSITIVE_FILE_KINDS: tuple[tuple[str, tuple[str, ...], Severity, Severity], ...] = (
    ("private key", ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.key", "*.ppk", "*.p12", "*.pfx", "*.jks",
                     "*.keystore", "*.pem"), Severity.HIGH, Severity.MEDIUM),
    ("environment file", (".env", ".env.*", "*.env"), Severity.HIGH, Severity.MEDIUM),
    ("credential file", (".netrc", "_netrc", ".git-credentials", ".pgpass", ".my.cnf", "credentials",
                         "credentials.json", ".htpasswd", "htpasswd", "*.kdbx", "service-account*.json",
                         "serviceaccount*.json"), Severity.HIGH, Severity.MEDIUM),
    ("log file", ("*.log", "*.log.[0-9]*", "npm-debug.log*", "yarn-error.log*"), Severity.MEDIUM, Severity.LOW),
    ("database file", ("*.sqlite", "*.sqlite3", "*.db", "*.db3", "dump.rdb", "*.mdb", "*.sql.gz", "*.dump"),
     Severity.MEDIUM, Severity.LOW),
    ("crash dump", ("core", "core.[0-9]*", "*.core", "*.heapsnapshot", "*.dmp", "hs_err_pid*.log",
                    "report.*.json"), Severity.MEDIUM, Severity.LOW),
)
#: `.env` variants that document the variables instead of holding them.
ENV_DOCUMENTATION = (".example", ".sample", ".template", ".dist", ".defaults", ".default", ".schema", ".tmpl")
#: `report.*.json` is a Node.js diagnostic report only when the middle looks like its timestamp.
NODE_REPORT_NAME = r"^report\.\d{8}\.\d{6}\.\d+\.\d+\.\d+\.json$"
#: Directories that web servers and `express.static` commonly serve as they are.
SERVED_DIRECTORIES = frozenset({"public", "static", "www", "wwwroot", "htdocs", "public_html", "webroot"})
#: Directories the permission walk never enters (their content is not the project's own files).
UNWALKED_DIRECTORIES = frozenset({"node_modules", ".git", ".hg", ".svn", "bower_components", ".cache"})

# -- .dockerignore -----------------------------------------------------------------------------------

#: What a build context must not send to the daemon, as (label, sample paths one of which must be
#: excluded for the label to count as covered).
DOCKERIGNORE_REQUIRED: tuple[tuple[str, tuple[str, ...]], ...] = (
    (".env", (".env",)),
    (".git", (".git", ".git/config")),
    ("node_modules", ("node_modules", "node_modules/x/package.json")),
    ("keys (*.pem, *.key)", ("server.key", "private.pem")),
)
#: Sources of COPY/ADD that are secrets themselves (fnmatch on the lowercased base name), with severity.
SECRET_COPY_SOURCES: dict[str, Severity] = {
    ".env": Severity.HIGH, ".env.*": Severity.HIGH, "*.pem": Severity.HIGH, "*.key": Severity.HIGH,
    "id_rsa*": Severity.HIGH, "id_ed25519*": Severity.HIGH, "id_ecdsa*": Severity.HIGH, ".netrc": Severity.HIGH,
    ".git-credentials": Severity.HIGH, "credentials": Severity.HIGH, "*.p12": Severity.HIGH, "*.pfx": Severity.HIGH,
    ".aws": Severity.HIGH, ".ssh": Severity.HIGH, ".docker": Severity.HIGH, "*.kdbx": Severity.HIGH,
    "service-account*.json": Severity.HIGH, "serviceaccount*.json": Severity.HIGH,
    ".npmrc": Severity.MEDIUM,  # often only `${NPM_TOKEN}`, but whatever it holds stays in the layer
}

# -- patterns in shell commands (Dockerfile RUN/CMD, package.json scripts) ----------------------------

_DOWNLOAD = r"\b(?:" + "|".join(DOWNLOADERS) + r")\b"
_SHELL = r"(?:\S*/)?(?:" + "|".join(INTERPRETERS) + r")\b"

#: (problem, regular expression, what the match means). `problem` names the rule group the engine maps to
#: a rule; each pattern is matched case-insensitively over a command text.
SHELL_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("remote-code", _DOWNLOAD + r"[^;&|\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\w+=\S*\s+)*)?" + _SHELL,
     "pipes a download straight into an interpreter"),
    ("remote-code", r"\b(?:" + "|".join(INTERPRETERS) + r")\s+(?:-\w+\s+)*[\"']?\$\(\s*" + _DOWNLOAD,
     "runs the output of a download as a script"),
    ("remote-code", r"\b(?:" + "|".join(INTERPRETERS) + r")\s+(?:-\w+\s+)*<\(\s*" + _DOWNLOAD,
     "runs a download through process substitution"),
    ("remote-code", r"\b(?:iex|invoke-expression)\b[^;\n]*" + _DOWNLOAD,
     "evaluates a download as PowerShell"),
    ("sudo", r"(?:^|[;&|(\n]|\bthen\b|\bdo\b)\s*(?P<at>sudo)\s", "runs a command through sudo"),
    ("tls-off", r"\b(?:npm|yarn|pnpm)\s+config\s+set\s+strict[-_]ssl(?:\s+|=)(?:false|0)\b",
     "turns TLS certificate checks of the package manager off"),
    ("tls-off", r"--strict-ssl(?:=|\s+)false\b", "turns TLS certificate checks of npm off"),
    ("tls-off", r"\bNODE_TLS_REJECT_UNAUTHORIZED=[\"']?(?:0|false)\b",
     "turns TLS certificate checks of Node.js off"),
    ("tls-off", r"\bgit\s+config\s+[^;&|\n]*http\.sslverify\s+(?:false|0)\b",
     "turns TLS certificate checks of git off"),
    ("tls-off", r"\bcurl\b[^;&|\n]*\s(?:-k|--insecure)\b", "downloads with curl without checking certificates"),
    ("tls-off", r"\bwget\b[^;&|\n]*\s--no-check-certificate\b", "downloads with wget without checking certificates"),
    ("http-registry", r"\b(?:npm|yarn|pnpm)\s+config\s+set\s+(?:@[\w.\-]+:)?registry(?:\s+|=)[\"']?http://",
     "points the package manager at a plain-HTTP registry"),
    ("http-registry", r"--registry(?:=|\s+)[\"']?http://", "installs from a plain-HTTP registry"),
    ("ssh-server", r"\b(?:apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^;&|\n]*\bopenssh-server\b",
     "installs an SSH server"),
    ("ssh-server", r"(?:^|[\s/;&|])(?P<at>sshd)\b(?!_config)|\bservice\s+ssh\s+start\b", "starts an SSH server"),
)
#: `--inspect` on all interfaces: the host part of `--inspect[-brk|-wait]=host:port`.
INSPECT_FLAG = r"--inspect(?:-brk|-wait|-port)?(?:=(?P<address>\[[^\]]*\](?::\d+)?|[\w.:\-]+))?"
ALL_INTERFACES = ("0.0.0.0", "[::]", "::", "*")
