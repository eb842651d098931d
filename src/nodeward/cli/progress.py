"""The progress line of `scan` on stderr: the phase the scan is in, and in the files phase a steady estimate.

The estimate is by bytes, not files (workers take the largest files first, so early files are slower than
the rest), from the average rate since the phase began, and the time shown moves towards a new estimate
gradually: one slow file does not make it jump from 0:22 to 1:28.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

#: Nothing is shown for scans shorter than this.
SHOW_AFTER = 0.5
#: No estimate before this share of the bytes is done and this many seconds have passed.
_FIRST_ESTIMATE_SHARE, _FIRST_ESTIMATE_SECONDS = 0.03, 2.0
#: How far each update moves the estimated end towards the new estimate.
_SMOOTHING = 0.2


@dataclass
class SteadyEstimate:
    """Seconds left in a phase, from bytes done at given times; ``now`` is passed in, so that it can be tested."""

    started: float
    end: float | None = None  # the estimated end, smoothed

    def update(self, bytes_done: int, bytes_total: int, now: float) -> float | None:
        elapsed = now - self.started
        if bytes_total <= 0 or bytes_done >= bytes_total:
            return 0.0 if bytes_total > 0 else None
        if bytes_done < bytes_total * _FIRST_ESTIMATE_SHARE or elapsed < _FIRST_ESTIMATE_SECONDS:
            return None
        estimated_end = now + elapsed / bytes_done * (bytes_total - bytes_done)
        self.end = estimated_end if self.end is None else self.end + _SMOOTHING * (estimated_end - self.end)
        return max(self.end - now, 0.0)


def describe_left(seconds: float | None) -> str:
    if seconds is None:
        return ""
    rounded = int(seconds + 4) // 5 * 5 if seconds >= 10 else int(seconds + 0.999)
    return f", about {rounded // 60}:{rounded % 60:02d} left"


@dataclass
class ScanProgressLine:
    """Implements nodeward.scan.ScanProgress on a terminal; ``enabled`` False makes it silent."""

    enabled: bool
    started: float = field(default_factory=time.monotonic)
    current: str = ""
    estimate: SteadyEstimate | None = None
    progress: Any = None  # rich.progress.Progress, imported only when shown
    task: Any = None

    def phase(self, name: str) -> None:
        self.current = name
        self.estimate = SteadyEstimate(time.monotonic()) if name == "files" else None
        if self._shown():
            self.progress.update(self.task, description=name, total=None, completed=0, detail="")

    def files(self, done: int, total: int, bytes_done: int, bytes_total: int) -> None:
        if not self._shown():
            return
        left = self.estimate.update(bytes_done, bytes_total, time.monotonic()) if self.estimate else None
        self.progress.update(self.task, description="files", total=total, completed=done,
                             detail=f"{done:,}/{total:,}{describe_left(left)}")

    def _shown(self) -> bool:
        if not self.enabled:
            return False
        if self.progress is None:
            if time.monotonic() - self.started < SHOW_AFTER:
                return False
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.current or "scanning", total=None, detail="")
        return True

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
