#!/usr/bin/env python3
"""The hostile corpus: inputs built to make a security scanner run code, leave its tree, hang or leak.

    .venv/bin/python bench/hostile.py                 # every case, markdown table on stdout
    .venv/bin/python bench/hostile.py --list          # the cases and what each holds
    .venv/bin/python bench/hostile.py --only links-root --only git-gpg
    .venv/bin/python bench/hostile.py --fast          # the small cases (the ones CI runs)
    .venv/bin/python bench/hostile.py --workdir /tmp/hostile --timeout 60 --json results.json

Each case is generated into ``WORKDIR/CASE/`` (nothing of it is versioned): ``root/`` is the tree that
is scanned, ``outside/`` a directory beside it holding a canary (text and a secret that must never
appear in any output, files whose access time shows whether anything read them), ``markers/`` where the
programs a git trap names write when they run, ``out/`` the reports and captured output. Every root also
holds a small valid vulnerable application (an Express handler passing ``req.query.cmd`` to
``child_process.exec`` and a hard-coded GitHub token) so that the table can show whether the findings
beside the hostile input are still reported.

Every command runs in its own process session with the time limit (default 60 s), its peak memory
summed over the process and its workers (sampled from /proc, and the kernel's maximum for the process
itself), stdin a pipe that never ends (so a read of /proc/self/fd/0 hangs rather than passing).
A run passes when it ends in time with exit code 0 or 1 (2 where a broken configuration must be
refused with a message), without "internal error" or a traceback anywhere, with every expected
finding reported, no marker written, no file outside the root read or reported, no secret (nor any
12-character slice of one) in any byte of stdout, stderr or the report, and for the plain-text formats
no raw control character. The program exits 1 when any run fails.

Only the standard library and what nodeward itself installs (pyahocorasick) are used; fetching real
npm packages for the fuzzed mutants needs npm and the network once (cached in WORKDIR/_packages).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import stat
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("NODEWARD_OFFLINE", "1")  # measurements never wait for an advisory download
BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
FIXTURES = REPO_DIR / "tests" / "fixtures"
#: Outside any git repository on purpose: inside this one, its .gitignore and settings would apply to the cases.
#: One per checkout, so that people running the corpus from several work trees never rebuild each other's cases.
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / f"nodeward-hostile-{REPO_DIR.name}"
DEFAULT_TIMEOUT = 60.0
SEED = 13
SLICE = 12
CANARY_PREFIX = "NODEWARD_CANARY_OUTSIDE_"

#: Text that only a crash puts into an output.
CRASH_TEXTS = ("internal error", "Traceback (most recent call last)", "RecursionError")

#: A git environment for building the fixtures that ignores the machine's own git settings.
BUILD_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    # An empty file of our own rather than /dev/null: a test run elsewhere on the machine once left a
    # regular file with content at /dev/null, and every git command of the corpus failed.
    "GIT_CONFIG_GLOBAL": str(Path(tempfile.gettempdir()) / "nodeward-hostile.empty-gitconfig"),
    "GIT_AUTHOR_NAME": "Hostile Corpus",
    "GIT_AUTHOR_EMAIL": "corpus@example.invalid",
    "GIT_COMMITTER_NAME": "Hostile Corpus",
    "GIT_COMMITTER_EMAIL": "corpus@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


# ---------------------------------------------------------------------------------------------------
# What a case is made of


@dataclass(frozen=True, slots=True)
class Layout:
    """The directories of one case."""

    case_dir: Path

    @property
    def root(self) -> Path:
        return self.case_dir / "root"

    @property
    def outside(self) -> Path:
        return self.case_dir / "outside"

    @property
    def markers(self) -> Path:
        return self.case_dir / "markers"

    @property
    def traps(self) -> Path:
        return self.case_dir / "traps"

    @property
    def out(self) -> Path:
        return self.case_dir / "out"


@dataclass(frozen=True, slots=True)
class Expected:
    """A finding that must be reported: rule id and report path (relative to the scanned root)."""

    rule_id: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule_id} {self.path}"


@dataclass(frozen=True, slots=True)
class Run:
    """One nodeward command. ``{root}``, ``{out}`` in ``args`` are replaced at run time."""

    label: str
    args: tuple[str, ...]
    #: File name (in out/) of the report this run writes, if any.
    report: str | None = None
    #: "scan" (a JSON scan report: findings are checked), "baseline" (a baseline file) or "" (not parsed).
    report_kind: str = ""
    #: The output is meant for a terminal or a CI log: no raw control character may reach it.
    plain_text: bool = False
    #: A configuration the case makes broken must be refused with a clear message (exit 2) or survived.
    config_error_ok: bool = False
    #: Check the expected findings (only meaningful for JSON scan reports and baselines).
    check_expected: bool = True
    #: Part of the CI subset (tests/safety); the other formats of a case are only run by the bench.
    in_ci: bool = True


@dataclass(frozen=True, slots=True)
class Control:
    """A plain git command that should fire the traps of a case: proof the trap is armed."""

    args: tuple[str, ...]
    tty: bool = False


@dataclass(slots=True)
class Setup:
    """What a built case expects and how it is run."""

    expected: list[Expected]
    secrets: list[str]
    runs: list[Run]
    #: Names that must occur among the notice paths (files that must be listed, not silently dropped).
    expected_notices: list[str] = field(default_factory=list)
    #: (what, needles): some notice's path or message must contain one of the needles.
    expected_mentions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    #: Text that proves a read outside the root when it appears in any output.
    canaries: list[str] = field(default_factory=list)
    #: The case could not be built (e.g. no network for npm pack): the reason.
    unavailable: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    summary: str
    build: Callable[[Layout, Context], Setup]
    #: Small and quick once nodeward handles it: part of the CI subset (tests/safety).
    fast: bool = False


@dataclass(slots=True)
class Result:
    case: str
    run: str
    exit_code: int | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0
    timed_out: bool = False
    missing: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    control_chars: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    bad_exit: str = ""
    not_run: str = ""

    @property
    def problems(self) -> list[str]:
        found: list[str] = []
        if self.not_run:
            found.append(f"not run: {self.not_run}")
        if self.timed_out:
            found.append("timed out")
        if self.bad_exit:
            found.append(self.bad_exit)
        found += [f"internal error: {error}" for error in self.errors]
        found += [f"missing: {missing}" for missing in self.missing]
        found += [f"marker: {marker}" for marker in self.markers]
        found += [f"outside: {outside}" for outside in self.outside]
        found += [f"leak: {leak}" for leak in self.leaks]
        found += [f"control character: {char}" for char in self.control_chars]
        found += [f"modified: {path}" for path in self.modified]
        return found

    @property
    def passed(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------------------
# Shared material: deterministic secrets, the valid application, writing helpers


class Context:
    """Per-corpus state: the seeded generator of secret values, the nodeward command, caches."""

    def __init__(self, workdir: Path, seed: int = SEED) -> None:
        self.workdir = workdir
        self.seed = seed
        self.valid_token = self.github_token("valid")

    def rng(self, purpose: str) -> random.Random:
        """A generator of its own for each purpose, so adding a case never changes another's data."""
        digest = hashlib.sha256(f"{self.seed}:{purpose}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def github_token(self, purpose: str) -> str:
        rng = self.rng("token:" + purpose)
        body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
        # Built from pieces so that no scanner finds a token in this file.
        return "gh" + "p_" + body

    def key_body(self, purpose: str) -> str:
        """The base64 body of an RSA private key shaped as real ones (DER prefix), random after it."""
        rng = self.rng("key:" + purpose)
        der = bytes.fromhex("308204a40201000282010100") + bytes(rng.getrandbits(8) for _ in range(1180))
        return base64.b64encode(der).decode("ascii")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


VALID_APP = """\
const express = require("express");
const child_process = require("child_process");
const app = express();
app.get("/run", (req, res) => {
  child_process.exec(req.query.cmd);
  res.send("ok");
});
app.listen(3000);
"""


def write_valid(root: Path, context: Context, folder: str = "") -> list[Expected]:
    """The small valid vulnerable application every case carries beside its hostile input."""
    prefix = f"{folder}/" if folder else ""
    write(root / prefix / "app.js", VALID_APP)
    write(root / prefix / "config.js", f'module.exports = {{ githubToken: "{context.valid_token}" }};\n')
    return [Expected("NW101", prefix + "app.js"), Expected("NW501", prefix + "config.js")]


def json_scan(label: str = "scan", *extra: str, report: str = "scan.json") -> Run:
    return Run(label, ("scan", "{root}", "--format", "json", "--no-progress", "--output", "{out}/" + report,
                       *extra), report=report, report_kind="scan")


def format_runs(formats: Iterable[str]) -> list[Run]:
    runs = []
    for name in formats:
        extension = {"text": "txt", "markdown": "md", "github": "log", "sarif": "sarif", "html": "html",
                     "junit": "xml", "gitlab": "gitlab.json"}[name]
        report = f"scan.{extension}"
        runs.append(Run(f"scan -f {name}", ("scan", "{root}", "--format", name, "--no-progress", "--no-color",
                                            "--output", "{out}/" + report),
                        report=report, plain_text=name in ("text", "markdown", "github"), check_expected=False,
                        in_ci=name in CI_FORMATS))
    return runs


def stdout_text_run() -> Run:
    """The terminal report on stdout, as a user sees it."""
    return Run("scan (terminal)", ("scan", "{root}", "--no-progress", "--no-color"), plain_text=True,
               check_expected=False)


def ci_only(runs: list[Run]) -> list[Run]:
    return [run for run in runs if run.in_ci]


BASELINE_RUN = Run("baseline create", ("baseline", "create", "{root}", "--file", "{out}/baseline.json"),
                   report="baseline.json", report_kind="baseline")
ALL_FORMATS = ("text", "markdown", "github", "sarif", "html", "junit", "gitlab")
CI_FORMATS = ("github", "sarif", "html")


# ---------------------------------------------------------------------------------------------------
# Git traps


def git(repo: Path, *args: str, input_bytes: bytes | None = None) -> str:
    Path(BUILD_GIT_ENV["GIT_CONFIG_GLOBAL"]).write_bytes(b"")
    done = subprocess.run(["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=True,
                          env={**os.environ, **BUILD_GIT_ENV})
    return done.stdout.decode("utf-8", "replace")


def trap_program(layout: Layout, name: str, exit_code: int = 1) -> str:
    """A program that records that it ran (in markers/NAME) and fails: what a hostile repository names."""
    marker = layout.markers / name
    script = write(layout.traps / f"{name}.sh",
                   f"#!/bin/sh\necho \"$0 $*\" >> '{marker}'\ncat >/dev/null 2>&1 &\nexit {exit_code}\n")
    script.chmod(0o755)
    return str(script)


HOOK_NAMES = ("applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
              "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
              "pre-push", "pre-receive", "update", "proc-receive", "post-receive", "post-update",
              "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
              "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist", "p4-post-changelist",
              "p4-pre-submit", "post-index-change")


def arm_hooks(layout: Layout, repo_git_dir: Path) -> str:
    hooks = layout.traps / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    for hook in HOOK_NAMES:
        for directory in (hooks, repo_git_dir / "hooks"):
            script = write(directory / hook, f"#!/bin/sh\necho \"$0 $*\" >> '{layout.markers / ('hook-' + hook)}'\n"
                                             "exit 0\n")
            script.chmod(0o755)
    return str(hooks)


def sign_head(repo: Path) -> None:
    """Rewrite HEAD as a commit carrying a (bogus) PGP signature, as a signed commit looks to git log."""
    body = git(repo, "cat-file", "commit", "HEAD")
    header, _, message = body.partition("\n\n")
    signature = ("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEhostilecorpusAAAAAAAAAAAAAAAAAAA\n"
                 " =AAAA\n -----END PGP SIGNATURE-----")
    signed = f"{header}\n{signature}\n\n{message}"
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input_bytes=signed.encode()).strip()
    git(repo, "update-ref", "HEAD", sha)


#: Trap name -> (config entries with "{t}" for the trap program, controls that fire it under plain git).
GIT_TRAPS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[Control, ...]]] = {
    "fsmonitor": ((("core.fsmonitor", "{t}"),), (Control(("status",)),)),
    "hooks": ((), (Control(("commit", "--allow-empty", "-m", "control")),)),
    "gpg": ((("gpg.program", "{t}"), ("gpg.openpgp.program", "{t}"), ("gpg.ssh.program", "{t}"),
             ("gpg.x509.program", "{t}"), ("log.showSignature", "true")), (Control(("log", "-1")),)),
    "filter": ((("filter.evil.process", "{t}"), ("filter.evil.clean", "{t}"), ("filter.evil.smudge", "{t}"),
                ("filter.evil.required", "false")), (Control(("diff",)),)),
    "diff-external": ((("diff.external", "{t}"),), (Control(("diff",)),)),
    "textconv": ((("diff.tc.textconv", "{t}"), ("diff.tc.command", "{t}")), (Control(("log", "-p", "-2")),)),
    "pager": ((("core.pager", "{t}"), ("pager.log", "{t}"), ("pager.diff", "{t}"), ("pager.show", "{t}"),
               ("pager.grep", "{t}"), ("pager.ls-files", "{t}")), (Control(("log", "-1"), tty=True),)),
    "aliases": ((("alias.ls-files", "!{t}"), ("alias.log", "!{t}"), ("alias.diff", "!{t}"),
                 ("alias.status", "!{t}"), ("alias.check-ignore", "!{t}"), ("alias.cat-file", "!{t}"),
                 ("alias.rev-parse", "!{t}"), ("alias.hostile", "!{t}")), (Control(("hostile",)),)),
    "misc": ((("core.sshCommand", "{t}"), ("core.askPass", "{t}"), ("credential.helper", "!{t}"),
              ("core.editor", "{t}"), ("sequence.editor", "{t}"), ("core.gitProxy", "{t}"),
              ("uploadpack.packObjectsHook", "{t}"), ("protocol.ext.allow", "always"),
              ("remote.origin.url", "ext::{t}"), ("remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"),
              ("remote.ssh.url", "ssh://git.example.invalid/repo.git")),
             (Control(("fetch", "origin")), Control(("fetch", "ssh")))),
    "include": ((("include.path", "{outside}/trap.gitconfig"),), (Control(("status",)),)),
}

