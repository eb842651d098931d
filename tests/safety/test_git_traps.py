"""nodeward runs nothing a scanned repository configures git to run (issue 13, "Git without side effects").

Every trap of tests/safety/git_traps.py is armed, alone, in a fresh repository, and plain git is shown to run
it (the control: without it, a missing marker would prove nothing). Then all traps are armed at once and
every nodeward command that touches git runs on that repository as a user runs it (a separate process at a
terminal, the user's environment full of GIT_* variables that would start programs too); no trap may
leave a marker, the repository must be left as it was, and each command must still give its results, which
shows that git was really asked (a git that failed early would run no trap either).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.safety.git_traps import (
    CHANGED_LINE,
    TRAPS,
    Place,
    Trap,
    arm,
    build_repository,
    environment_traps,
    git,
    history_blob,
    loose_object,
    run_control,
    run_in_terminal,
    without_git_variables,
)
from tests.secrets.tokens import TokenFactory


@pytest.fixture
def secrets() -> tuple[str, str]:
    tokens = TokenFactory(seed=13)
    return tokens.make("github-pat-classic"), tokens.make("github-pat-classic")


def trapped(base: Path, secrets: tuple[str, str], traps: tuple[Trap, ...]) -> tuple[Place, str]:
    place = Place(base)
    build_repository(place, *secrets)
    blob = history_blob(place.repo)
    arm(place, traps)
    assert place.fired() == [], "building the fixture must not fire a trap"
    return place, blob


@pytest.mark.parametrize("trap", TRAPS, ids=[trap.name for trap in TRAPS])
def test_control_plain_git_runs_the_trap(tmp_path: Path, secrets: tuple[str, str], trap: Trap) -> None:
    place, blob = trapped(tmp_path, secrets, (trap,))
    run_control(place, trap, blob)
    assert place.fired(), f"plain `git {' '.join(trap.control)}` did not run the {trap.name} trap"


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``directory`` with its size and modification time."""
    state = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            state[str(path.relative_to(directory))] = (info.st_size, info.st_mtime_ns)
    return state


def nodeward(place: Place, *args: str, timeout: float = 300) -> tuple[int, str]:
    """nodeward at a terminal, in an environment whose GIT_* variables name trap programs too."""
    home = place.base / "home"
    home.mkdir(exist_ok=True)
    env = {**without_git_variables(os.environ), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "TERM": "xterm", "PYTHONWARNINGS": "ignore", **environment_traps(place)}
    return run_in_terminal([sys.executable, "-m", "nodeward", *args], env, place.base, timeout=timeout)


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def located(data: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(f["rule_id"], f["path"], f["start_line"]) for f in data["findings"]}


def expect_scan(data: dict[str, Any], place: Place, blob: str) -> None:
    found = located(data)
    assert ("NW101", "app.js", 5) in found and ("NW101", "app.js", CHANGED_LINE) in found
    tracked_env = [f for f in data["findings"] if f["rule_id"] == "NW505" and f["path"] == ".env"]
    assert tracked_env and "is tracked by git" in tracked_env[0]["message"]  # git answered ls-files


def expect_history(data: dict[str, Any], place: Place, blob: str) -> None:
    expect_scan(data, place, blob)
    deleted_env = [f for f in data["findings"] if f["rule_id"] == "NW505" and f["path"] == "deploy/.env"]
    assert deleted_env and "was committed in" in deleted_env[0]["message"]  # diff-tree and cat-file answered
    notices = " ".join(f"{n['path']} {n['message']}" for n in data["notices"])
    assert "lib/old-config.js" in notices and blob[:12] in notices  # the object the partial clone lacks


def expect_diff(data: dict[str, Any], place: Place, blob: str) -> None:
    assert located(data) == {("NW101", "app.js", CHANGED_LINE)}


def expect_secrets_history(data: dict[str, Any], place: Place, blob: str) -> None:
    assert {f["path"] for f in data["findings"] if f["rule_id"] == "NW505"} == {".env", "deploy/.env"}


#: Every command that touches git: label -> (arguments, how to check its report). {repo}, {out} are filled in.
COMMANDS: dict[str, tuple[tuple[str, ...], Any]] = {
    "scan": (("scan", "{repo}", "--format", "json", "--output", "{out}", "--min-confidence", "low"), expect_scan),
    "scan --history": (("scan", "{repo}", "--history", "--format", "json", "--output", "{out}",
                        "--min-confidence", "low"), expect_history),
    "scan --diff HEAD": (("scan", "{repo}", "--diff", "HEAD", "--format", "json", "--output", "{out}",
                          "--min-confidence", "low", "--scanners", "code"), expect_diff),
    "secrets --history": (("secrets", "{repo}", "--history", "--format", "json", "--output", "{out}"),
                          expect_secrets_history),
}


