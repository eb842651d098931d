"""A git command that stops answering (a hung file system, an object store that never replies) is stopped
after GIT_STALL_LIMIT seconds without output, with a notice, and the scan goes on without what it would
have said."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from nodeward import git as nodeward_git
from nodeward.git import GitStalled, find_repository
from nodeward.scan import ScanOptions, run_scan
from tests.secrets.tokens import TokenFactory

STALL_LIMIT = 0.5


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", "-C", str(path), "-c", "user.name=T", "-c", "user.email=t@users.invalid",
                        "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)
    return path


def test_a_stream_waiting_for_git_longer_than_the_limit_is_stopped(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nodeward_git, "GIT_STALL_LIMIT", STALL_LIMIT)
    repository = find_repository(make_repo(tmp_path / "repo", {"a.txt": "a\n"}))
    # `cat-file --batch` answers only what it is asked: asked nothing and never told the questions are over,
    # it stays silent for good, as a stuck git would.
    stream = repository.stream("cat-file", "--batch")
    answers: list[bytes] = []
    reader = threading.Thread(target=lambda: answers.append(stream.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)  # a generous bound: without the watchdog the read never returns
    assert answers == [b""]
    with pytest.raises(GitStalled, match=r"git cat-file gave no output for 0\.5 s and was stopped"):
        stream.finish()


def test_a_history_scan_whose_git_stalls_ends_with_a_notice_and_the_tree_is_still_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = TokenFactory(seed=7).make("github-pat-classic")
    repo = make_repo(tmp_path / "repo", {"config.js": f'module.exports = {{ token: "{token}" }};\n'})
    monkeypatch.setattr(nodeward_git, "GIT_STALL_LIMIT", STALL_LIMIT)
    real_command = nodeward_git.git_command

    def stuck_history_walk(args: Sequence[str], *, bare_allowed: bool = True) -> list[str]:
        if args[0] == "rev-list":
            return ["sleep", "600"]  # a walk of the history that never says a word
        return real_command(args, bare_allowed=bare_allowed)

    monkeypatch.setattr(nodeward_git, "git_command", stuck_history_walk)
    result = run_scan([repo], ScanOptions(history=True, jobs=1, file_timeout=0)).result
    assert [(f.rule_id, f.path) for f in result.findings if f.rule_id.startswith("NW5")] == [("NW501", "config.js")]
    stalls = [n for n in result.notices if "gave no output" in n.message]
    assert len(stalls) == 1 and stalls[0].kind == "error"
    assert "git rev-list gave no output for 0.5 s and was stopped" in stalls[0].message