GITATTRIBUTES = "* filter=evil\n*.js diff=tc\n"


def git_trap_repo(layout: Layout, context: Context, traps: Iterable[str]) -> Setup:
    """A repository whose working tree, history and config arm ``traps``; the valid app is the last commit."""
    root = layout.root
    traps = list(traps)
    layout.markers.mkdir(parents=True, exist_ok=True)
    git(root.parent, "init", "-q", "-b", "main", str(root))
    write(root / "README.md", "# hostile\n")
    write(root / "src" / "util.js", "exports.add = (a, b) => a + b;\n")
    write(root / ".gitignore", "node_modules/\n")
    write(root / ".gitattributes", GITATTRIBUTES)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    expected = write_valid(root, context)
    env_secret = context.github_token("git-env")
    write(root / ".env", f"DATABASE_URL=postgres://app:{env_secret[4:20]}@db.internal/app\nGITHUB_TOKEN={env_secret}\n")
    write(root / "src" / "util.js", "exports.add = (a, b) => a + b;\nexports.sub = (a, b) => a - b;\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "app")
    if "gpg" in traps:
        sign_head(root)
    # Uncommitted changes, so that status and diff have work to do (and run filters and fsmonitor).
    write(root / "src" / "util.js", "exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n")
    write(root / "notes.txt", "untracked\n")
    controls: list[Control] = []
    for trap in traps:
        entries, trap_controls = GIT_TRAPS[trap]
        controls += trap_controls
        if trap == "hooks":
            git(root, "config", "core.hooksPath", arm_hooks(layout, root / ".git"))
        if trap == "include":
            write(layout.outside / "trap.gitconfig",
                  f"[core]\n\tfsmonitor = {trap_program(layout, 'include-core.fsmonitor')}\n")
        for key, value in entries:
            program = trap_program(layout, key)
            git(root, "config", key, value.replace("{t}", program).replace("{outside}", str(layout.outside)))
    runs = [json_scan(), json_scan("scan --history", "--history", report="history.json"),
            json_scan("scan --diff HEAD~1", "--diff", "HEAD~1", report="diff.json"), BASELINE_RUN,
            Run("secrets --history", ("secrets", "{root}", "--history", "--format", "json",
                                      "--output", "{out}/secrets.json"), report="secrets.json", report_kind="scan",
                check_expected=False)]
    return Setup(expected=expected, secrets=[context.valid_token, env_secret], runs=runs, controls=controls)


def git_case(traps: tuple[str, ...]) -> Callable[[Layout, Context], Setup]:
    return lambda layout, context: git_trap_repo(layout, context, traps)


# ---------------------------------------------------------------------------------------------------
# Links, special files, outside canary


def write_outside_canary(layout: Layout, context: Context) -> tuple[str, str]:
    """Files outside the root a link can reach; returns (canary text, canary secret)."""
    canary = CANARY_PREFIX + context.rng("canary:" + layout.case_dir.name).randbytes(8).hex()
    secret = context.github_token("outside:" + layout.case_dir.name)
    write(layout.outside / "canary.js", VALID_APP.replace("req.query.cmd", f'"{canary} " + req.query.cmd'))
    write(layout.outside / ".env", f"GITHUB_TOKEN={secret}\n")
    write(layout.outside / "package.json", json.dumps({"name": canary.lower(), "dependencies": {"lodash": "4.17.4"}}))
    return canary, secret


def age_access_times(directory: Path) -> dict[str, int]:
    """Set every access time under ``directory`` before its modification time, so that any read updates it
    (relatime); returns the access times to compare with after a run."""
    times: dict[str, int] = {}
    for path in [directory, *directory.rglob("*")]:
        if path.is_symlink():
            continue
        info = path.stat()
        os.utime(path, ns=(info.st_mtime_ns - 3_600 * 10**9, info.st_mtime_ns))
        times[str(path)] = path.stat().st_atime_ns
    return times


def links_outside(layout: Layout, context: Context) -> Setup:
    canary, secret = write_outside_canary(layout, context)
    expected = write_valid(layout.root, context)
    os.symlink("../outside", layout.root / "linked-dir")
    os.symlink("../outside/canary.js", layout.root / "linked-file.js")
    (layout.root / "src").mkdir()
    os.symlink("../../outside/.env", layout.root / "src" / ".env")
    os.symlink(str(layout.outside), layout.root / "absolute-link")
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan(), BASELINE_RUN],
                 canaries=[canary, secret], expected_notices=["linked-dir", "linked-file.js", "src/.env"])