@pytest.mark.parametrize("label", list(COMMANDS))
def test_no_trap_fires_for(tmp_path: Path, secrets: tuple[str, str], label: str) -> None:
    place, blob = trapped(tmp_path, secrets, TRAPS)
    before = snapshot(place.repo)
    args, check = COMMANDS[label]
    out = tmp_path / "report.json"
    status, shown = nodeward(place, *(a.replace("{repo}", str(place.repo)).replace("{out}", str(out)) for a in args))
    assert place.fired() == [], f"`nodeward {label}` ran trap programs"
    assert status in (0, 1), shown
    assert snapshot(place.repo) == before, "the repository changed"
    check(report(out), place, blob)


def test_no_trap_fires_for_baseline_create_and_update(tmp_path: Path, secrets: tuple[str, str]) -> None:
    place, _ = trapped(tmp_path, secrets, TRAPS)
    before = snapshot(place.repo)
    baseline = tmp_path / "baseline.json"
    status, shown = nodeward(place, "baseline", "create", str(place.repo), "--file", str(baseline))
    assert status == 0, shown
    status, shown = nodeward(place, "baseline", "update", str(place.repo), "--file", str(baseline))
    assert status == 0, shown
    assert place.fired() == [], "`nodeward baseline` ran trap programs"
    assert snapshot(place.repo) == before, "the repository changed"
    assert '"NW505"' in baseline.read_text()  # the tracked .env: git answered


def test_a_repository_that_moves_its_working_tree_outside_is_not_followed(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    place, _ = trapped(tmp_path, secrets, ())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "leak.js").write_text("exports.x = 1;\n")
    git(place.repo, "config", "core.worktree", str(elsewhere))
    out = tmp_path / "report.json"
    status, shown = nodeward(place, "scan", str(place.repo), "--format", "json", "--output", str(out))
    assert status in (0, 1), shown
    notices = " ".join(n["message"] for n in report(out)["notices"] if n["path"] == ".env")
    assert "sets its working tree to" in notices and "does not follow it" in notices
    status, shown = nodeward(place, "scan", str(place.repo), "--diff", "HEAD", "--format", "json", "--output",
                             str(out))
    assert status in (0, 1), shown
    notices = " ".join(n["message"] for n in report(out)["notices"])
    assert "--diff" in notices and "does not follow it" in notices and "every finding is reported" in notices
    assert ("NW101", "app.js", 5) in located(report(out))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs to give files to another user")
def test_a_repository_of_another_user_stays_refused(tmp_path: Path, secrets: tuple[str, str]) -> None:
    """git's own protection (safe.directory) is kept: nodeward neither overrides it nor runs the repository's
    fsmonitor when it refuses."""
    place, _ = trapped(tmp_path, secrets, [trap for trap in TRAPS if trap.name == "fsmonitor"])
    for path in [place.repo, *place.repo.rglob("*")]:
        os.lchown(path, 65534, 65534)
    out = tmp_path / "report.json"
    status, shown = nodeward(place, "scan", str(place.repo), "--format", "json", "--output", str(out))
    assert status in (0, 1), shown
    notices = " ".join(n["message"] for n in report(out)["notices"] if n["path"] == ".env")
    assert "belongs to another user" in notices and "safe.directory" in notices
    status, shown = nodeward(place, "scan", str(place.repo), "--history", "--format", "json", "--output", str(out))
    assert "belongs to another user" in json.dumps(report(out)["notices"])
    assert place.fired() == []


