"""Worker processes that scan files under a time budget per file, and are replaced when they exceed it.

A file that takes longer than the budget gets the notice "analysis stopped: time budget" and no findings;
its worker is killed and a fresh one takes the next file, so the rest of the scan goes on. The budget is
enforced from the outside because a check inside the analysis could not stop a regular expression or a
C call that never returns. A worker that dies (a crash, the kernel's out-of-memory killer) costs the file
it was scanning a notice, not the scan.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from nodeward.findings import LIMIT_NOTICE, FileNotice
from nodeward.scanners import FileResult
from nodeward.scanners.worker import init_worker, scan_in_worker
from nodeward.sources.discover import SourceFile

#: Files sent ahead to each worker, so that it never waits for the parent between two files.
_PIPELINE = 2
#: Small files are sent further ahead, up to this many or this many bytes: a worker scans a tiny file in a
#: fraction of a millisecond, less than one round trip to the parent takes on a loaded machine, so with two
#: in flight a tree of 100,000 small files spent most of its time waiting (10,000 files: 27 s -> 13 s wall,
#: 8 s -> 5.5 s CPU in all). A worker that is replaced hands its unstarted files back, as before.
_PIPELINE_SMALL_FILES = 64
_PIPELINE_BYTES = 256 * 1024

ProgressCallback = Callable[[int, int], None]


def time_budget_notice(path: str, budget: float) -> FileNotice:
    return FileNotice(path, LIMIT_NOTICE, f"analysis stopped: time budget of {budget:g} s exceeded "
                                          "(--file-timeout); no findings reported for this file")


def _serve(connection: Connection, scanner_names: frozenset[str], selected_rules: frozenset[str] | None) -> None:
    """A worker's life: announce readiness, then scan the (index, file) pairs of each batch received until
    told to stop, sending each result as soon as it is there (the parent times every file)."""
    try:
        init_worker(scanner_names, selected_rules)
        connection.send(None)
        while (batch := connection.recv()) is not None:
            for index, file in batch:
                result = scan_in_worker(file)
                try:
                    connection.send((index, result))
                except (RecursionError, ValueError, TypeError) as error:  # a result that cannot be pickled
                    connection.send((index, FileResult(notices=[FileNotice(
                        file.display_path, "error", f"internal error: result not transferable: {error}")],
                        scanned=False)))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass  # the parent is gone or stopping the scan


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    assigned: deque[int] = field(default_factory=deque)  # files sent; the first one is being scanned
    assigned_bytes: int = 0  # their size
    deadline: float = math.inf  # when the file being scanned runs out of budget

    def stop(self, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.connection.send(None)
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class BudgetedPool:
    """Scans files in `jobs` worker processes, each file within `budget` seconds of wall-clock time."""

    def __init__(self, jobs: int, budget: float | None, scanner_names: frozenset[str],
                 selected_rules: frozenset[str] | None) -> None:
        self.jobs = max(1, jobs)
        self.budget = budget if budget and budget > 0 else math.inf
        self.initargs = (scanner_names, selected_rules)
        self.context = multiprocessing.get_context()

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child_end, *self.initargs), daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def run(self, files: Sequence[SourceFile], progress: ProgressCallback | None = None) -> list[FileResult]:
        """One result per file, in the order of `files`."""
        # Larger files first, so that one big file does not finish last on an otherwise idle pool.
        pending = deque(sorted(range(len(files)), key=lambda i: -files[i].size))
        results: list[FileResult | None] = [None] * len(files)
        done = 0

        def finish(worker: _Worker, result: FileResult) -> None:
            nonlocal done
            index = worker.assigned.popleft()
            worker.assigned_bytes -= files[index].size
            results[index] = result
            worker.deadline = time.monotonic() + self.budget  # the next file starts now
            done += 1
            if progress:
                progress(done, len(files))

        workers = [self._start() for _ in range(min(self.jobs, len(files)))]
        try:
            while done < len(files):
                for worker in workers:
                    batch = []  # one message for all: fewer system calls and wake-ups on both sides
                    while pending and self._wants_more(worker):
                        index = pending.popleft()
                        batch.append((index, files[index]))
                        worker.assigned.append(index)
                        worker.assigned_bytes += files[index].size
                    if batch:
                        worker.connection.send(batch)
                busy = [w for w in workers if w.assigned]
                timeout = min(w.deadline for w in busy) - time.monotonic()
                ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                                 None if math.isinf(timeout) else max(0.0, timeout)))
                for position, worker in enumerate(workers):
                    if not worker.assigned:
                        continue
                    ended = False
                    if worker.connection in ready or worker.process.sentinel in ready:
                        ended = self._receive(worker, finish)
                    if not ended and worker.assigned and time.monotonic() >= worker.deadline:
                        path = files[worker.assigned[0]].display_path
                        finish(worker, FileResult(notices=[time_budget_notice(path, self.budget)], scanned=False))
                        ended = True
                        worker.process.kill()
                    elif ended and worker.assigned:
                        path = files[worker.assigned[0]].display_path
                        code = worker.process.exitcode
                        finish(worker, FileResult(notices=[FileNotice(
                            path, "error", f"analysis stopped: the worker process ended unexpectedly "
                                           f"(exit code {code}); no findings reported for this file")],
                            scanned=False))
                    if ended:
                        pending.extendleft(reversed(worker.assigned))  # sent but not started: to another worker
                        worker.assigned.clear()
                        worker.assigned_bytes = 0
                        worker.stop(kill=True)
                        workers[position] = self._start()
        finally:
            for worker in workers:
                worker.stop(kill=bool(worker.assigned))
        return [r if r is not None else FileResult(scanned=False) for r in results]

    @staticmethod
    def _wants_more(worker: _Worker) -> bool:
        if len(worker.assigned) < _PIPELINE:
            return True
        return len(worker.assigned) < _PIPELINE_SMALL_FILES and worker.assigned_bytes < _PIPELINE_BYTES

    def _receive(self, worker: _Worker, finish: Callable[[_Worker, FileResult], None]) -> bool:
        """Take every message the worker has sent; True when it has ended."""
        try:
            while worker.connection.poll():
                message = worker.connection.recv()
                if message is None:  # started: the budget of its first file counts from now
                    worker.deadline = time.monotonic() + self.budget
                else:
                    finish(worker, message[1])
        except (EOFError, OSError):
            return True
        return not worker.process.is_alive()
