"""Repositories that arm the programs git runs on its own, for tests/safety/test_git_traps.py.

Every trap names a program of its own (``traps/NAME``) that appends to ``markers/NAME`` when it runs, so a
test sees exactly which trap fired. Each trap comes with the plain git command that fires it: the control
that proves the trap is armed (and that a nodeward which ran the same command would fail the test).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import tempfile
import termios
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: An empty global configuration of the tests' own: never the null device, which a git command that writes its
#: global configuration (as root) would replace with a regular file.
_GLOBAL_CONFIG_DIR = tempfile.TemporaryDirectory(prefix="nodeward-git-traps-")
EMPTY_GLOBAL_CONFIG = Path(_GLOBAL_CONFIG_DIR.name) / "gitconfig"
EMPTY_GLOBAL_CONFIG.touch()

#: Plain git as the fixtures are built and the controls run: no machine settings, fixed identity and dates.
PLAIN_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": str(EMPTY_GLOBAL_CONFIG),
    "GIT_AUTHOR_NAME": "Trap Builder",
    "GIT_AUTHOR_EMAIL": "traps@example.invalid",
    "GIT_COMMITTER_NAME": "Trap Builder",
    "GIT_COMMITTER_EMAIL": "traps@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_TERMINAL_PROMPT": "0",
}

VULNERABLE_LINE = "  child_process.exec(req.query.cmd);"
APP = (
    'const express = require("express");\nconst child_process = require("child_process");\n'
    'const app = express();\napp.get("/run", (req, res) => {\n' + VULNERABLE_LINE + '\n  res.send("ok");\n});\n'
)
#: Appended to the app in the working tree only: the one finding `--diff HEAD` reports.
CHANGED_HANDLER = 'app.get("/again", (req, res) => {\n' + VULNERABLE_LINE + '\n});\n'
CHANGED_LINE = 9  # the line of VULNERABLE_LINE in CHANGED_HANDLER, once appended to APP


def git(repo: Path, *args: str, input_bytes: bytes | None = None, env: Mapping[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=False,
                          env={**os.environ, **PLAIN_GIT_ENV, **(env or {})}, timeout=60,
                          stdin=None if input_bytes is not None else subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return done


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).stdout.decode().strip()


@dataclass(frozen=True)
class Place:
    """Where a case lives: the repository, its trap programs and their marker files."""

    base: Path

    @property
    def repo(self) -> Path:
        return self.base / "repo"

    @property
    def traps(self) -> Path:
        return self.base / "traps"

    @property
    def markers(self) -> Path:
        return self.base / "markers"

    def fired(self) -> list[str]:
        return sorted(p.name for p in self.markers.iterdir()) if self.markers.exists() else []

    def program(self, name: str, behaviour: str = "silent") -> str:
        """A trap program: records that it ran, then behaves as its caller expects enough to go on."""
        body = {
            "silent": "exit 0",
            "stdin": "exec cat",  # filters and pagers pass their input through
            "file": 'exec cat "$1"',  # textconv prints the file it is given
            "fail": "exit 1",
        }[behaviour]
        self.traps.mkdir(parents=True, exist_ok=True)
        self.markers.mkdir(parents=True, exist_ok=True)
        script = self.traps / name
        script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{self.markers / name}'\n{body}\n")
        script.chmod(0o755)
        return str(script)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def build_repository(place: Place, env_secret: str, history_secret: str) -> None:
    """A repository whose history, index and working tree give every git-using command work to do.

    - history: a file with a secret added then deleted (NW504), a `.env` added then deleted (NW505);
    - HEAD: the app (NW101 on its line 5) and a tracked `.env` with real values (NW505 "tracked");
    - working tree: the app with one more vulnerable handler (what `--diff HEAD` reports), README.md and
      config.json changed (for filters and diff drivers), an untracked file.
    """
    repo = place.repo
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write(repo / "app.js", APP)
    write(repo / "lib" / "old-config.js", f'module.exports = {{ token: "{history_secret}" }};\n')
    write(repo / "deploy" / ".env", "DEPLOY_PASSWORD=correct-horse-battery-staple\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "lib" / "old-config.js").unlink()
    (repo / "deploy" / ".env").unlink()
    write(repo / ".env", f"API_TOKEN={env_secret}\nDATABASE_PASSWORD=correct-horse-battery-staple\n")
    write(repo / "README.md", "# app\n")
    write(repo / "config.json", '{"port": 3000}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    write(repo / "app.js", APP + CHANGED_HANDLER)
    write(repo / "README.md", "# app, changed\n")
    write(repo / "config.json", '{"port": 8080}\n')
    write(repo / "notes.txt", "untracked notes\n")


def sign_head(repo: Path) -> None:
    """Rewrite HEAD as a commit that carries a (bogus) PGP signature, which `git log` verifies when asked."""
    header, _, message = git_text(repo, "cat-file", "commit", "HEAD").partition("\n\n")
    signature = ("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEtrapAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                 " =AAAA\n -----END PGP SIGNATURE-----")
    signed = f"{header}\n{signature}\n\n{message}\n".encode()
    commit = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input_bytes=signed).stdout.decode().strip()
    git(repo, "update-ref", "HEAD", commit)


def history_blob(repo: Path) -> str:
    """The blob of the secret file only history holds (added by the first commit, deleted by the second)."""
    first = git_text(repo, "rev-list", "--max-parents=0", "HEAD")
    return git_text(repo, "rev-parse", f"{first}:lib/old-config.js")


def loose_object(repo: Path, object_id: str) -> Path:
    return repo / ".git" / "objects" / object_id[:2] / object_id[2:]


HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-checkout", "post-merge",
         "reference-transaction", "post-index-change", "pre-auto-gc", "post-rewrite", "pre-push", "fsmonitor-watchman")


@dataclass(frozen=True)
class Trap:
    """How to arm one trap in a repository, and the plain git command that makes it fire."""

    name: str
    arm: Callable[[Place], None]
    control: tuple[str, ...]
    tty: bool = False  # the control needs a terminal (pagers start only for one)
    control_env: Callable[[Place], dict[str, str]] | None = None


def config(place: Place, *entries: tuple[str, str]) -> None:
    for key, value in entries:
        git(place.repo, "config", "--add", key, value)


def attributes(place: Place, *lines: str) -> None:
    """Add to `.git/info/attributes`, which takes precedence over every `.gitattributes` and no tree shows."""
    path = place.repo / ".git" / "info" / "attributes"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.writelines(f"{line}\n" for line in lines)


def arm_fsmonitor(place: Place) -> None:
    config(place, ("core.fsmonitor", place.program("fsmonitor")))


def arm_hooks(place: Place) -> None:
    hooks = place.traps / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    for hook in HOOKS:
        program = Path(place.program(f"hook-{hook}"))
        for directory in (hooks, place.repo / ".git" / "hooks"):
            directory.mkdir(parents=True, exist_ok=True)
            (directory / hook).write_text(f"#!/bin/sh\nexec '{program}' \"$@\"\n")
            (directory / hook).chmod(0o755)
    config(place, ("core.hooksPath", str(hooks)))


def arm_gpg(place: Place) -> None:
    sign_head(place.repo)
    config(place, ("log.showSignature", "true"), ("gpg.program", place.program("gpg", "fail")),
           ("gpg.openpgp.program", place.program("gpg-openpgp", "fail")))


def arm_filter_in_tree(place: Place) -> None:
    """A filter driver named by the committed `.gitattributes` (clean, smudge and the long-running process)."""
    write(place.repo / ".gitattributes", "*.js filter=tree-process\n*.md filter=tree-clean\n")
    git(place.repo, "add", ".gitattributes")
    git(place.repo, "commit", "-q", "-m", "attributes")
    config(place, ("filter.tree-process.process", place.program("filter-process", "fail")),
           ("filter.tree-clean.clean", place.program("filter-clean", "stdin")),
           ("filter.tree-clean.smudge", place.program("filter-smudge", "stdin")))


def arm_filter_in_info(place: Place) -> None:
    """A clean filter named by `.git/info/attributes`, which no tree shows."""
    attributes(place, "*.json filter=info-clean")
    config(place, ("filter.info-clean.clean", place.program("filter-info-clean", "stdin")))


def arm_diff_external(place: Place) -> None:
    config(place, ("diff.external", place.program("diff-external")))


def arm_textconv(place: Place) -> None:
    attributes(place, "*.js diff=conv", "*.env diff=conv")
    config(place, ("diff.conv.textconv", place.program("textconv", "file")))


def arm_diff_driver(place: Place) -> None:
    attributes(place, "*.json diff=driver")
    config(place, ("diff.driver.command", place.program("diff-driver-command")))


def arm_pager(place: Place) -> None:
    config(place, ("core.pager", place.program("pager", "stdin")), ("pager.log", place.program("pager-log", "stdin")))


def arm_aliases(place: Place) -> None:
    program = place.program("alias")
    for command in ("rev-parse", "ls-files", "check-ignore", "rev-list", "diff-tree", "cat-file", "ls-tree",
                    "merge-base", "diff", "log", "show", "status", "hostile-alias"):
        config(place, (f"alias.{command}", f"!{program}"))


def arm_include(place: Place) -> None:
    """Settings that arrive through `include.path` and `includeIf` (files of the tree: includes that lead out of
    the repository are refused before git runs, see test_git_traps)."""
    write(place.repo / "tools" / "git.config", f"[core]\n\tfsmonitor = {place.program('include-fsmonitor')}\n")
    write(place.repo / "tools" / "conditional.config",
          f"[diff]\n\texternal = {place.program('includeif-diff-external')}\n")
    config(place, ("include.path", "../tools/git.config"),
           (f"includeIf.gitdir:{place.repo}/.git.path", str(place.repo / "tools" / "conditional.config")))


def arm_lazy_fetch(place: Place) -> None:
    """A partial clone whose promisor remote runs a program (ssh command, `ext::`) to fetch a missing object."""
    loose_object(place.repo, history_blob(place.repo)).unlink()
    config(place, ("core.repositoryformatversion", "1"), ("extensions.partialClone", "origin"),
           ("remote.origin.url", "ssh://git.example.invalid/app.git"), ("remote.origin.promisor", "true"),
           ("core.sshCommand", place.program("ssh-command", "fail")),
           ("remote.ext.url", f"ext::{place.program('ext-remote', 'fail')}"), ("remote.ext.promisor", "true"),
           ("protocol.ext.allow", "always"), ("protocol.allow", "always"))


def arm_misc(place: Place) -> None:
    """Programs for prompts and editors: nothing nodeward runs needs one."""
    config(place, ("core.editor", place.program("editor")), ("sequence.editor", place.program("sequence-editor")),
           ("core.askPass", place.program("askpass")), ("credential.helper", f"!{place.program('credential')}"))


def arm_nothing(place: Place) -> None:
    """For traps that come from the user's environment rather than the repository."""