def test_an_embedded_bare_repository_is_not_used_for_the_files_inside_it(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    """A directory of the tree laid out as a bare repository (with its own config) is not where nodeward asks
    whether a `.env` in it is tracked."""
    place, _ = trapped(tmp_path, secrets, ())
    embedded = place.repo / "packages" / "lib"
    git(place.base, "init", "-q", "--bare", str(embedded))
    git(embedded, "config", "core.fsmonitor", place.program("embedded-fsmonitor"))
    (embedded / ".env").write_text(f"API_TOKEN={secrets[0]}\n")
    out = tmp_path / "report.json"
    status, shown = nodeward(place, "scan", str(place.repo), "--format", "json", "--output", str(out))
    assert status in (0, 1), shown
    assert place.fired() == []
    notices = " ".join(n["message"] for n in report(out)["notices"] if n["path"] == "packages/lib/.env")
    assert "bare repository" in notices


# --history on bare repositories and damaged histories --------------------------------------------------


def history_report(place: Place, path: Path, out: Path) -> dict[str, Any]:
    status, shown = nodeward(place, "scan", str(path), "--history", "--scanners", "secrets", "--format", "json",
                             "--output", str(out))
    assert status in (0, 1), shown
    return report(out)


def test_history_of_a_bare_repository(tmp_path: Path, secrets: tuple[str, str]) -> None:
    place, _ = trapped(tmp_path / "source", secrets, ())
    bare = tmp_path / "app.git"
    git(tmp_path, "clone", "-q", "--bare", str(place.repo), str(bare))
    data = history_report(place, bare, tmp_path / "report.json")
    found = {(f["rule_id"], f["path"]) for f in data["findings"]}
    assert {("NW504", "lib/old-config.js"), ("NW505", "deploy/.env")} <= found
    assert not [n for n in data["notices"] if n["kind"] == "error"]


def test_a_corrupted_blob_is_skipped_with_a_notice_and_the_rest_is_scanned(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    place, blob = trapped(tmp_path, secrets, ())
    loose = loose_object(place.repo, blob)
    loose.chmod(0o644)
    loose.write_bytes(b"\x78\x9c not a zlib stream" + bytes(range(256)))
    data = history_report(place, place.repo, tmp_path / "report.json")
    assert ("NW505", "deploy/.env") in {(f["rule_id"], f["path"]) for f in data["findings"]}
    assert "NW504" not in {f["rule_id"] for f in data["findings"]}
    notices = " ".join(n["message"] for n in data["notices"])
    assert f"lib/old-config.js ({blob[:12]})" in notices and "corrupt" in notices


def test_a_corrupted_commit_or_tree_is_skipped_with_a_notice_and_the_rest_is_scanned(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    """Four commits, each adding a secret file: damaging the second commit (or the third one's tree) loses
    at most that commit's own file; the others, older and newer, are still found."""
    tokens = TokenFactory(seed=31)
    for damaged in ("commit", "tree"):
        place = Place(tmp_path / damaged)
        place.repo.mkdir(parents=True)
        git(place.repo, "init", "-q", "-b", "main")
        for number in range(1, 5):
            (place.repo / f"s{number}.js").write_text(f'exports.token = "{tokens.make("github-pat-classic")}";\n')
            git(place.repo, "add", "-A")
            git(place.repo, "commit", "-q", "-m", f"secret {number}")
        for number in range(1, 5):
            (place.repo / f"s{number}.js").unlink()
        git(place.repo, "commit", "-q", "-a", "-m", "remove them")
        target = git(place.repo, "rev-parse", "HEAD~3" if damaged == "commit" else "HEAD~2^{tree}").stdout.decode()
        loose = loose_object(place.repo, target.strip())
        loose.chmod(0o644)
        loose.write_bytes(b"garbage")
        data = history_report(place, place.repo, tmp_path / f"{damaged}.json")
        found = {f["path"] for f in data["findings"] if f["rule_id"] == "NW504"}
        lost = {"commit": "s2.js", "tree": "s3.js"}[damaged]
        assert found >= {"s1.js", "s2.js", "s3.js", "s4.js"} - {lost}, damaged
        notices = " ".join(n["message"] for n in data["notices"] if n["kind"] == "history")
        assert target.strip() in notices and "corrupt" in notices, damaged


# Repositories that reach outside themselves ------------------------------------------------------------


def outside_repository(base: Path, secret: str) -> Path:
    """Another repository beside the scanned one, whose history holds a secret nodeward must not report."""
    other = base / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    (other / "key.js").write_text(f'exports.key = "{secret}";\n')
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "other")
    return other


def reach_include(place: Place, outside: Path) -> Path:
    target = outside / "trap.config"
    target.write_text(f"[core]\n\tfsmonitor = {place.program('outside-include-fsmonitor')}\n")
    git(place.repo, "config", "include.path", str(target))
    return target


def reach_include_from_home(place: Place, outside: Path) -> Path:
    target = place.base / "home" / "trap.config"
    target.parent.mkdir(exist_ok=True)
    target.write_text("[core]\n\tquotePath = true\n")
    git(place.repo, "config", "includeIf.gitdir:/.path", "~/trap.config")
    return target


def reach_include_through_the_tree(place: Place, outside: Path) -> Path:
    target = outside / "trap.config"
    target.write_text("[core]\n\tquotePath = true\n")
    (place.repo / "tools").mkdir()
    (place.repo / "tools" / "git.config").write_text(f"[include]\n\tpath = {target}\n")
    git(place.repo, "config", "include.path", "../tools/git.config")
    return target


def reach_excludes_file(place: Place, outside: Path) -> Path:
    target = outside / "ignore"
    target.write_text(".env\n")
    git(place.repo, "config", "core.excludesFile", str(target))
    return target


def reach_alternates(place: Place, outside: Path) -> Path:
    other = outside_repository(outside, TokenFactory(seed=77).make("github-pat-classic"))
    alternates = place.repo / ".git" / "objects" / "info" / "alternates"
    alternates.write_text(f"{other / '.git' / 'objects'}\n")
    head = git(other, "rev-parse", "HEAD").stdout.decode().strip()
    git(place.repo, "update-ref", "refs/heads/borrowed", head)  # a ref to history only the other repository holds
    return other / ".git" / "objects" / "info"


def reach_config_link(place: Place, outside: Path) -> Path:
    config = place.repo / ".git" / "config"
    target = outside / "config"
    target.write_text(config.read_text())
    config.unlink()
    config.symlink_to(target)
    return target


def reach_planted_gitfile(place: Place, outside: Path) -> Path:
    """The tree's `.git` is a file naming another repository, which never named this tree."""
    other = outside_repository(outside, TokenFactory(seed=78).make("github-pat-classic"))
    shutil.rmtree(place.repo / ".git")
    (place.repo / ".git").write_text(f"gitdir: {other / '.git'}\n")
    return other / ".git" / "config"


REACHES = {
    "include.path": reach_include,
    "includeIf ~/": reach_include_from_home,
    "include through the tree": reach_include_through_the_tree,
    "core.excludesFile": reach_excludes_file,
    "alternates": reach_alternates,
    "config link": reach_config_link,
    "planted .git file": reach_planted_gitfile,
}


@pytest.mark.parametrize("reach", list(REACHES))
def test_a_repository_that_reaches_outside_itself_is_refused_before_git_runs(
    tmp_path: Path, secrets: tuple[str, str], reach: str
) -> None:
    place, _ = trapped(tmp_path, secrets, ())
    outside = tmp_path / "outside"
    outside.mkdir()
    target = REACHES[reach](place, outside)
    info = target.stat()
    os.utime(target, ns=(info.st_mtime_ns - 3_600 * 10**9, info.st_mtime_ns))  # any read now updates it
    accessed = target.stat().st_atime_ns
    out = tmp_path / "report.json"
    status, shown = nodeward(place, "scan", str(place.repo), "--history", "--format", "json", "--output", str(out))
    assert status in (0, 1), shown
    data = report(out)
    assert "nodeward does not let git read" in " ".join(n["message"] for n in data["notices"])
    assert {f["path"] for f in data["findings"] if f["rule_id"] == "NW504"} == set()  # no history read at all
    status, shown = nodeward(place, "scan", str(place.repo), "--diff", "HEAD", "--format", "json", "--output",
                             str(out))
    assert status in (0, 1), shown
    assert "every finding is reported" in " ".join(n["message"] for n in report(out)["notices"])
    assert ("NW101", "app.js", 5) in located(report(out))
    assert place.fired() == []
    assert target.stat().st_atime_ns == accessed, f"{target} was read"


def test_a_linked_worktree_is_its_repository_s_own(tmp_path: Path, secrets: tuple[str, str]) -> None:
    """The `.git` file of a real linked worktree names a repository outside the tree that names it back."""
    place, _ = trapped(tmp_path, secrets, ())
    linked = tmp_path / "linked"
    git(place.repo, "worktree", "add", "-q", str(linked), "HEAD")
    out = tmp_path / "report.json"
    status, shown = nodeward(place, "scan", str(linked), "--history", "--format", "json", "--output", str(out))
    assert status in (0, 1), shown
    data = report(out)
    assert ("NW504", "lib/old-config.js") in {(f["rule_id"], f["path"]) for f in data["findings"]}
    tracked_env = [f for f in data["findings"] if f["rule_id"] == "NW505" and f["path"] == ".env"]
    assert tracked_env and "is tracked by git" in tracked_env[0]["message"]


def make_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def test_a_fifo_in_the_repository_directory_is_refused_not_waited_for(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    """git opening a FIFO (the index, HEAD) would wait for a writer for good; nodeward refuses such a repository."""
    for name in ("index", "HEAD"):
        place, _ = trapped(tmp_path / name, secrets, ())
        make_fifo(place.repo / ".git" / name)
        out = tmp_path / f"{name}.json"
        status, shown = nodeward(place, "scan", str(place.repo), "--history", "--format", "json", "--output",
                                 str(out), timeout=240)
        assert status in (0, 1), shown
        notices = " ".join(n["message"] for n in report(out)["notices"])
        assert f".git/{name} is not a regular file" in notices, name


def test_a_fifo_in_place_of_an_object_is_skipped_and_the_rest_is_scanned(
    tmp_path: Path, secrets: tuple[str, str]
) -> None:
    place, blob = trapped(tmp_path, secrets, ())
    make_fifo(loose_object(place.repo, blob))
    data = history_report(place, place.repo, tmp_path / "report.json")
    assert ("NW505", "deploy/.env") in {(f["rule_id"], f["path"]) for f in data["findings"]}
    assert f"lib/old-config.js ({blob[:12]})" in " ".join(n["message"] for n in data["notices"])
