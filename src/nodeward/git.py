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

import contextlib
import math
import os
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: Seconds any one git command may take before nodeward gives up on it.
GIT_TIMEOUT = 300.0
#: Seconds a git command read as a stream may leave nodeward waiting for its next byte before it is stopped: a
#: local repository answers in far less, so such a silence means git is stuck (a hung file system, an object
#: store that never answers), and the scan goes on without what it would have said.
GIT_STALL_LIMIT = 60.0

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


class GitStalled(GitError):
    """A git command read as a stream left nodeward waiting for its output longer than GIT_STALL_LIMIT."""


class GitStream:
    """A running git command read as a stream (or spoken to, for `--batch`). Its complaints go to a temporary
    file, so that many of them never fill a pipe and block it. A watchdog stops the command when a read of its
    output waits longer than GIT_STALL_LIMIT; `finish` then raises GitStalled."""

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
        self.name = args[0] if args else "git"
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout = GitOutput(self.process.stdout)
        self.stalled = False
        self._finished = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        limit = GIT_STALL_LIMIT
        while not self._finished.wait(min(1.0, limit / 4)):
            since = self.stdout.waiting_since
            if since is not None and time.monotonic() - since > limit:
                self.stalled = True
                with contextlib.suppress(OSError):
                    self.process.kill()
                return

    def finish(self, *, abandon: bool = False) -> tuple[int, str]:
        """Wait for the end (or end it now when its output is no longer wanted): exit status and last complaint."""
        self._finished.set()
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
        if self.stalled:
            raise GitStalled(f"git {self.name} gave no output for {GIT_STALL_LIMIT:g} s and was stopped; "
                             "what it had not read yet is left out")
        return status, message


class GitOutput:
    """The output of a git command, read in pieces as they arrive; ``waiting_since`` says since when a read
    has been waiting for the command (None when none is)."""

    _PIECE = 1 << 20

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.waiting_since: float | None = None

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative), fewer only at the end of the output."""
        pieces: list[bytes] = []
        wanted = size if size >= 0 else math.inf
        while wanted > 0:
            piece = self._waiting(self._raw.read1, int(min(wanted, self._PIECE)))  # type: ignore[attr-defined]
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)

    def readline(self) -> bytes:
        line: bytes = self._waiting(self._raw.readline)
        return line

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def close(self) -> None:
        self._raw.close()

    def _waiting(self, read: Any, *args: int) -> Any:
        self.waiting_since = time.monotonic()
        try:
            return read(*args)
        except ValueError:  # closed: the command was stopped
            return b""
        finally:
            self.waiting_since = None


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
        readable = []
        objects = _common_dir(self.git_dir) / "objects"
        for object_id in ids:
            if _is_special_file(objects / object_id[:2] / object_id[2:]):
                unreadable.append(object_id)  # a FIFO in place of an object would block cat-file for good
            else:
                readable.append(object_id)
        ids = readable
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
    one discovered above or around a path of a working tree). Before git is run in it at all, the
    repository is checked to keep git inside it (see `confine`). Raises NotARepository when there is none,
    GitError when git refuses it, it reaches outside itself or points its working tree elsewhere.
    """
    directory = (path if path.is_dir() else path.parent).resolve()
    candidate = _repository_around(directory, bare_allowed=bare_allowed)
    if candidate is None:
        raise NotARepository(f"{directory} is not inside a git repository")
    confine(*candidate)
    done = run_git(directory, ("rev-parse", "--absolute-git-dir", "--is-bare-repository"),
                   bare_allowed=bare_allowed)
    if done.returncode != 0:
        raise _discovery_error(directory, done.stderr)
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2:
        raise GitError(f"git gave an unexpected answer about {directory}")
    git_dir, bare = Path(lines[0]).resolve(), lines[1] == "true"
    if git_dir != Path(os.path.realpath(candidate[0])):
        raise GitError(f"git found the repository {git_dir} from {directory}, where {candidate[0]} was expected")
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


def _repository_around(directory: Path, *, bare_allowed: bool) -> tuple[Path, Path | None] | None:
    """(git dir, work tree) of the repository git would find from ``directory``: the nearest `.git` above it,
    or ``directory`` itself when it is a bare repository and that is allowed. Found without running git."""
    if bare_allowed and _looks_like_git_dir(directory) and not os.path.lexists(directory / ".git"):
        return directory, None
    for top in (directory, *directory.parents):
        dot_git = top / ".git"
        if dot_git.is_file() and not dot_git.is_symlink():
            target = _gitfile_target(dot_git)
            return (target, top) if target is not None else None
        if os.path.lexists(dot_git):
            return dot_git, top
    return None


def _looks_like_git_dir(directory: Path) -> bool:
    return (directory / "HEAD").is_file() and (directory / "objects").is_dir() and (directory / "refs").is_dir()


def _gitfile_target(dot_git: Path) -> Path | None:
    """Where a `.git` file (a linked worktree's, a submodule's) says the repository is."""
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    first = text.splitlines()[0] if text else ""
    if not first.startswith("gitdir: "):
        return None
    return Path(os.path.realpath(dot_git.parent / first[len("gitdir: "):].strip()))


#: What git reads in a repository directory; none may lead outside (through a link) without being claimed.
_GIT_DIR_ENTRIES = ("config", "config.worktree", "commondir", "HEAD", "packed-refs", "refs", "objects", "index",
                    "info", "shallow", "modules", "worktrees", "info/exclude", "info/attributes", "info/grafts",
                    "info/sparse-checkout", "objects/info", "objects/info/alternates", "objects/pack")

#: How many include levels git follows (its own limit is 10).
_MAX_INCLUDE_DEPTH = 10