def links_to(target: str, name: str) -> Callable[[Layout, Context], Setup]:
    def build(layout: Layout, context: Context) -> Setup:
        expected = write_valid(layout.root, context)
        os.symlink(target, layout.root / name)
        return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()], expected_notices=[name])
    return build


def links_devices(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    root = layout.root
    os.symlink("/dev/zero", root / "zero.js")
    os.symlink("/dev/zero", root / ".env.local")
    os.symlink("/dev/urandom", root / "random.ts")
    os.symlink("/proc/self/fd/0", root / "stdin.js")
    (root / "lock").mkdir()
    os.symlink("/dev/zero", root / "lock" / "package-lock.json")
    os.mkfifo(root / "fifo.js")
    os.mkfifo(root / "yarn.lock")
    os.symlink("/proc/self/environ", root / "environ.env")
    names = ["zero.js", ".env.local", "random.ts", "stdin.js", "lock/package-lock.json", "fifo.js", "yarn.lock",
             "environ.env"]
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()], expected_notices=names)


def links_loops(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    root = layout.root
    os.symlink("b.js", root / "a.js")
    os.symlink("a.js", root / "b.js")
    os.symlink("self.js", root / "self.js")
    (root / "deep" / "er").mkdir(parents=True)
    os.symlink("..", root / "deep" / "er" / "up")
    os.symlink("../..", root / "deep" / "er" / "top")
    os.symlink(".", root / "here")
    write(root / "deep" / "er" / "ok.js", "module.exports = 1;\n")
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan(), BASELINE_RUN])


# ---------------------------------------------------------------------------------------------------
# Secrets in disguise