def environment_traps(place: Place) -> dict[str, str]:
    """GIT_* variables that would start programs or add settings, as a careless shell might hold them."""
    return {
        "GIT_EXTERNAL_DIFF": place.program("env-external-diff"),
        "GIT_PAGER": place.program("env-pager", "stdin"),
        "PAGER": place.program("env-plain-pager", "stdin"),
        "GIT_SSH_COMMAND": place.program("env-ssh-command", "fail"),
        "GIT_ASKPASS": place.program("env-askpass"),
        "GIT_EDITOR": place.program("env-editor"),
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "core.fsmonitor",
        "GIT_CONFIG_VALUE_0": place.program("env-config-fsmonitor"),
        "GIT_CONFIG_KEY_1": "log.showSignature",
        "GIT_CONFIG_VALUE_1": "true",
        "GIT_CONFIG_PARAMETERS": f"'diff.external'='{place.program('env-parameters-diff-external')}'",
    }


#: In the order they are armed together: those that commit or rewrite HEAD first, hooks (which commits and ref
#: updates would fire) last.
TRAPS: tuple[Trap, ...] = (
    Trap("filter-in-tree", arm_filter_in_tree, ("diff", "HEAD", "--stat")),
    Trap("gpg", arm_gpg, ("log", "-1", "--format=%H")),
    Trap("lazy-fetch", arm_lazy_fetch, ("cat-file", "-p", "{history_blob}")),
    Trap("fsmonitor", arm_fsmonitor, ("ls-files", "--error-unmatch", "--", ".env")),
    Trap("filter-in-info", arm_filter_in_info, ("diff", "HEAD", "--stat")),
    Trap("diff-external", arm_diff_external, ("diff", "HEAD")),
    Trap("textconv", arm_textconv, ("diff", "HEAD", "--", "app.js")),
    Trap("diff-driver", arm_diff_driver, ("diff", "HEAD", "--", "config.json")),
    Trap("pager", arm_pager, ("log", "-1"), tty=True),
    Trap("aliases", arm_aliases, ("hostile-alias",)),
    Trap("include", arm_include, ("diff", "HEAD")),
    Trap("editor-and-prompts", arm_misc, ("commit", "-q", "--allow-empty")),
    Trap("environment", arm_nothing, ("diff", "HEAD"), control_env=environment_traps),
    Trap("hooks", arm_hooks, ("commit", "-q", "--allow-empty", "-m", "control")),
)


