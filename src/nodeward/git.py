"""Every git command nodeward runs goes through here, run so that nothing a scanned repository configures executes.

A repository under audit is hostile input. Its `.git/config` (and every file that config includes),
`.gitattributes` and `.git/info/attributes` can name programs that git then runs by itself, even for
commands that only read: `core.fsmonitor` runs on any command that reads the index (measured on git 2.39:
`ls-files`, `check-ignore`, `status`, `diff`, even the plumbing `diff-tree`); `gpg.program` runs for
`git log` when `log.showSignature` is set; `filter.<driver>.clean`/`process` run when `git diff` or `git
status` look at a changed working-tree file; `diff.<driver>.textconv` and `diff.external` run for patches;
`core.pager` for a terminal; `core.sshCommand` or an `ext::` remote for the lazy fetch of a partial clone's
missing object. nodeward therefore:

- overrides each such setting on the command line (`-c`, which takes precedence over every file), pointing
  programs at the null device, which cannot be executed;
- drops every `GIT_*` variable of its own environment (`GIT_DIR`, `GIT_EXTERNAL_DIFF`, `GIT_PAGER`,
  `GIT_SSH_COMMAND`, `GIT_CONFIG_*`, ...) and sets its own: no system config or attributes, no prompt, no
  optional locks (so nothing in the repository is rewritten), no transport at all (`GIT_ALLOW_PROTOCOL`
  empty: git refuses every protocol, which also stops lazy fetches), no replace refs (the history read is the
  recorded one, not a substitute);
- runs only built-in commands (an alias never shadows a built-in), mostly plumbing that never converts
  content (`rev-list`, `diff-tree`, `ls-tree`, `cat-file --batch`, `ls-files`), never `git diff` on the
  working tree (see `nodeward.gitdiff`), and passes paths so that git reads no pathspec magic in them;
- keeps git's own protections: a repository owned by another user is refused unless the user's own
  `safe.directory` allows it, a bare repository is used only where the user pointed at one, and a
  repository whose `core.worktree` points elsewhere is refused rather than followed.

The user's global configuration is still read (it holds `safe.directory` and `safe.bareRepository`, the
user's own decisions); the programs it names are overridden like the repository's.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: Seconds any one git command may take before nodeward gives up on it.
GIT_TIMEOUT = 300.0

_NOT_RUNNABLE = os.devnull  # a program path that exists and can never be executed

#: Settings given on the command line to every git command; later values win over the repository's.
_NEUTRAL_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", _NOT_RUNNABLE),
    ("core.pager", "cat"),  # git's own "no pager"
    ("core.editor", ":"),  # git's own "no editor"
    ("sequence.editor", ":"),
    ("core.askPass", _NOT_RUNNABLE),
    ("core.sshCommand", _NOT_RUNNABLE),
    ("core.gitProxy", _NOT_RUNNABLE),
    ("credential.helper", ""),  # the empty value clears the list of helpers
    ("core.attributesFile", os.devnull),
    ("diff.external", _NOT_RUNNABLE),
    ("log.showSignature", "false"),
    ("gpg.program", _NOT_RUNNABLE),
    ("gpg.openpgp.program", _NOT_RUNNABLE),
    ("gpg.x509.program", _NOT_RUNNABLE),
    ("gpg.ssh.program", _NOT_RUNNABLE),
    ("protocol.allow", "never"),
    ("core.quotePath", "false"),
    ("color.ui", "false"),
)

#: Options placed before every command.
_GLOBAL_OPTIONS: tuple[str, ...] = (
    "--no-pager",
    "--no-replace-objects",
    *(option for key, value in _NEUTRAL_CONFIG for option in ("-c", f"{key}={value}")),
)

#: Environment variables outside GIT_* that git would consult to start a program.
_DROPPED_VARIABLES = frozenset({"PAGER", "EDITOR", "VISUAL", "SSH_ASKPASS", "LESS", "LV"})

_OWN_ENVIRONMENT: dict[str, str] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_ALLOW_PROTOCOL": "",  # an empty allow-list: every transport refused, whatever protocol.*.allow says
    "GIT_PROTOCOL_FROM_USER": "0",
    "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44; older versions are stopped by GIT_ALLOW_PROTOCOL
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",  # git's messages in English, for the few that are recognised below
    "LANGUAGE": "",
}


class GitError(Exception):
    """git could not do what was asked; the message says why, for the user."""


class NotARepository(GitError):
    """The path is not inside a git repository (or git is not installed)."""


def git_environment() -> dict[str, str]:
    """The environment git runs in: the user's without anything that configures git, plus ours."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("GIT_") and name not in _DROPPED_VARIABLES
    }
    environment.update(_OWN_ENVIRONMENT)
    return environment