def pem(kind: str, body: str, newline: str = "\n") -> str:
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return newline.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def pem_keys(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    root = layout.root
    bodies = {name: context.key_body(name) for name in ("escaped", "crlf", "concat", "base64", "json", "multiline",
                                                        "split-header", "base64-wrapped", "base64-file")}
    write(root / "keys" / "escaped.js",
          f"const privateKey = '{pem('RSA PRIVATE KEY', bodies['escaped'], chr(92) + 'n')}';\n"
          "module.exports = { privateKey };\n")
    write(root / "keys" / "crlf.js",
          f"const privateKey = '{pem('RSA PRIVATE KEY', bodies['crlf'], chr(92) + 'r' + chr(92) + 'n')}';\n"
          "module.exports = { privateKey };\n")
    pieces = pem("RSA PRIVATE KEY", bodies["concat"]).split("\n")
    concatenated = " +\n  ".join(json.dumps(piece + "\n") for piece in pieces)
    write(root / "keys" / "concat.js", f"const privateKey =\n  {concatenated};\nmodule.exports = {{ privateKey }};\n")
    wrapped = base64.b64encode(pem("RSA PRIVATE KEY", bodies["base64"]).encode()).decode()
    write(root / "keys" / "base64.js",
          f"const privateKey = Buffer.from('{wrapped}', 'base64').toString();\nmodule.exports = {{ privateKey }};\n")
    # The header cut over concatenated strings, mid-word: `'-----' + 'BEGIN RSA PRI' + 'VATE KEY-----\n' + ...`
    first, *rest = pem("RSA PRIVATE KEY", bodies["split-header"]).split("\n")
    pieces = [first[:5], first[5:18], first[18:], *rest]
    write(root / "keys" / "split-header.js", "const privateKey =\n  "
          + " +\n  ".join(json.dumps(piece + ("" if number < 2 else "\n")) for number, piece in enumerate(pieces))
          + ";\nmodule.exports = { privateKey };\n")
    # base64 of a key in lines of 76 characters: concatenated strings in code, and a file as `base64` writes it
    blobs = {name: base64.b64encode(pem("RSA PRIVATE KEY", bodies[name]).encode()).decode()
             for name in ("base64-wrapped", "base64-file")}
    lines = [blobs["base64-wrapped"][i:i + 76] for i in range(0, len(blobs["base64-wrapped"]), 76)]
    write(root / "keys" / "base64-wrapped.js", "const privateKey = Buffer.from(\n  "
          + " +\n  ".join(f"'{line}'" for line in lines) + ", 'base64');\nmodule.exports = { privateKey };\n")
    write(root / "keys" / "signing-key.b64",
          "\n".join(blobs["base64-file"][i:i + 76] for i in range(0, len(blobs["base64-file"]), 76)) + "\n")
    service_account = {"type": "service_account", "project_id": "hostile-corpus",
                       "private_key_id": hashlib.sha1(bodies["json"].encode()).hexdigest(),
                       "private_key": pem("PRIVATE KEY", bodies["json"]) + "\n",
                       "client_email": "corpus@hostile-corpus.iam.gserviceaccount.com"}
    write(root / "keys" / "service-account.json", json.dumps(service_account, indent=2) + "\n")
    write(root / "keys" / "id_rsa", pem("RSA PRIVATE KEY", bodies["multiline"]) + "\n")
    # The same key bodies quoted in ordinary code elsewhere: context lines of other findings must not show them.
    write(root / "keys" / "neighbour.js",
          VALID_APP + f"// fallback: {bodies['multiline'][:48]}\n")
    expected += [Expected("NW503", f"keys/{name}") for name in
                 ("escaped.js", "crlf.js", "concat.js", "base64.js", "service-account.json", "id_rsa",
                  "split-header.js", "base64-wrapped.js", "signing-key.b64")]
    # The first 16 characters are the DER header every 2048-bit RSA key shares: public, not secret.
    secrets = [context.valid_token, *(body[16:] for body in bodies.values()), wrapped, *blobs.values()]
    runs = [json_scan(), *format_runs(ALL_FORMATS), stdout_text_run(), BASELINE_RUN]
    return Setup(expected=expected, secrets=secrets, runs=runs)


# ---------------------------------------------------------------------------------------------------
# Deep data and configuration


def deep_json(depth: int, opener: str = '{"a":', closer: str = "}") -> str:
    return opener * depth + "1" + closer * depth


def deep_data(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    root = layout.root
    nested = deep_json(10_000)
    arrays = deep_json(10_000, "[", "]")
    write(root / "pkg" / "package.json",
          f'{{"name": "deep", "version": "1.0.0", "dependencies": {{"lodash": "4.17.4"}}, "x": {nested}}}')
    write(root / "lock" / "package-lock.json",
          f'{{"name": "deep", "lockfileVersion": 3, "packages": {{"": {{"name": "deep"}}, '
          f'"node_modules/a": {{"version": "1.0.0", "x": {nested}}}}}}}')
    write(root / "shrink" / "npm-shrinkwrap.json",
          f'{{"name": "deep", "lockfileVersion": 3, "packages": {arrays}}}')
    write(root / "bun" / "bun.lock", f'{{"lockfileVersion": 1, "workspaces": {{"": {nested}}}, "packages": {{}}}}')
    write(root / "data" / "settings.json", nested)
    write(root / "k8s" / "deep.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: " + deep_json(10_000, "[", "]"))
    write(root / "compose" / "docker-compose.yml", "services:\n  web:\n    image: " + deep_json(10_000, "{a: ", "}"))
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


def deep_toml(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    write(layout.root / ".nodeward.toml", "exclude = " + "[" * 5_000 + "]" * 5_000 + "\n")
    return Setup(expected=expected, secrets=[context.valid_token],
                 runs=[Run("scan", json_scan().args, report="scan.json", report_kind="scan", config_error_ok=True)])


def bad_glob(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    write(layout.root / ".nodeward.toml", 'exclude = ["[z-a]"]\n\n[per-path-ignores]\n"[9-0]/**" = ["NW101"]\n')
    write(layout.root / "sub" / ".gitignore", "[z-a]\n[!]\n\\\n**/***\n")
    plain_config = Run("scan --no-config --exclude [z-a]",
                       ("scan", "{root}", "--no-config", "--exclude", "[z-a]", "--format", "json", "--no-progress",
                        "--output", "{out}/cli.json"), report="cli.json", report_kind="scan", config_error_ok=True)
    with_config = Run("scan (config [z-a])", json_scan().args, report="scan.json", report_kind="scan",
                      config_error_ok=True)
    return Setup(expected=expected, secrets=[context.valid_token], runs=[with_config, plain_config])


# ---------------------------------------------------------------------------------------------------
# Code that is slow to analyse


def handler(body: str) -> str:
    return ('const express = require("express");\nconst child_process = require("child_process");\n'
            'const app = express();\napp.get("/x", (req, res) => {\n' + body + "\n});\n")


def js_case(files: Callable[[Context], dict[str, str]]) -> Callable[[Layout, Context], Setup]:
    def build(layout: Layout, context: Context) -> Setup:
        expected = write_valid(layout.root, context)
        for name, text in files(context).items():
            write(layout.root / name, text)
        return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])
    return build


def nested_ifs(_: Context) -> dict[str, str]:
    depth = 20_000
    return {"src/ifs.js": handler("if (req.query.a) {\n" * depth + "child_process.exec(req.query.cmd);\n"
                                  + "}\n" * depth)}


def nested_functions(_: Context) -> dict[str, str]:
    depth = 10_000
    functions = "".join(f"function f{i}(x) {{\n" for i in range(depth)) + "child_process.exec(x);\n" + "}\n" * depth
    arrows = "const g = " + "(x) => " * 20_000 + "child_process.exec(x);\n"
    return {"src/functions.js": handler(functions + "f0(req.query.cmd);"), "src/arrows.js": handler(arrows)}


def plus_chain(_: Context) -> dict[str, str]:
    # One term a line: on one line the file would be skipped as minified and nothing analysed.
    return {"src/plus.js": handler("child_process.exec(req.query.cmd" + "\n  + req.query.a" * 100_000 + ");")}


def member_chain(_: Context) -> dict[str, str]:
    return {"src/chain.js": handler("const v = req.query.cmd" + "\n  .trim()" * 50_000 + ";\nchild_process.exec(v);")}


def nunjucks(_: Context) -> dict[str, str]:
    depth = 10_000
    template = ("<html><body>\n" + "{% if user.a %}<p>{{ user.name }}</p>\n" * depth + "{{ user.bio | safe }}\n"
                + "{% endif %}\n" * depth + "</body></html>\n")
    app = ('const express = require("express");\nconst nunjucks = require("nunjucks");\nconst app = express();\n'
           'nunjucks.configure("views", { autoescape: false, express: app });\n'
           'app.get("/", (req, res) => res.render("page.njk", { user: req.query }));\n')
    package = json.dumps({"name": "tpl", "version": "1.0.0", "dependencies": {"express": "4.21.2",
                                                                                "nunjucks": "3.2.4"}})
    return {"views/page.njk": template, "server.js": app, "package.json": package}


def long_line(_: Context) -> dict[str, str]:
    short = "".join(f"var v{i} = {i};\n" for i in range(5_000))  # about 80 KB of short lines
    minified = "".join(f"function f{i}(a){{return a.b{i}(c)+d[{i}]}};" for i in range(40_000))  # about 1.4 MB
    return {"src/bundle.js": short + minified + "\n"}


def cross_file(_: Context) -> dict[str, str]:
    modules = {"src/m0.js": handler('require("./m1").run(req.query.cmd);\nres.send("ok");')}
    for i in range(1, 200):
        modules[f"src/m{i}.js"] = f'exports.run = (x) => require("./m{i + 1}").run(x);\n'
    modules["src/m200.js"] = 'const cp = require("child_process");\nexports.run = (x) => cp.exec(x);\n'
    return modules


def cross_file_case(layout: Layout, context: Context) -> Setup:
    setup = js_case(cross_file)(layout, context)
    setup.expected.append(Expected("NW101", "src/m200.js"))
    return setup


# ---------------------------------------------------------------------------------------------------
# Size: dependency graphs, documents, trees


def fake_integrity(name: str) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(name.encode()).digest()).decode()


VULNERABLE = ("lodash", "4.17.4")


def npm_lock(packages: dict[str, dict[str, object]], root_deps: dict[str, str]) -> str:
    entries: dict[str, object] = {"": {"name": "hostile", "version": "1.0.0", "dependencies": root_deps}}
    entries.update(packages)
    return json.dumps({"name": "hostile", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                       "packages": entries}, separators=(",", ":"))


def dep_chain(layout: Layout, context: Context) -> Setup:
    """p0 -> p1 -> ... -> p49999 -> lodash@4.17.4: a dependency path 50,001 packages long."""
    count = 50_000
    packages: dict[str, dict[str, object]] = {}
    for i in range(count):
        child = {f"p{i + 1}": "1.0.0"} if i + 1 < count else {VULNERABLE[0]: VULNERABLE[1]}
        packages[f"node_modules/p{i}"] = {"version": "1.0.0", "integrity": fake_integrity(f"p{i}"),
                                          "dependencies": child}
    packages[f"node_modules/{VULNERABLE[0]}"] = {"version": VULNERABLE[1], "integrity": fake_integrity("lodash")}
    return lockfile_setup(layout, context, {"package-lock.json": npm_lock(packages, {"p0": "1.0.0"})},
                          "package-lock.json", {"p0": "1.0.0"})


def lockfile_setup(layout: Layout, context: Context, files: dict[str, str], lockfile: str,
                   root_deps: dict[str, str]) -> Setup:
    expected = write_valid(layout.root, context)
    write(layout.root / "package.json", json.dumps({"name": "hostile", "version": "1.0.0",
                                                    "dependencies": root_deps}, indent=2))
    for name, text in files.items():
        write(layout.root / name, text)
    expected.append(Expected("NW601", lockfile))
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


def wide_graph(count: int) -> dict[int, list[int]]:
    """Package i depends on 2i+1 and 2i+2 (a binary tree) and on a few seeded others (shared subtrees)."""
    rng = random.Random(SEED)
    graph: dict[int, list[int]] = {}
    for i in range(count):
        children = [c for c in (2 * i + 1, 2 * i + 2) if c < count]
        if i % 7 == 0 and i + 1 < count:
            children.append(rng.randrange(i + 1, count))
        graph[i] = sorted(set(children))
    return graph


def npm_wide(layout: Layout, context: Context) -> Setup:
    count = 50_000
    graph = wide_graph(count)
    packages: dict[str, dict[str, object]] = {}
    for i, children in graph.items():
        deps = {f"p{c}": "1.0.0" for c in children}
        if i == count - 1:
            deps[VULNERABLE[0]] = VULNERABLE[1]
        packages[f"node_modules/p{i}"] = {"version": "1.0.0", "resolved": f"https://registry.npmjs.org/p{i}/-/p{i}-1.0.0.tgz",
                                          "integrity": fake_integrity(f"p{i}"), "dependencies": deps}
    packages[f"node_modules/{VULNERABLE[0]}"] = {"version": VULNERABLE[1], "integrity": fake_integrity("lodash")}
    return lockfile_setup(layout, context, {"package-lock.json": npm_lock(packages, {"p0": "1.0.0"})},
                          "package-lock.json", {"p0": "1.0.0"})


def yarn_wide(layout: Layout, context: Context) -> Setup:
    count = 50_000
    graph = wide_graph(count)
    parts = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n"]
    for i, children in graph.items():
        deps = [f'    p{c} "^1.0.0"' for c in children]
        if i == count - 1:
            deps.append(f'    {VULNERABLE[0]} "{VULNERABLE[1]}"')
        parts.append(f'p{i}@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/p{i}/-/p{i}-1.0.0.tgz"\n'
                     f"  integrity {fake_integrity(f'p{i}')}\n" + ("  dependencies:\n" + "\n".join(deps) + "\n" if deps
                                                                   else "") + "\n")
    parts.append(f'{VULNERABLE[0]}@{VULNERABLE[1]}:\n  version "{VULNERABLE[1]}"\n'
                 f'  resolved "https://registry.yarnpkg.com/lodash/-/lodash-{VULNERABLE[1]}.tgz"\n'
                 f"  integrity {fake_integrity('lodash')}\n")
    return lockfile_setup(layout, context, {"yarn.lock": "".join(parts)}, "yarn.lock", {"p0": "^1.0.0"})


def pnpm_wide(layout: Layout, context: Context) -> Setup:
    count = 50_000
    graph = wide_graph(count)
    packages = ["lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      p0:\n"
                "        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n"]
    snapshots = ["snapshots:\n\n"]
    for i, children in graph.items():
        packages.append(f"  p{i}@1.0.0:\n    resolution: {{integrity: {fake_integrity(f'p{i}')}}}\n\n")
        deps = [f"      p{c}: 1.0.0" for c in children]
        if i == count - 1:
            deps.append(f"      {VULNERABLE[0]}: {VULNERABLE[1]}")
        snapshots.append(f"  p{i}@1.0.0:" + ("\n    dependencies:\n" + "\n".join(deps) if deps else " {}") + "\n\n")
    packages.append(f"  {VULNERABLE[0]}@{VULNERABLE[1]}:\n"
                    f"    resolution: {{integrity: {fake_integrity('lodash')}}}\n\n")
    snapshots.append(f"  {VULNERABLE[0]}@{VULNERABLE[1]}: {{}}\n")
    return lockfile_setup(layout, context, {"pnpm-lock.yaml": "".join(packages + snapshots)}, "pnpm-lock.yaml",
                          {"p0": "^1.0.0"})


def many_dependencies(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    deps = {f"dep-{i}": f"^{i % 9}.{i % 13}.0" for i in range(50_000)}
    write(layout.root / "package.json", json.dumps({"name": "wide", "version": "1.0.0", "dependencies": deps},
                                                   indent=2))
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


def yaml_documents(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    docs = [f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  key: value-{i}\n"
            for i in range(20_000)]
    docs.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\nspec:\n  containers:\n  - name: app\n"
                "    image: node:20\n    securityContext:\n      privileged: true\n")
    write(layout.root / "k8s" / "all.yaml", "---\n".join(docs))
    expected.append(Expected("NW713", "k8s/all.yaml"))
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


def many_files(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    for folder in range(200):
        directory = layout.root / "src" / f"d{folder}"
        directory.mkdir(parents=True)
        for i in range(folder * 500, folder * 500 + 500):
            with open(directory / f"f{i}.js", "w", encoding="utf-8") as handle:
                handle.write(f"module.exports = {i};\n")
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


# ---------------------------------------------------------------------------------------------------
# Outputs and encodings


def escapes(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    payload = "\x1b[2J\x1b]0;pwned\x07\x1b[31m"
    code = handler(f'child_process.exec(req.query.cmd + "{payload}");')
    for name in ("esc\x1b[2J.js", "title\x1b]0;pwned\x07.js", "new\nINJECTED-LINE.js", "tab\tand\rcr.js"):
        write(layout.root / "src" / name, code)
    write(layout.root / "src" / "plain.js", code)
    expected.append(Expected("NW101", "src/plain.js"))
    runs = [json_scan(), *(dataclasses.replace(run, in_ci=True) for run in format_runs(("text", "markdown", "github"))),
            stdout_text_run(),
            Run("scan -f github (stdout)", ("scan", "{root}", "--format", "github", "--no-progress"), plain_text=True,
                check_expected=False, in_ci=False)]
    return Setup(expected=expected, secrets=[context.valid_token], runs=runs)


def utf16(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    code = handler("child_process.exec(req.query.cmd);")
    write(layout.root / "src" / "utf16le.js", b"\xff\xfe" + code.encode("utf-16-le"))
    write(layout.root / "src" / "utf16be.js", b"\xfe\xff" + code.encode("utf-16-be"))
    write(layout.root / "src" / "utf32le.js", b"\xff\xfe\x00\x00" + code.encode("utf-32-le"))
    token = context.github_token("utf16")
    write(layout.root / "src" / "secret16.js", b"\xff\xfe" + f'exports.t = "{token}";\n'.encode("utf-16-le"))
    expected += [Expected("NW101", f"src/{name}.js") for name in ("utf16le", "utf16be", "utf32le")]
    expected.append(Expected("NW501", "src/secret16.js"))
    return Setup(expected=expected, secrets=[context.valid_token, token], runs=[json_scan()])


# ---------------------------------------------------------------------------------------------------
# History


def history_repo(repo: Path, context: Context, count: int) -> list[str]:
    """Commits that each add a secret file, then one that deletes them all: only history holds them."""
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    tokens = []
    for i in range(1, count + 1):
        token = context.github_token(f"history:{repo}:{i}")
        tokens.append(token)
        write(repo / "secrets" / f"s{i}.js", f'module.exports = "{token}";\n')
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"add s{i}")
    shutil.rmtree(repo / "secrets")
    write_valid(repo, context)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "remove the secrets, add the app")
    return tokens


def bare_history(layout: Layout, context: Context) -> Setup:
    source = layout.case_dir / "source"
    tokens = history_repo(source, context, 2)
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(layout.root)], check=True,
                   env={**os.environ, **BUILD_GIT_ENV})
    shutil.rmtree(source)
    expected = [Expected("NW504", "secrets/s1.js"), Expected("NW504", "secrets/s2.js")]
    runs = [json_scan("scan --history", "--history", report="history.json")]
    return Setup(expected=expected, secrets=[context.valid_token, *tokens], runs=runs)


def corrupt_object(layout: Layout, context: Context) -> Setup:
    tokens = history_repo(layout.root, context, 3)
    blob = git(layout.root, "rev-parse", "HEAD~2:secrets/s2.js").strip()
    path = layout.root / ".git" / "objects" / blob[:2] / blob[2:]
    path.chmod(0o644)
    path.write_bytes(b"\x78\x9c this is not a zlib stream" + bytes(range(256)))
    expected = write_valid(layout.root, context)
    expected += [Expected("NW504", "secrets/s1.js"), Expected("NW504", "secrets/s3.js")]
    runs = [json_scan("scan --history", "--history", report="history.json")]
    mention = ("a notice on the corrupted object", (blob[:7], "secrets/s2.js", "corrupt"))
    return Setup(expected=expected, secrets=[context.valid_token, *tokens], runs=runs, expected_mentions=[mention])


# ---------------------------------------------------------------------------------------------------
# Fuzzed mutants of real inputs


def mutate(data: bytes, rng: random.Random, opener: bytes) -> Iterator[tuple[str, bytes]]:
    """Seeded mutants of ``data``: byte flips, truncation, duplication, deep nesting, control bytes."""
    if not data:
        return
    flipped = bytearray(data)
    for _ in range(max(1, len(data) // 200)):
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
    yield "flip", bytes(flipped)
    yield "truncate", data[: rng.randrange(len(data))]
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randint(1, 400)]
    yield "duplicate", data[:start] + chunk * rng.randint(50, 400) + data[start:]
    cut = rng.randrange(len(data))
    yield "nest", data[:cut] + opener * 5_000 + data[cut:]
    junk = bytes(rng.choice(b"\x00\x1b\x07\xff\xfe\r\n\t\\\"'{}[]:-#") for _ in range(200))
    cut = rng.randrange(len(data))
    yield "junk", data[:cut] + junk + data[cut:]


#: Seed file -> (name to give each mutant, opener for the nesting mutation).
def fuzz_seeds(context: Context) -> list[tuple[str, bytes, bytes]]:
    seeds: list[tuple[str, bytes, bytes]] = []
    for lockfile in sorted((FIXTURES / "deps").rglob("*")):
        if lockfile.name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
                             "package.json"):
            opener = b"  - " if lockfile.suffix == ".yaml" else b"[" if lockfile.name != "yarn.lock" else b"  "
            seeds.append((lockfile.name, lockfile.read_bytes(), opener))
    for config in sorted((FIXTURES / "config").iterdir()):
        if config.suffix == ".Dockerfile" or config.name.endswith(".Dockerfile"):
            seeds.append(("Dockerfile", config.read_bytes(), b"RUN (\\\n"))
        elif config.suffix in (".yml", ".yaml"):
            name = "docker-compose.yml" if "compose" in config.name else "deployment.yaml"
            seeds.append((name, config.read_bytes(), b"- ["))
    token = context.valid_token
    seeds.append((".env", (f"NODE_ENV=production\nDATABASE_URL=postgres://app:{token[4:24]}@db/app\n"
                           f"GITHUB_TOKEN={token}\nexport SESSION_SECRET='{token[::-1]}'\n").encode(), b"${"))
    seeds.append((".npmrc", (f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={token}\n"
                             "always-auth=true\n").encode(), b"["))
    seeds.append((".gitignore", b"node_modules/\n*.log\n.env\n/dist\n!keep.js\n**/tmp/**\n[Bb]uild/\n", b"[!"))
    seeds.append(("app.js", VALID_APP.encode(), b"("))
    return seeds


def fuzz_files(layout: Layout, context: Context, seeds: list[tuple[str, bytes, bytes]], purpose: str) -> int:
    rng = context.rng("fuzz:" + purpose)
    count = 0
    for index, (name, data, opener) in enumerate(seeds):
        for operation, mutant in mutate(data, rng, opener):
            write(layout.root / "mutants" / f"{index:03d}-{operation}" / name, mutant)
            count += 1
    return count


def fuzz_inputs(layout: Layout, context: Context) -> Setup:
    expected = write_valid(layout.root, context)
    fuzz_files(layout, context, fuzz_seeds(context), "inputs")
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


FUZZ_PACKAGES = ("express", "lodash")


def fuzz_packages(layout: Layout, context: Context) -> Setup:
    sys.path.insert(0, str(BENCH_DIR))
    import fetch_corpus

    cache = context.workdir / "_packages"
    cache.mkdir(parents=True, exist_ok=True)
    seeds: list[tuple[str, bytes, bytes]] = []
    for package in fetch_corpus.PACKAGES:
        if package.name not in FUZZ_PACKAGES:
            continue
        if not fetch_corpus.is_present(package, cache):
            try:
                fetch_corpus.fetch_package(package, cache)
            except (fetch_corpus.FetchError, OSError) as error:
                return Setup(expected=[], secrets=[], runs=[], unavailable=f"npm pack {package.spec}: {error}")
        directory = cache / package.directory_name
        files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in (".js", ".json", ".md"))
        rng = context.rng("fuzz-packages:" + package.name)
        for path in rng.sample(files, min(len(files), 40)):
            seeds.append((path.name, path.read_bytes(), b"(" if path.suffix == ".js" else b"["))
    expected = write_valid(layout.root, context)
    fuzz_files(layout, context, seeds, "packages")
    return Setup(expected=expected, secrets=[context.valid_token], runs=[json_scan()])