def arm(place: Place, traps: Iterable[Trap]) -> None:
    for trap in traps:
        trap.arm(place)


def run_control(place: Place, trap: Trap, blob: str) -> None:
    """Plain git doing what the trap waits for (in a terminal when it needs one)."""
    env = trap.control_env(place) if trap.control_env else {}
    command = ["git", "-C", str(place.repo), *(arg.replace("{history_blob}", blob) for arg in trap.control)]
    full_env = {**without_git_variables(os.environ), **PLAIN_GIT_ENV, "TERM": "xterm", **env}
    if trap.tty:
        run_in_terminal(command, full_env, place.repo)
    else:
        subprocess.run(command, capture_output=True, env=full_env, stdin=subprocess.DEVNULL, timeout=60, check=False)


def without_git_variables(environment: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if not k.startswith("GIT_") and k not in ("EDITOR", "VISUAL")}


def run_in_terminal(command: list[str], env: Mapping[str, str], cwd: Path, timeout: float = 300,
                    columns: int = 80) -> tuple[int, str]:
    """Run ``command`` with a terminal (``columns`` wide) as its standard streams, as at a shell: exit status
    and what it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    try:
        process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=dict(env),
                                   cwd=cwd, start_new_session=True)
    finally:
        os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # hung: end it, so that the test fails instead of waiting for good
                os.killpg(process.pid, signal.SIGKILL)
                output += b"\n[killed after the time limit]"
                break
            ready, _, _ = select.select([leader], [], [], min(remaining, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the last process holding it ends
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
        status = process.wait(timeout=60)
    return status, output.decode("utf-8", "replace")