def git_command(args: Sequence[str], *, bare_allowed: bool = True) -> list[str]:
    """The argument vector for ``git <args>`` with every neutralising option in front."""
    bare = () if bare_allowed else ("-c", "safe.bareRepository=explicit")
    return ["git", *_GLOBAL_OPTIONS, *bare, *args]


def run_git(
    cwd: Path, args: Sequence[str], *, input: bytes | None = None, bare_allowed: bool = True,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run one git command in ``cwd`` to completion; its exit status is the caller's to judge."""
    return _run(cwd, git_command(args, bare_allowed=bare_allowed), git_environment(), input, timeout)


def run_git_outside_repositories(scratch: Path, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    """Run a command that needs no repository (`diff --no-index`) in a directory of nodeward's own, where
    no repository's configuration or attributes can apply: git does not look for one above it."""
    environment = git_environment()
    environment["GIT_CEILING_DIRECTORIES"] = str(scratch.resolve().parent)
    return _run(scratch, git_command(args), environment, None, GIT_TIMEOUT)


def _run(
    cwd: Path, command: list[str], environment: dict[str, str], input: bytes | None, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command, cwd=cwd, input=input, capture_output=True, env=environment, check=False, timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise NotARepository("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {command[len(_GLOBAL_OPTIONS) + 1]} did not finish within {timeout:.0f} s") from None
    except OSError as error:
        raise GitError(f"git could not be run: {error}") from None


class GitStream:
    """A running git command read as a stream (or spoken to, for `--batch`). Its complaints go to a temporary
    file, so that many of them never fill a pipe and block it."""

    def __init__(self, cwd: Path, args: Sequence[str]) -> None:
        self._complaints = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process; closed by finish)
        try:
            self.process = subprocess.Popen(
                git_command(args), cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self._complaints, env=git_environment(),
            )
        except FileNotFoundError:
            self._complaints.close()
            raise NotARepository("git is not installed (or not on PATH)") from None
        except OSError as error:
            self._complaints.close()
            raise GitError(f"git could not be run: {error}") from None
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout: IO[bytes] = self.process.stdout

    def finish(self, *, abandon: bool = False) -> tuple[int, str]:
        """Wait for the end (or end it now when its output is no longer wanted): exit status and last complaint."""
        for stream in (self.stdin, self.stdout):
            stream.close()
        if abandon and self.process.poll() is None:
            self.process.kill()
        try:
            status = self.process.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self._complaints.seek(0)
        message = last_message(self._complaints.read())
        self._complaints.close()
        return status, message


def literal_pathspec(path: str) -> str:
    """A repository-relative path as a pathspec git takes literally (no wildcards, no `:(magic)`)."""
    return f":(literal){path}"


def last_message(stderr: bytes) -> str:
    """git's last line of complaint, without its "fatal: " prefix."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return ""
    message = lines[-1]
    for prefix in ("fatal: ", "error: "):
        message = message.removeprefix(prefix)
    return message


@dataclass(frozen=True, slots=True)
class Repository:
    """A repository git agreed to open, found from a path the user gave."""

    git_dir: Path
    work_tree: Path | None  # None for a bare repository

    @property
    def cwd(self) -> Path:
        return self.work_tree or self.git_dir

    def run(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return run_git(self.cwd, args, input=input, bare_allowed=self.work_tree is None)

    def output(self, *args: str, input: bytes | None = None) -> bytes:
        """The output of a command that must succeed (GitError with git's message otherwise)."""
        done = self.run(*args, input=input)
        if done.returncode != 0:
            raise GitError(f"git {args[0]}: {last_message(done.stderr) or f'exit status {done.returncode}'}")
        return done.stdout

    def stream(self, *args: str) -> GitStream:
        return GitStream(self.cwd, args)

    def read_objects(self, ids: Sequence[str], unreadable: list[str]) -> Iterator[tuple[str, bytes]]:
        """(id, content) of each object, streamed by `git cat-file --batch`, which never converts content.

        An object git cannot read (missing, or corrupt so that git gives up) is added to ``unreadable``
        and the others are still read: the conversation starts again after the object that ended it.
        """
        position = 0
        stalls = 0
        while position < len(ids) and stalls < _MAX_STALLS:
            stream = self.stream("cat-file", "--batch")
            started = position
            answered = False
            try:
                position = yield from _converse(stream, ids, position, unreadable)
                answered = True
            finally:
                stream.finish(abandon=not answered or position < len(ids))
            if position < len(ids):  # git died on ids[position]
                unreadable.append(ids[position])
                position += 1
                stalls = stalls + 1 if position - started == 1 else 0
        unreadable.extend(ids[position:])

    def object_format(self) -> str:
        """The hash of this repository's object names: "sha1" or "sha256"."""
        done = self.run("rev-parse", "--show-object-format")
        name = done.stdout.decode("ascii", "replace").strip()
        return name if done.returncode == 0 and name in ("sha1", "sha256") else "sha1"


_MAX_STALLS = 20  # git dying on this many objects in a row means it cannot read any


def _converse(
    stream: GitStream, ids: Sequence[str], position: int, unreadable: list[str]
) -> Generator[tuple[str, bytes], None, int]:
    """Ask one `cat-file --batch` for ``ids[position:]``; yield what it answers; return where it stopped."""

    def feed(stdin: IO[bytes]) -> None:
        try:
            for object_id in ids[position:]:
                stdin.write(object_id.encode("ascii") + b"\n")
            stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    writer = threading.Thread(target=feed, args=(stream.stdin,), daemon=True)
    writer.start()
    out = stream.stdout
    while position < len(ids):
        header = out.readline()
        if not header.endswith(b"\n"):
            break
        parts = header.split()
        if len(parts) == 2 and parts[1] in (b"missing", b"ambiguous"):
            unreadable.append(ids[position])
            position += 1
            continue
        if len(parts) != 3 or not parts[2].isdigit():
            break
        size = int(parts[2])
        data = out.read(size)
        if len(data) != size or out.read(1) != b"\n":
            break
        position += 1
        yield parts[0].decode("ascii"), data
    writer.join(timeout=GIT_TIMEOUT)
    return position


def find_repository(path: Path, *, bare_allowed: bool = False) -> Repository:
    """The repository holding ``path``, as git discovers it from there (ownership checks included).

    A bare repository is accepted only when ``bare_allowed`` and ``path`` is the repository itself (never
    one discovered above or around a path of a working tree). Raises NotARepository when there is none,
    GitError when git refuses it or the repository points its working tree elsewhere.
    """
    directory = (path if path.is_dir() else path.parent).resolve()
    done = run_git(directory, ("rev-parse", "--absolute-git-dir", "--is-bare-repository"),
                   bare_allowed=bare_allowed)
    if done.returncode != 0:
        raise _discovery_error(directory, done.stderr)
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2:
        raise GitError(f"git gave an unexpected answer about {directory}")
    git_dir, bare = Path(lines[0]).resolve(), lines[1] == "true"
    if bare:
        if not bare_allowed:
            raise NotARepository(f"{directory} is in a bare repository, which has no working tree")
        if git_dir != directory:
            raise GitError(
                f"{directory} is inside the bare repository {git_dir}: give the repository itself to read its history"
            )
        return Repository(git_dir, None)
    done = run_git(directory, ("rev-parse", "--show-toplevel"), bare_allowed=bare_allowed)
    if done.returncode != 0:
        raise _discovery_error(directory, done.stderr)
    top = Path(done.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    if not (directory == top or top in directory.parents) or not os.path.lexists(top / ".git"):
        # core.worktree (in a config the repository controls) can name any directory, `/` included.
        raise GitError(
            f"the repository at {git_dir} sets its working tree to {top}, outside the scanned path; "
            "nodeward does not follow it"
        )
    return Repository(git_dir, top)


def _discovery_error(directory: Path, stderr: bytes) -> GitError:
    message = last_message(stderr)
    lowered = stderr.decode("utf-8", "replace").lower()
    if "dubious ownership" in lowered:
        return GitError(
            f"git refuses to open the repository at {directory}: it belongs to another user. nodeward keeps "
            "this protection; if you trust the repository, allow it with "
            "`git config --global --add safe.directory <path>`"
        )
    if "not a git repository" in lowered:
        return NotARepository(f"{directory} is not inside a git repository")
    if "bare repository" in lowered:
        return GitError(f"git refuses the bare repository at {directory}: {message}")
    return GitError(f"git cannot read the repository at {directory}: {message or 'unknown error'}")