# ---------------------------------------------------------------------------------------------------
# The corpus


CASES: tuple[Case, ...] = (
    Case("git-traps", "every git trap below armed at once in one repository", git_case(tuple(GIT_TRAPS)), fast=True),
    *(Case(f"git-{trap}", f"git trap: {', '.join(key for key, _ in GIT_TRAPS[trap][0]) or 'core.hooksPath + hooks'}",
           git_case((trap,))) for trap in GIT_TRAPS),
    Case("links-outside", "links (relative, absolute, to a dir and a file) to a canary directory beside the root",
         links_outside, fast=True),
    Case("links-etc", "a link to /etc", links_to("/etc", "etc"), fast=True),
    Case("links-root", "a link to /", links_to("/", "slash"), fast=True),
    Case("links-devices", "links to /dev/zero, /dev/urandom, /proc/self/fd/0, /proc/self/environ; FIFOs",
         links_devices, fast=True),
    Case("links-loops", "symlink loops: a->b->a, self, dir/up->.., here->.", links_loops, fast=True),
    Case("pem-keys", "private keys one-line escaped, \\r\\n, concatenated, header split over strings, base64 (one line "
         "and wrapped over lines and strings), in JSON, plain; all formats",
         pem_keys, fast=True),
    Case("deep-data", "package.json, package-lock, shrinkwrap, bun.lock, JSON, YAML nested 10,000 deep", deep_data,
         fast=True),
    Case("deep-toml", ".nodeward.toml nested 5,000 deep", deep_toml, fast=True),
    Case("bad-glob", "exclude glob [z-a] in .nodeward.toml and --exclude; broken .gitignore patterns", bad_glob,
         fast=True),
    Case("js-nested-if", "20,000 nested if blocks", js_case(nested_ifs)),
    Case("js-nested-functions", "10,000 nested functions, 20,000 nested arrows", js_case(nested_functions)),
    Case("js-plus-chain", "a 100,000-term + chain", js_case(plus_chain)),
    Case("js-member-chain", "a 50,000-long member-call chain", js_case(member_chain)),
    Case("nunjucks-deep", "a 260 KB Nunjucks template with 10,000 nested {% if %}", js_case(nunjucks)),
    Case("long-line", "a 1.4 MB line after 80 KB of short lines", js_case(long_line)),
    Case("cross-file-200", "a taint flow through 200 modules to child_process.exec", cross_file_case),
    Case("dep-chain-50k", "package-lock: a 50,000-deep dependency chain ending in lodash@4.17.4", dep_chain),
    Case("npm-lock-50k", "package-lock with 50,000 entries", npm_wide),
    Case("yarn-lock-50k", "yarn.lock v1 with 50,000 entries", yarn_wide),
    Case("pnpm-lock-50k", "pnpm-lock.yaml v9 with 50,000 entries", pnpm_wide),
    Case("package-json-50k", "package.json with 50,000 dependencies, no lockfile", many_dependencies),
    Case("yaml-20k-docs", "a Kubernetes file of 20,001 YAML documents", yaml_documents),
    Case("tree-100k", "a tree of 100,000 small files", many_files),
    Case("escapes", "terminal escapes and a newline in file names and code", escapes, fast=True),
    Case("utf16-bom", "UTF-16 LE/BE and UTF-32 files with a BOM", utf16, fast=True),
    Case("bare-history", "--history on a bare repository", bare_history, fast=True),
    Case("corrupt-object", "--history with one corrupted blob among three secret commits", corrupt_object, fast=True),
    Case("fuzz-inputs", "seeded mutants of lockfiles, package.json, Dockerfiles, YAML, .env, .npmrc, .gitignore",
         fuzz_inputs, fast=True),
    Case("fuzz-packages", "seeded mutants of files of express and lodash (npm pack)", fuzz_packages),
)