def confine(git_dir: Path, work_tree: Path | None) -> None:
    """Raise GitError when git, working in this repository, would read files outside it.

    A hostile repository can make git read anywhere: its config can include other files (`include.path`,
    `includeIf.*.path`, with `~/` too) or name `core.excludesFile`, its `objects/info/alternates` can lend it
    another repository's objects (whose history --history would then report), a `.git` file or a link in the
    repository directory can lead elsewhere, and a config file that is a FIFO would block git for good. Only
    the repository itself is allowed: the working tree and its `.git` directory, and for a `.git` file (a
    linked worktree, a submodule) the repository directory it names if that repository names this working
    tree back, which a planted `.git` file cannot arrange. Checked without running git in the repository.
    """
    git_dir = Path(os.path.realpath(git_dir))
    common_dir = _common_dir(git_dir)
    allowed = [git_dir, common_dir]
    if work_tree is not None:
        work_tree = Path(os.path.realpath(work_tree))
        allowed.append(work_tree)
        if not _inside(git_dir, [work_tree]) and not _claims(git_dir, common_dir, work_tree):
            raise GitError(
                f"{work_tree / '.git'} points to the repository {git_dir}, outside the working tree, which does "
                "not name this working tree as its own; nodeward does not let git read it"
            )
    pack_dir = common_dir / "objects" / "pack"
    packs = [f"objects/pack/{name}" for name in _list(pack_dir)] if common_dir == git_dir else []
    for directory in {git_dir, common_dir}:
        for name in (*_GIT_DIR_ENTRIES, *packs):
            entry = directory / name
            if not os.path.lexists(entry):
                continue
            if not _inside(Path(os.path.realpath(entry)), allowed):
                raise GitError(f"{entry} leads outside the repository; nodeward does not let git read it")
            if not entry.is_file() and not entry.is_dir():
                # A FIFO would block git for good, a device could be anything.
                raise GitError(f"{entry} is not a regular file; nodeward does not let git read it")
    for config in (common_dir / "config", git_dir / "config.worktree"):
        _check_config(config, allowed, _MAX_INCLUDE_DEPTH)
    alternates = common_dir / "objects" / "info" / "alternates"
    for line in _read_lines(alternates):
        if line.strip() and not line.startswith("#"):
            target = Path(os.path.realpath(alternates.parent.parent / line.strip()))
            if not _inside(target, allowed):
                raise GitError(
                    f"{alternates} borrows objects from {target}, outside the repository; nodeward does not let "
                    "git read them"
                )


def _common_dir(git_dir: Path) -> Path:
    """The directory a linked worktree's git dir shares with the main one (its `commondir` file), else itself."""
    lines = _read_lines(git_dir / "commondir")
    return Path(os.path.realpath(git_dir / lines[0].strip())) if lines and lines[0].strip() else git_dir


def _claims(git_dir: Path, common_dir: Path, work_tree: Path) -> bool:
    """Whether the repository at ``git_dir`` names ``work_tree`` as its own: a linked worktree's `gitdir` file
    points back to the tree's `.git`, or a submodule's `core.worktree` to the tree. Only a directory where git
    keeps such repositories (`.../worktrees/<id>`, `.../modules/<name>`) is looked into at all."""
    if git_dir.parent.name != "worktrees" and "modules" not in git_dir.parts[:-1]:
        return False
    back = _read_lines(git_dir / "gitdir")
    if back and Path(os.path.realpath(git_dir / back[0].strip())) == work_tree / ".git":
        return True
    for key, value in _config_entries(git_dir / "config"):
        if key == "core.worktree" and Path(os.path.realpath(git_dir / value)) == work_tree:
            return True
    return False


def _check_config(config: Path, allowed: list[Path], depth: int) -> None:
    if not os.path.lexists(config):
        return
    if not config.is_file():
        raise GitError(f"{config} is not a regular file; nodeward does not let git read it")
    for key, value in _config_entries(config):
        if key == "core.excludesfile" or (key.startswith(("include.", "includeif.")) and key.endswith(".path")):
            target = _config_path(value, config.parent)
            if target is None or not _inside(target, allowed):
                raise GitError(
                    f"{config} sets {key} = {value}, outside the repository; nodeward does not let git read it"
                )
            if key != "core.excludesfile" and depth > 0:
                _check_config(target, allowed, depth - 1)


def _config_path(value: str, relative_to: Path) -> Path | None:
    """Where a path-valued setting leads (None for `~` and `%(prefix)`, which lead out of any repository)."""
    if value.startswith(("~", "%(prefix)")):
        return None
    return Path(os.path.realpath(relative_to / value))


def _config_entries(config: Path) -> list[tuple[str, str]]:
    """The (key, value) pairs of one config file as written, its includes not followed; [] when unreadable."""
    if not config.is_file():
        return []
    with tempfile.TemporaryDirectory(prefix="nodeward-git-") as scratch:
        done = run_git_outside_repositories(Path(scratch), ("config", "--file", str(config), "--no-includes",
                                                            "--null", "--list"))
    if done.returncode != 0:
        return []
    entries = []
    for item in done.stdout.split(b"\0"):
        key, _, value = item.decode("utf-8", "surrogateescape").partition("\n")
        if key:
            entries.append((key, value))
    return entries


def _is_special_file(path: Path) -> bool:
    """Whether ``path`` exists as something else than a regular file (FIFO, device, socket, link)."""
    try:
        return not stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _list(directory: Path) -> list[str]:
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


def _read_lines(path: Path) -> list[str]:
    try:
        if not path.is_file():
            return []
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(65536).splitlines()
    except OSError:
        return []


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


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
