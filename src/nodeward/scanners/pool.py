"""Worker processes that scan files under a time budget per file, and are replaced when they exceed it.

A file that takes longer than the budget gets the notice "analysis stopped: time budget" and no findings;
its worker is killed and a fresh one takes the next file, so the rest of the scan goes on. The budget is
enforced from the outside because a check inside the analysis could not stop a regular expression or a
C call that never returns. A worker that dies (a crash, the kernel's out-of-memory killer) costs the file
it was scanning a notice, not the scan.

The per-file cost of the exchange matters as much as the scanning for a tree of many small files (a
one-line file takes a worker well under a millisecond), so the exchange is kept lean: workers receive the
list of files once, when they start, and are then sent file numbers in batches; they send their results
back in batches too; and each worker shows in shared memory which file it is scanning since when, so the
parent times every file without a message per file.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import pickle
import selectors
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

from nodeward.findings import LIMIT_NOTICE, FileNotice
from nodeward.scanners import FileResult
from nodeward.scanners.worker import init_worker, scan_in_worker
from nodeward.sources.discover import SourceFile

#: Files sent ahead to each worker, so that it never waits for the parent between two files.
_PIPELINE = 2
#: Small files are sent further ahead, up to this many or this many bytes: a worker scans a tiny file in a
#: fraction of a millisecond, less than one round trip to the parent takes on a loaded machine. A worker is
#: topped up only once it has worked through half of that, so that each message carries many files.
_PIPELINE_SMALL_FILES = 128
_PIPELINE_BYTES = 512 * 1024
#: A worker sends the results it holds once this many seconds have passed since it last sent, and whenever it
#: has no more files: results of files scanned before one that gets stuck are then at most this old (they are
#: scanned again by another worker).
_SEND_INTERVAL = 0.02
#: What a worker's "started" slot holds between two files.
_BETWEEN_FILES = 0.0

#: Told how many files, and how many of their bytes, are done.
FilesDone = Callable[[int, int], None]
_T = TypeVar("_T")


class _Shared(Protocol[_T]):
    """A value in memory shared with a worker (a `RawValue`)."""

    value: _T


def time_budget_notice(path: str, budget: float) -> FileNotice:
    return FileNotice(path, LIMIT_NOTICE, f"analysis stopped: time budget of {budget:g} s exceeded "
                                          "(--file-timeout); no findings reported for this file")


def _serve(connection: Connection, files: Sequence[SourceFile], current: _Shared[int],
           started: _Shared[float], scanner_names: frozenset[str],
           selected_rules: frozenset[str] | None) -> None:
    """A worker's life: scan the files whose numbers it receives until told to stop, showing in `current` and
    `started` which file it scans since when (the parent times every file), and sending results in batches."""
    try:
        init_worker(scanner_names, selected_rules)
        results: list[tuple[int, FileResult]] = []
        last_sent = time.monotonic()
        while (batch := connection.recv()) is not None:
            for position, index in enumerate(batch):
                # "between files" first: the parent never sees a new number beside an old start time
                started.value = _BETWEEN_FILES
                current.value = index
                started.value = time.monotonic()
                results.append((index, scan_in_worker(files[index])))
                started.value = _BETWEEN_FILES
                last_of_batch = position == len(batch) - 1
                if time.monotonic() - last_sent >= _SEND_INTERVAL or (last_of_batch and not connection.poll()):
                    _send_results(connection, results, files)
                    results = []
                    last_sent = time.monotonic()
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass  # the parent is gone or stopping the scan


_UNPICKLABLE = (RecursionError, ValueError, TypeError, pickle.PicklingError)


def _send_results(connection: Connection, results: list[tuple[int, FileResult]], files: Sequence[SourceFile]) -> None:
    try:
        connection.send(results)
    except _UNPICKLABLE:  # a result that cannot be pickled: find which, one by one
        for index, result in results:
            try:
                connection.send([(index, result)])
            except _UNPICKLABLE as error:
                connection.send([(index, FileResult(notices=[FileNotice(
                    files[index].display_path, "error", f"internal error: result not transferable: {error}")],
                    scanned=False))])


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection
    current: _Shared[int]  # the number of the file it scans (or scanned last)
    started: _Shared[float]  # when it started that file (monotonic clock); _BETWEEN_FILES otherwise
    assigned: dict[int, None] = field(default_factory=dict)  # files sent and not done, in the order sent
    assigned_bytes: int = 0  # their size

    def stuck_since(self) -> float | None:
        """When the worker started the file it is still scanning; None between files."""
        first = self.started.value
        index = self.current.value
        if first == _BETWEEN_FILES or self.started.value != first or index not in self.assigned:
            return None
        return first

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

    def _start(self, files: Sequence[SourceFile]) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        current: Any = self.context.RawValue("q", -1)
        started: Any = self.context.RawValue("d", _BETWEEN_FILES)
        # The list of files travels once per worker (nothing to copy where processes are forked).
        process = self.context.Process(target=_serve, args=(child_end, files, current, started, *self.initargs),
                                       daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end, current, started)

    def run(self, files: Sequence[SourceFile], progress: FilesDone | None = None) -> list[FileResult]:
        """One result per file, in the order of `files`."""
        # Larger files first, so that one big file does not finish last on an otherwise idle pool.
        pending = deque(sorted(range(len(files)), key=lambda i: -files[i].size))
        results: list[FileResult | None] = [None] * len(files)
        done = done_bytes = 0

        def finish(worker: _Worker, index: int, result: FileResult) -> None:
            nonlocal done, done_bytes
            if index not in worker.assigned:  # given to another worker since
                return
            del worker.assigned[index]
            worker.assigned_bytes -= files[index].size
            results[index] = result
            done += 1
            done_bytes += files[index].size

        selector = selectors.DefaultSelector()

        def start() -> _Worker:
            worker = self._start(files)
            selector.register(worker.connection, selectors.EVENT_READ, worker)
            selector.register(worker.process.sentinel, selectors.EVENT_READ, worker)
            return worker

        workers = [start() for _ in range(min(self.jobs, len(files)))]
        try:
            while done < len(files):
                for worker in workers:
                    if pending and self._needs_files(worker):
                        batch = []  # one message for many files: fewer system calls and wake-ups on both sides
                        while pending and self._wants_more(worker):
                            index = pending.popleft()
                            batch.append(index)
                            worker.assigned[index] = None
                            worker.assigned_bytes += files[index].size
                        with contextlib.suppress(OSError):  # a worker that ended: seen below, files handed back
                            worker.connection.send(batch)
                timeout = min((self._deadline(w) for w in workers if w.assigned), default=math.inf) - time.monotonic()
                ready = {key.data for key, _ in selector.select(None if math.isinf(timeout) else max(0.0, timeout))}
                for position, worker in enumerate(workers):
                    ended = worker in ready and self._receive(worker, finish)
                    if not ended:
                        if not worker.assigned:
                            continue
                        since = worker.stuck_since()
                        if since is None or time.monotonic() - since < self.budget:
                            continue
                        worker.process.kill()
                        index = worker.current.value
                        finish(worker, index, FileResult(notices=[time_budget_notice(files[index].display_path,
                                                                                     self.budget)], scanned=False))
                    elif worker.assigned:
                        # the file it was scanning, or sending the result of, when it ended
                        index = worker.current.value
                        if index not in worker.assigned:
                            index = next(iter(worker.assigned))
                        code = worker.process.exitcode
                        finish(worker, index, FileResult(notices=[FileNotice(
                            files[index].display_path, "error",
                            f"analysis stopped: the worker process ended unexpectedly (exit code {code}); "
                            "no findings reported for this file")], scanned=False))
                    # sent but not started, or scanned but not sent: to another worker
                    pending.extendleft(reversed(worker.assigned))
                    worker.assigned.clear()
                    worker.assigned_bytes = 0
                    selector.unregister(worker.connection)
                    selector.unregister(worker.process.sentinel)
                    worker.stop(kill=True)
                    workers[position] = start()
                if progress:
                    progress(done, done_bytes)
        finally:
            selector.close()
            for worker in workers:
                worker.stop(kill=bool(worker.assigned))
        return [r if r is not None else FileResult(scanned=False) for r in results]

    def _deadline(self, worker: _Worker) -> float:
        since = worker.stuck_since()
        # between two files: look again within a budget, by when it has started the next one or sent
        return (since if since is not None else time.monotonic()) + self.budget

    @staticmethod
    def _needs_files(worker: _Worker) -> bool:
        if len(worker.assigned) < _PIPELINE:
            return True
        return len(worker.assigned) <= _PIPELINE_SMALL_FILES // 2 and worker.assigned_bytes < _PIPELINE_BYTES // 2

    @staticmethod
    def _wants_more(worker: _Worker) -> bool:
        if len(worker.assigned) < _PIPELINE:
            return True
        return len(worker.assigned) < _PIPELINE_SMALL_FILES and worker.assigned_bytes < _PIPELINE_BYTES

    def _receive(self, worker: _Worker, finish: Callable[[_Worker, int, FileResult], None]) -> bool:
        """Take every message the worker has sent; True when it has ended."""
        try:
            while worker.connection.poll():
                for index, result in worker.connection.recv():
                    finish(worker, index, result)
        except (EOFError, OSError):
            return True
        return not worker.process.is_alive()