CASES_BY_NAME = {case.name: case for case in CASES}


# ---------------------------------------------------------------------------------------------------
# Running and judging


@dataclass(slots=True)
class Execution:
    exit_code: int | None
    seconds: float
    peak_mb: float
    timed_out: bool
    stdout: bytes
    stderr: bytes


def session_rss(session: int, page_size: int) -> int:
    """Resident bytes of every process of ``session`` (the command and its workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) != session:
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page_size
        except (OSError, IndexError, ValueError):
            continue
    return total


def execute(argv: list[str], cwd: Path, out: Path, slug: str, timeout: float,
            env: dict[str, str] | None = None) -> Execution:
    stdout_path, stderr_path = out / f"{slug}.stdout", out / f"{slug}.stderr"
    page_size = os.sysconf("SC_PAGE_SIZE")
    peak = 0
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.monotonic()
        # stdin is a pipe that never ends: reading it (say through /proc/self/fd/0) blocks.
        process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr,
                                   start_new_session=True, env=env)
        timed_out = False
        status = None
        usage = None
        while status is None:
            pid, raw_status, raw_usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                status, usage = raw_status, raw_usage
                break
            peak = max(peak, session_rss(process.pid, page_size))
            if time.monotonic() - started > timeout:
                timed_out = True
                kill_session(process.pid)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        kill_session(process.pid)  # workers left behind by a crash
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.stdin:
            process.stdin.close()
    if usage is not None:
        peak = max(peak, usage.ru_maxrss * 1024)
    exit_code = None if timed_out else process.returncode
    return Execution(exit_code, seconds, peak / 2**20, timed_out, stdout_path.read_bytes(), stderr_path.read_bytes())


def kill_session(session: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(session, signal.SIGKILL)


class SecretIndex:
    """Finds any secret, or any 12-character slice of one, in a byte string."""

    def __init__(self, secrets: Iterable[str]) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        self.empty = True
        owners: dict[str, list[int]] = {}
        self.secrets = list(secrets)
        for number, secret in enumerate(self.secrets):
            for start in range(max(1, len(secret) - SLICE + 1)):
                piece = secret[start:start + SLICE]
                if len(piece) == SLICE:
                    owners.setdefault(piece, []).append(number)
        for piece, numbers in owners.items():
            self.automaton.add_word(piece, tuple(sorted(set(numbers))))
            self.empty = False
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, data: bytes) -> list[str]:
        """One line per secret of which some slice occurs: which secret (its first characters, its number)
        and how many distinct 12-character slices of it were found; never the slices themselves."""
        if self.empty:
            return []
        text = data.decode("utf-8", "replace")
        slices: dict[int, set[int]] = {}
        for end, numbers in self.automaton.iter(text):
            for number in numbers:
                slices.setdefault(number, set()).add(end)
        return [f"secret #{number} ({self.secrets[number][:4]}...): {len(ends)} slices"
                for number, ends in sorted(slices.items())]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of everything under ``root`` but .git (links not followed)."""
    state: dict[str, tuple[int, int]] = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"] if Path(directory) == root else subdirs
        for name in files:
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            state[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return state


def inside(root: Path, relative: str) -> bool:
    """Whether the report path ``relative`` names something inside ``root`` (lexically, and once resolved)."""
    pure = Path(relative)
    if ".." in pure.parts:
        return False
    candidate = pure if pure.is_absolute() else root / pure
    if not os.path.lexists(candidate):
        return not pure.is_absolute()  # history paths and such name no file of the tree
    real_root = os.path.realpath(root)
    return os.path.realpath(candidate).startswith(real_root + os.sep) or os.path.realpath(candidate) == real_root


def report_paths(document: object) -> Iterator[tuple[str, str]]:
    """(kind, path) of every finding, trace step and notice of a JSON scan report."""
    if not isinstance(document, dict):
        return
    for finding in [*document.get("findings", []), *document.get("suppressed_findings", [])]:
        if isinstance(finding, dict):
            yield "finding", str(finding.get("path", ""))
            for step in finding.get("trace") or []:
                if isinstance(step, dict):
                    yield "trace", str(step.get("path", ""))
    for notice in document.get("notices", []):
        if isinstance(notice, dict):
            yield "notice:" + str(notice.get("kind", "")), str(notice.get("path", ""))


def check_expected(setup: Setup, run: Run, document: object, raw: bytes) -> list[str]:
    missing: list[str] = []
    if run.report_kind == "scan" and isinstance(document, dict):
        reported = {(str(f.get("rule_id")), str(f.get("path"))) for f in document.get("findings", [])
                    if isinstance(f, dict)}
        missing += [str(e) for e in setup.expected if (e.rule_id, e.path) not in reported]
        notice_paths = [str(n.get("path", "")) for n in document.get("notices", []) if isinstance(n, dict)]
        missing += [f"notice for {name}" for name in setup.expected_notices
                    if not any(path == name or path.endswith("/" + name) for path in notice_paths)]
        notice_texts = [f"{n.get('path', '')} {n.get('message', '')}" for n in document.get("notices", [])
                        if isinstance(n, dict)]
        missing += [what for what, needles in setup.expected_mentions
                    if not any(needle in text for text in notice_texts for needle in needles)]
    elif run.report_kind == "baseline":
        text = raw.decode("utf-8", "replace")
        missing += [str(e) for e in setup.expected if e.rule_id not in text or e.path not in text]
    return missing


def crash_texts(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    found = []
    for needle in CRASH_TEXTS:
        index = text.find(needle)
        if index >= 0:
            found.append(" ".join(text[index:index + 160].split()))
    return found


def control_characters(data: bytes) -> list[str]:
    allowed = (0x0A, 0x09, 0x0D)
    found = sorted({f"\\x{byte:02x}" for byte in data if (byte < 0x20 and byte not in allowed) or byte == 0x7F})
    if any(line.startswith(b"INJECTED") for line in data.splitlines()):
        found.append("a file name's newline split a line")
    return found


def judge(case: Case, setup: Setup, layout: Layout, run: Run, execution: Execution, index: SecretIndex,
          canary_index: SecretIndex, atimes: dict[str, int]) -> Result:
    result = Result(case.name, run.label, execution.exit_code, execution.seconds, execution.peak_mb,
                    execution.timed_out)
    report_bytes = b""
    if run.report and (layout.out / run.report).is_file():
        report_bytes = (layout.out / run.report).read_bytes()
    outputs = {"stdout": execution.stdout, "stderr": execution.stderr, "report": report_bytes}
    document: object = None
    if run.report_kind == "scan":
        try:
            document = json.loads(report_bytes or execution.stdout)
        except ValueError:
            document = None
    if not execution.timed_out:
        config_refused = run.config_error_ok and execution.exit_code == 2 and execution.stderr.strip()
        if execution.exit_code not in (0, 1) and not config_refused:
            result.bad_exit = f"exit {execution.exit_code}: " + " ".join(
                execution.stderr.decode("utf-8", "replace").split())[:160]
        if run.check_expected and not config_refused:
            if run.report_kind == "scan" and document is None:
                result.missing.append("no JSON report")
            else:
                result.missing += check_expected(setup, run, document, report_bytes)
    for name, data in outputs.items():
        result.errors += [f"{name}: {text}" for text in crash_texts(data)]
        result.leaks += [f"{name}: {leak}" for leak in index.find(data)]
        result.outside += [f"{name}: canary {leak}" for leak in canary_index.find(data)]
        for canary in setup.canaries:
            if canary.encode() in data:
                result.outside.append(f"{name}: canary text")
        if run.plain_text and name != "stderr":
            result.control_chars += [f"{name}: {char}" for char in control_characters(data)]
    for kind, path in report_paths(document):
        # A notice may name nodeward's own files (its advisory database) or the root by absolute path, and a
        # skipped link by its own path; a finding or trace step, or a notice on a file it read, may not leave.
        about_a_read = kind in ("finding", "trace") or (not kind.startswith("notice:skipped")
                                                        and not Path(path).is_absolute())
        if about_a_read and path and not inside(layout.root, path):
            result.outside.append(f"{kind} {path!r}")
    for path, before in atimes.items():
        try:
            if os.stat(path).st_atime_ns != before:
                result.outside.append(f"read {os.path.relpath(path, layout.case_dir)}")
        except OSError:
            continue
    if atimes:
        age_access_times(layout.outside)
    if layout.markers.is_dir():
        for marker in sorted(layout.markers.iterdir()):
            result.markers.append(marker.name)
            marker.unlink()
    return result


def nodeward_command(given: str | None, workdir: Path) -> tuple[list[str], dict[str, str] | None, str]:
    """The command, its environment and a description of the code measured.

    By default a snapshot of this tree's src/nodeward (taken now, run with the project's virtualenv via
    PYTHONPATH), since other people land on main and edit trees while the corpus runs."""
    if given:
        return given.split(), None, given
    venv_python = REPO_DIR / ".venv" / "bin" / "python"
    python = str(venv_python if venv_python.exists() else Path(sys.executable))
    snapshot = workdir / "_nodeward-src"
    if snapshot.exists():
        shutil.rmtree(snapshot)
    shutil.copytree(REPO_DIR / "src" / "nodeward", snapshot / "nodeward",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {**os.environ, "PYTHONPATH": str(snapshot)}
    commit = subprocess.run(["git", "-C", str(REPO_DIR), "log", "-1", "--format=%h %cI"], capture_output=True,
                            text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True, check=False).stdout.strip()
    return [python, "-m", "nodeward"], env, f"snapshot of src/nodeward at {commit}{' + changes' if dirty else ''}"


def run_controls(layout: Layout, controls: list[Control]) -> list[str]:
    """Fire the traps with plain git; returns the markers written (the traps shown to be armed)."""
    for control in controls:
        argv = ["git", "-C", str(layout.root), *control.args]
        try:
            if control.tty:
                import pty

                leader, follower = pty.openpty()
                try:
                    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, timeout=20,
                                   check=False)
                finally:
                    os.close(follower)
                    os.close(leader)
            else:
                subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=20, check=False)
        except subprocess.TimeoutExpired:
            continue
    return sorted(marker.name for marker in layout.markers.iterdir()) if layout.markers.is_dir() else []


def build(case: Case, workdir: Path, context: Context) -> tuple[Layout, Setup]:
    layout = Layout(workdir / case.name)
    if layout.case_dir.exists():
        make_removable(layout.case_dir)
        shutil.rmtree(layout.case_dir)
    for directory in (layout.root, layout.outside, layout.markers, layout.out):
        directory.mkdir(parents=True)
    return layout, case.build(layout, context)


def make_removable(directory: Path) -> None:
    """Directories a case made read-only (git makes its objects so) become writable, so that rmtree works."""
    for folder, subdirs, _ in os.walk(directory):
        for name in subdirs:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode) and (mode & (stat.S_IWUSR | stat.S_IXUSR)) != (stat.S_IWUSR | stat.S_IXUSR):
                os.chmod(path, mode | stat.S_IWUSR | stat.S_IXUSR)


