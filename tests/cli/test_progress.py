"""The progress line: the phases of a scan as they start, and an estimate that does not jump."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

from nodeward.cli.progress import SteadyEstimate, describe_left
from nodeward.scan import ScanOptions, run_scan


class Recorder:
    def __init__(self) -> None:
        self.phases: list[str] = []
        self.files_seen: list[tuple[int, int, int, int]] = []

    def phase(self, name: str) -> None:
        self.phases.append(name)

    def files(self, done: int, total: int, bytes_done: int, bytes_total: int) -> None:
        self.files_seen.append((done, total, bytes_done, bytes_total))


def test_a_scan_announces_each_phase_and_counts_files_and_bytes(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text('const cp = require("child_process");\ncp.exec(process.argv[2]);\n')
    (tmp_path / "lib.js").write_text("module.exports = (x) => x;\n")
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    recorder = Recorder()
    run_scan([tmp_path], ScanOptions(jobs=1, history=True), recorder)
    assert recorder.phases == ["files", "cross-file flows", "dependencies", "configuration", "published files",
                               "history"]
    done, total, bytes_done, bytes_total = recorder.files_seen[-1]
    assert done == total == 3 and bytes_done == bytes_total > 0  # app.js, lib.js, package.json
    assert [seen[0] for seen in recorder.files_seen] == sorted(seen[0] for seen in recorder.files_seen)


def test_the_estimate_moves_gradually_when_one_file_is_slow() -> None:
    """A steady 100 bytes/s, then one file that takes 20 s, then the rest at the same rate again."""
    estimate = SteadyEstimate(started=0.0)
    shown: list[float] = []
    for second in range(1, 31):
        done = 100 * second
        left = estimate.update(done, 6000, float(second))
        if left is not None:
            shown.append(left)
    estimate_before = shown[-1]  # 3,000 bytes done in 30 s: 30 s left
    assert 25 <= estimate_before <= 35
    after_slow_file = estimate.update(3100, 6000, 51.0)  # 20 s for 100 bytes
    assert after_slow_file is not None
    # the plain estimate would be 51 / 3100 * 2900 = 47.7 s: the shown one moves only part of the way
    assert after_slow_file < estimate_before + 0.25 * (47.7 - estimate_before) + 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(shown))


def test_no_estimate_before_there_is_something_to_go_on() -> None:
    estimate = SteadyEstimate(started=0.0)
    assert estimate.update(10, 10_000, 1.0) is None  # 0.1 % after a second
    assert describe_left(None) == ""
    assert describe_left(83.0) == ", about 1:25 left" and describe_left(4.2) == ", about 0:05 left"