def run_case(case: Case, workdir: Path, context: Context, nodeward: list[str], timeout: float,
             progress: Callable[[str], None] = lambda _: None, ci: bool = False,
             env: dict[str, str] | None = None) -> tuple[list[Result], str]:
    """Build and run ``case`` (only its CI runs with ``ci``); returns the results of its runs and a note on its
    traps' controls."""
    started = time.monotonic()
    try:
        layout, setup = build(case, workdir, context)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        reason = f"could not build the case: {error} {detail.decode('utf-8', 'replace').strip()}"
        progress(f"{case.name}: {reason}")
        return [Result(case.name, "-", not_run=reason)], ""
    progress(f"{case.name}: built in {time.monotonic() - started:.1f} s")
    if setup.unavailable:
        return [Result(case.name, "-", not_run=setup.unavailable)], ""
    index = SecretIndex(setup.secrets)
    canary_index = SecretIndex([c for c in setup.canaries if not c.startswith(CANARY_PREFIX)])
    atimes = age_access_times(layout.outside)
    before = snapshot(layout.root)
    results = []
    for number, run in enumerate(ci_only(setup.runs) if ci else setup.runs):
        argv = [*nodeward, *(arg.replace("{root}", str(layout.root)).replace("{out}", str(layout.out))
                             for arg in run.args)]
        execution = execute(argv, layout.case_dir, layout.out, f"run{number}", timeout, env)
        result = judge(case, setup, layout, run, execution, index, canary_index, atimes)
        results.append(result)
        progress(f"{case.name}: {run.label}: exit {result.exit_code}, {result.seconds:.1f} s, "
                 f"{result.peak_mb:.0f} MB, {'ok' if result.passed else '; '.join(result.problems)[:300]}")
    after = snapshot(layout.root)
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    if changed and results:
        results[-1].modified = changed[:10]
    note = ""
    if setup.controls:
        fired = run_controls(layout, setup.controls)
        note = f"{case.name}: plain git fired {len(fired)} trap programs ({', '.join(fired) or 'none'})"
        progress(note)
    return results, note


# ---------------------------------------------------------------------------------------------------
# The table


def yes_no(items: list[str], good: str = "0") -> str:
    return good if not items else str(len(items))


def table(results: list[Result]) -> str:
    lines = ["| case | run | exit | s | peak MB | valid findings | markers | outside | secret leaks | "
             "internal errors | result |",
             "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        exit_text = "timeout" if r.timed_out else ("-" if r.exit_code is None else str(r.exit_code))
        valid = "-" if r.not_run or r.timed_out else ("yes" if not r.missing else f"missing {len(r.missing)}")
        verdict = "pass" if r.passed else "FAIL: " + "; ".join(p.replace("|", "\\|") for p in r.problems)[:400]
        verdict = verdict.replace("\n", "\\n").replace("\x1b", "\\x1b")
        lines.append(f"| {r.case} | {r.run} | {exit_text} | {r.seconds:.1f} | {r.peak_mb:.0f} | {valid} | "
                     f"{yes_no(r.markers)} | {yes_no(r.outside)} | {yes_no(r.leaks)} | {yes_no(r.errors)} | "
                     f"{verdict} |")
    return "\n".join(lines)


def summary(results: list[Result]) -> str:
    failed_cases = sorted({r.case for r in results if not r.passed})
    return (f"{len(results)} runs of {len({r.case for r in results})} cases; "
            f"{sum(not r.passed for r in results)} runs failed"
            + (f" ({', '.join(failed_cases)})" if failed_cases else "") + "; "
            f"internal errors {sum(bool(r.errors) for r in results)}, markers {sum(len(r.markers) for r in results)}, "
            f"outside reads {sum(bool(r.outside) for r in results)}, "
            f"leaking runs {sum(bool(r.leaks) for r in results)}, "
            f"timeouts {sum(r.timed_out for r in results)}, valid findings missing in "
            f"{sum(bool(r.missing) for r in results)} runs")


def merge_saved(paths: list[Path]) -> list[Result]:
    by_case: dict[str, list[Result]] = {}
    fields = {f.name for f in dataclasses.fields(Result)}
    for path in paths:
        loaded: dict[str, list[Result]] = {}
        for row in json.loads(path.read_text(encoding="utf-8")):
            result = Result(**{key: value for key, value in row.items() if key in fields})
            loaded.setdefault(result.case, []).append(result)
        by_case.update(loaded)
    order = {case.name: number for number, case in enumerate(CASES)}
    return [result for name in sorted(by_case, key=lambda n: order.get(n, len(order))) for result in by_case[name]]


def select(names: list[str], fast: bool) -> list[Case]:
    if not names:
        return [case for case in CASES if case.fast or not fast]
    chosen = []
    for group in names:
        for name in group.split(","):
            if name not in CASES_BY_NAME:
                raise SystemExit(f"unknown case {name!r}; --list shows them")
            chosen.append(CASES_BY_NAME[name])
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the hostile corpus, scan each case, print a table.")
    parser.add_argument("--only", action="append", default=[], metavar="CASE", help="run only these cases")
    parser.add_argument("--fast", action="store_true", help="only the small cases (the CI subset)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help=f"default {DEFAULT_WORKDIR}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per command (default 60)")
    parser.add_argument("--nodeward", help="command that runs nodeward (default: .venv/bin/python -m nodeward)")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument("--report", type=Path, nargs="+", metavar="JSON",
                        help="print the table of saved --json results instead of running (a case's rows in a later "
                             "file replace those of an earlier one)")
    args = parser.parse_args(argv)
    if args.report:
        merged = merge_saved(args.report)
        print(table(merged) + "\n\n" + summary(merged))
        return 0 if all(r.passed for r in merged) else 1
    if args.list:
        for case in CASES:
            print(f"{case.name:22} {'fast' if case.fast else 'big ':4}  {case.summary}")
        return 0
    cases = select(args.only, args.fast)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    lock = open(workdir / ".lock", "w")  # noqa: SIM115 -- held until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another run of the corpus is using {workdir}; give it another --workdir", file=sys.stderr)
        return 2
    context = Context(workdir)
    nodeward, env, measured = nodeward_command(args.nodeward, workdir)
    results: list[Result] = []
    notes: list[str] = []
    started = time.monotonic()
    for case in cases:
        case_results, note = run_case(case, workdir, context, nodeward, args.timeout,
                                      lambda line: print(line, file=sys.stderr, flush=True), env=env)
        results += case_results
        if note:
            notes.append(note)
        if args.json:  # after every case, so that an interrupted run keeps what it measured
            args.json.write_text(json.dumps([{**dataclasses.asdict(r), "problems": r.problems} for r in results],
                                            indent=2), encoding="utf-8")
    print(f"Hostile corpus; nodeward: {measured}; timeout {args.timeout:.0f} s per command; "
          f"{time.monotonic() - started:.0f} s in all; load average at the end "
          f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}\n")
    print(table(results))
    print("\n" + summary(results))
    if notes:
        print("\nTrap controls (plain git on the same repositories, after the scans):\n")
        print("\n".join(f"- {note}" for note in notes))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
