#!/usr/bin/env python3
"""Benchmark nodeward's speed and memory against ESLint with eslint-plugin-security, in one run.

The machine this runs on is shared and noisy, so absolute figures from different runs are not
comparable. What this script reports is meant to be read as ratios between tools measured in the
same run, on the same files, with repetitions interleaved so that a busy period hits both tools.

Steps:
1. Make sure the pinned corpus is in bench/corpus (fetching it with fetch_corpus.py if not) and
   that the pinned ESLint and eslint-plugin-security are in bench/node_modules.
2. Warm-up, not timed: nodeward on the full corpus (for its summary), then nodeward restricted
   to JavaScript files. The file list ESLint gets is rebuilt from the latter and checked against
   nodeward's own counts, so both tools read exactly the same files.
3. ``--repeat`` rounds; in each, for each worker count N (1 and the number of cores by default):
   nodeward on the full corpus, nodeward on the JavaScript files (skipped when that is the same
   file set), and ESLint on the JavaScript files with ``--concurrency N``. The order of the tools
   alternates between rounds.
4. A table of medians, the nodeward/ESLint ratios, and the 40,000 lines/s/core budget check. The
   raw measurements go to bench/results/ as JSON.

Each process is timed from spawn to exit (wall clock). Memory is reported two ways: the peak of
the summed RSS of the process tree, polled from /proc every 20 ms (it counts pages shared between
forked workers once per process, so it overstates a forking tool a little), and the largest
single process's peak RSS as the kernel reports it for the reaped tree (os.wait4's ru_maxrss). CPU
time is the user+system time of the tree from the same rusage.

Usage: python bench/run.py [--repeat 3] [--jobs N ...] [--no-eslint]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("NODEWARD_OFFLINE", "1")  # measurements never wait for an advisory download
BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_CORPUS = BENCH_DIR / "corpus"
RESULTS_DIR = BENCH_DIR / "results"
ESLINT_CONFIG = BENCH_DIR / "eslint.config.mjs"

sys.path.insert(0, str(BENCH_DIR))
import fetch_corpus  # noqa: E402  (a sibling script, not a package)

ESLINT_VERSION = "9.39.2"
ESLINT_PLUGIN_SECURITY_VERSION = "3.0.1"
#: The budget from the performance issue, per core, full corpus, all rules on.
BUDGET_LINES_PER_SECOND_PER_CORE = 40_000
#: Issue 12's targets: lines per CPU-second against ESLint's on the same files, start-up wall times (medians).
TARGET_CPU_RATIO = 2.0
TARGET_VERSION_SECONDS = 0.3
TARGET_ONE_FILE_SECONDS = 0.8
STARTUP_REPEAT = 10
#: The project of the one-file start-up measurement: a handler that runs a shell command from the request.
ONE_FILE_APP = 'const { exec } = require("child_process");\nmodule.exports = (req, res) => exec(req.query.cmd);\n'
#: Extensions ESLint parses with the bench config; the same-files comparison uses only these.
JS_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx")
JS_INCLUDE_PATTERNS = tuple(f"*{ext}" for ext in JS_EXTENSIONS)
POLL_INTERVAL = 0.020
#: Every this many polls the whole of /proc is searched, not only processes newer than the root.
FULL_SCAN_EVERY = 25
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


# ----------------------------------------------------------------------------------------------
# Measuring one process tree


class TreeSampler(threading.Thread):
    """Polls /proc for the summed RSS of a process and all its descendants, keeping the peak."""

    def __init__(self, root: int, interval: float = POLL_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        polls = 0
        while not self._stop_event.is_set():
            tree = self._tree(full=polls % FULL_SCAN_EVERY == 0)
            polls += 1
            total = 0
            for pid in tree:
                total += _rss_bytes(pid)
            if total:
                self.samples += 1
                self.peak_rss = max(self.peak_rss, total)
                self.peak_processes = max(self.peak_processes, len(tree))
            self._stop_event.wait(self.interval)

    def _tree(self, *, full: bool) -> list[int]:
        """The root and its descendants now alive.

        PIDs grow (until they wrap), so descendants are searched among PIDs above the root's,
        except on every FULL_SCAN_EVERY-th poll, which reads them all.
        """
        parents: dict[int, list[int]] = {}
        try:
            with os.scandir("/proc") as entries:
                for entry in entries:
                    name = entry.name
                    if not name.isdigit():
                        continue
                    pid = int(name)
                    if pid <= self.root and not full:
                        continue
                    ppid = _parent_pid(pid)
                    if ppid is not None:
                        parents.setdefault(ppid, []).append(pid)
        except OSError:
            return [self.root]
        tree = [self.root]
        index = 0
        while index < len(tree):
            tree.extend(parents.get(tree[index], ()))
            index += 1
        return tree


def _parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces and parentheses.
    fields = data[data.rfind(b")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 else None


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Measurement:
    """One timed run of one command."""

    wall_seconds: float
    cpu_seconds: float  # user + system of the process and the children it reaped
    tree_rss_peak_bytes: int  # polled, summed over the live process tree
    max_process_rss_bytes: int  # the kernel's ru_maxrss: the largest single process of the tree
    processes_peak: int
    samples: int
    returncode: int
    load_average: float  # the machine's 1-minute load average when the run started


def measure(
    command: Sequence[str], *, cwd: Path, stdout: Path, stderr: Path, env: dict[str, str] | None = None
) -> Measurement:
    """Run ``command`` to completion and measure it."""
    load_average = os.getloadavg()[0]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            wall = time.perf_counter() - start
            sampler.stop()
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        tree_rss_peak_bytes=sampler.peak_rss,
        max_process_rss_bytes=usage.ru_maxrss * 1024,  # KiB on Linux
        processes_peak=sampler.peak_processes,
        samples=sampler.samples,
        returncode=process.returncode,
        load_average=load_average,
    )


# ----------------------------------------------------------------------------------------------
# The tools


@dataclass
class RunOutput:
    """What a tool reported, besides timings."""

    files: int
    lines: int
    findings: int
    parse_errors: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Nodeward:
    """How to start nodeward: a command prefix and its environment."""

    def __init__(self, prefix: list[str], env: dict[str, str] | None, source: str, corpus: Path, scratch: Path) -> None:
        self.prefix = prefix
        self.env = env
        self.source = source  # what code is measured, for the report
        self.corpus = corpus
        self.scratch = scratch

    def command(self, jobs: int, include: Sequence[str]) -> list[str]:
        command = [*self.prefix, "scan", str(self.corpus), "--format", "json", "--no-progress", "--no-cache", "-j",
                   str(jobs)]
        for pattern in include:
            command += ["--include", pattern]
        return command

    def run(self, jobs: int, include: Sequence[str] = ()) -> tuple[Measurement, RunOutput, dict[str, Any]]:
        stdout, stderr = self.scratch / "nodeward.json", self.scratch / "nodeward.err"
        measurement = measure(self.command(jobs, include), cwd=REPO_ROOT, stdout=stdout, stderr=stderr, env=self.env)
        if measurement.returncode not in (0, 1):  # 1: findings at or above --fail-on
            raise BenchError(
                f"nodeward exited with {measurement.returncode}:\n{stderr.read_text(errors='replace')[-2000:]}"
            )
        report = json.loads(stdout.read_text(encoding="utf-8"))
        summary = report["summary"]
        by_rule = Counter(finding["rule_id"] for finding in report["findings"])
        output = RunOutput(
            files=summary["files_scanned"],
            lines=summary["lines_scanned"],
            findings=summary["findings"],
            by_rule=dict(sorted(by_rule.items())),
        )
        return measurement, output, report

    def version(self) -> str:
        completed = subprocess.run(
            [*self.prefix, "--version"], capture_output=True, text=True, check=False, env=self.env
        )
        match = re.search(r"version (\S+)", completed.stdout)
        return match.group(1) if match else completed.stdout.strip()

    def rule_count(self) -> int | None:
        completed = subprocess.run([*self.prefix, "rules"], capture_output=True, text=True, check=False, env=self.env)
        ids = set(re.findall(r"\bNW\d{3}\b", completed.stdout))
        return len(ids) or None


class Eslint:
    def __init__(self, files: Sequence[str], scratch: Path) -> None:
        self.files = list(files)  # relative to BENCH_DIR
        self.scratch = scratch
        self.binary = BENCH_DIR / "node_modules" / "eslint" / "bin" / "eslint.js"
        self.node = shutil.which("node") or "node"
        help_text = subprocess.run(
            [self.node, str(self.binary), "--help"], capture_output=True, text=True, check=False
        ).stdout
        self.has_concurrency = "--concurrency" in help_text

    def command(self, jobs: int, output: Path) -> list[str]:
        command = [self.node, str(self.binary), "--config", str(ESLINT_CONFIG), "--no-inline-config"]
        command += ["--no-warn-ignored", "--format", "json", "--output-file", str(output)]
        if self.has_concurrency:
            command += ["--concurrency", "off" if jobs <= 1 else str(jobs)]
        return command + self.files

    def run(self, jobs: int, lines: int) -> tuple[Measurement, RunOutput]:
        output_path = self.scratch / "eslint.json"
        stdout, stderr = self.scratch / "eslint.out", self.scratch / "eslint.err"
        output_path.unlink(missing_ok=True)
        measurement = measure(self.command(jobs, output_path), cwd=BENCH_DIR, stdout=stdout, stderr=stderr)
        error_text = stderr.read_text(errors="replace")
        if measurement.returncode not in (0, 1) or not output_path.exists():  # 1: errors, e.g. parse errors
            raise BenchError(f"eslint exited with {measurement.returncode}:\n{error_text[-2000:]}")
        results = json.loads(output_path.read_text(encoding="utf-8"))
        parse_errors = sum(1 for result in results for message in result["messages"] if message.get("fatal"))
        by_rule = Counter(
            message.get("ruleId") or "?"
            for result in results
            for message in result["messages"]
            if not message.get("fatal")
        )
        notes = [line.strip() for line in error_text.splitlines() if "Warning" in line]
        if len(results) != len(self.files):
            notes.append(f"ESLint reported on {len(results)} of the {len(self.files)} files it was given")
        output = RunOutput(
            files=len(results),
            lines=lines,
            findings=sum(by_rule.values()),
            parse_errors=parse_errors,
            by_rule=dict(sorted(by_rule.items())),
            notes=notes,
        )
        return measurement, output


def ensure_eslint(*, verbose: bool = True) -> None:
    """Install the pinned ESLint and eslint-plugin-security into bench/node_modules if needed."""
    wanted = {"eslint": ESLINT_VERSION, "eslint-plugin-security": ESLINT_PLUGIN_SECURITY_VERSION}
    installed: dict[str, str | None] = {}
    for name in wanted:
        try:
            manifest = json.loads((BENCH_DIR / "node_modules" / name / "package.json").read_text(encoding="utf-8"))
            installed[name] = manifest.get("version")
        except (OSError, ValueError):
            installed[name] = None
    if installed == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("npm is not on PATH; it is needed to install ESLint (or pass --no-eslint)")
    specs = [f"{name}@{version}" for name, version in wanted.items()]
    if verbose:
        print(f"installing {' '.join(specs)} into {BENCH_DIR / 'node_modules'}", file=sys.stderr)
    command = [npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", str(BENCH_DIR)]
    completed = subprocess.run(command + specs, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"npm install failed:\n{completed.stderr[-2000:]}")


# ----------------------------------------------------------------------------------------------
# Start-up, parallel scaling and memory growth (issue 12)


def measure_startup(nodeward: Nodeward, scratch: Path, repeat: int = STARTUP_REPEAT) -> dict[str, Any]:
    """Medians of `repeat` runs of `nodeward --version` and of a scan of a one-file project, wall and CPU.

    They run one after another, so a busy spell of the machine shows in the spread; the load average at
    their start is reported with them.
    """
    project = scratch / "one-file"
    project.mkdir(exist_ok=True)
    (project / "app.js").write_text(ONE_FILE_APP, encoding="utf-8")
    commands = {
        "version": [*nodeward.prefix, "--version"],
        "one_file_scan": [*nodeward.prefix, "scan", str(project), "--format", "json", "--no-progress", "--no-cache"],
    }
    results: dict[str, Any] = {"repeat": repeat, "load_average": os.getloadavg()[0]}
    for name, command in commands.items():
        runs: list[Measurement] = []
        for _ in range(repeat + 1):  # the first run fills caches and is not counted
            runs.append(measure(command, cwd=scratch, stdout=scratch / "startup.out", stderr=scratch / "startup.err",
                                env=nodeward.env))
        if any(m.returncode not in (0, 1) for m in runs):
            raise BenchError(f"{' '.join(command)} failed: {(scratch / 'startup.err').read_text(errors='replace')}")
        walls = [m.wall_seconds for m in runs[1:]]
        results[name] = {
            "median_seconds": statistics.median(walls),
            "fastest_seconds": min(walls),
            "slowest_seconds": max(walls),
            "median_cpu_seconds": statistics.median(m.cpu_seconds for m in runs[1:]),
        }
    return results


def doubled_corpus(corpus: Path, scratch: Path) -> Path:
    """The corpus twice, as two directories of hard links (a copy would cost the disk space; where the scratch
    directory is on another file system, files are copied)."""
    doubled = scratch / "corpus-2x"
    for copy in ("first", "second"):
        shutil.copytree(corpus, doubled / copy, copy_function=_link_or_copy, dirs_exist_ok=True)
    return doubled


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def measure_memory_growth(nodeward: Nodeward, scratch: Path, one_x: Series) -> dict[str, Any]:
    """Peak memory of a full scan at -j 1 of the corpus twice over, against the same scan of the corpus once:
    memory that grows no more than linearly gives a ratio of at most 2."""
    doubled = Nodeward(nodeward.prefix, nodeward.env, nodeward.source, doubled_corpus(nodeward.corpus, scratch),
                       scratch)
    measurement, output, _ = doubled.run(1)
    return {
        "lines_1x": one_x.output.lines,
        "lines_2x": output.lines,
        "tree_rss_1x": one_x.median("tree_rss_peak_bytes"),
        "tree_rss_2x": measurement.tree_rss_peak_bytes,
        "max_process_rss_1x": one_x.median("max_process_rss_bytes"),
        "max_process_rss_2x": measurement.max_process_rss_bytes,
        "cpu_seconds_1x": one_x.median("cpu_seconds"),
        "cpu_seconds_2x": measurement.cpu_seconds,
    }


def scaling(series: dict[tuple[str, str, int], Series]) -> list[dict[str, Any]]:
    """nodeward's full scan at -j N against -j 1: the wall-clock speed-up, its share of the ideal N, and the CPU
    time N workers spend against one (what parallelism costs: start-up of the workers, results sent back)."""
    one = series.get(("nodeward", "full corpus", 1))
    if one is None:
        return []
    return [
        {
            "jobs": jobs,
            "speedup": one.seconds / s.seconds,
            "efficiency": one.seconds / s.seconds / jobs,
            "cpu_ratio": s.median("cpu_seconds") / one.median("cpu_seconds"),
        }
        for (tool, file_set, jobs), s in sorted(series.items(), key=lambda item: item[0][2])
        if tool == "nodeward" and file_set == "full corpus" and jobs > 1
    ]


def render_startup_and_scaling(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    cpu_ratios = [r for r in results["ratios_same_jobs"] if r["jobs"] == 1]
    for ratio in cpu_ratios:
        out.append(f"lines per CPU-second, nodeward / ESLint at -j 1: {ratio['cpu']:.2f}x "
                   f"(target {TARGET_CPU_RATIO:.1f}x: {'met' if ratio['cpu'] >= TARGET_CPU_RATIO else 'NOT met'})")
    for row in results.get("scaling", []):
        out.append(f"scaling, nodeward full corpus -j {row['jobs']} vs -j 1: {row['speedup']:.2f}x faster "
                   f"({row['efficiency']:.0%} of ideal), {row['cpu_ratio']:.2f}x the CPU time")
    startup = results.get("startup")
    if startup:
        for name, label, target in (("version", "nodeward --version", TARGET_VERSION_SECONDS),
                                    ("one_file_scan", "scan of a one-file project", TARGET_ONE_FILE_SECONDS)):
            row = startup[name]
            out.append(f"start-up, {label}: median {row['median_seconds']:.2f} s wall of {startup['repeat']} "
                       f"({row['fastest_seconds']:.2f}-{row['slowest_seconds']:.2f}), {row['median_cpu_seconds']:.2f} "
                       f"CPU s; target {target} s: {'met' if row['median_seconds'] < target else 'NOT met'} "
                       f"(load average {startup['load_average']:.1f})")
    growth = results.get("memory_growth")
    if growth:
        out.append(f"memory, full scan -j 1: {_mib(growth['tree_rss_1x'])} for {growth['lines_1x']:,} lines, "
                   f"{_mib(growth['tree_rss_2x'])} for the corpus twice ({growth['lines_2x']:,} lines): "
                   f"{growth['tree_rss_2x'] / growth['tree_rss_1x']:.2f}x the memory for 2x the lines "
                   f"(largest process {_mib(growth['max_process_rss_1x'])} -> {_mib(growth['max_process_rss_2x'])}; "
                   f"CPU {growth['cpu_seconds_2x'] / growth['cpu_seconds_1x']:.2f}x)")
    return out


def make_nodeward(explicit: Path | None, corpus: Path, scratch: Path) -> Nodeward:
    """The nodeward to measure.

    By default a snapshot of the work tree's src/nodeward, taken now and run with the project's
    virtualenv: other people edit the tree while a benchmark runs, and every repetition must
    measure the same code. ``explicit`` names an executable to run as it is instead.
    """
    if explicit is not None:
        return Nodeward([str(explicit)], None, f"the executable {explicit}", corpus, scratch)
    python = REPO_ROOT / ".venv" / "bin" / "python"
    package = REPO_ROOT / "src" / "nodeward"
    if not python.exists() or not package.is_dir():
        found = shutil.which("nodeward")
        if found is None:
            raise BenchError("nodeward not found: create .venv with the project installed, or pass --nodeward")
        return Nodeward([found], None, f"the executable {found}", corpus, scratch)
    snapshot = scratch / "src"
    shutil.copytree(package, snapshot / "nodeward", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = dict(os.environ, PYTHONPATH=str(snapshot))
    subprocess.run([str(python), "-m", "compileall", "-q", str(snapshot)], check=True, env=env)
    where = subprocess.run(
        [str(python), "-c", "import nodeward; print(nodeward.__file__)"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=scratch,
    ).stdout.strip()
    if not where.startswith(str(snapshot)):
        raise BenchError(f"the snapshot of nodeward is not the one imported ({where or 'import failed'})")
    return Nodeward(
        [str(python), "-m", "nodeward"], env, f"snapshot of src/nodeward: {_describe_source(package)}", corpus, scratch
    )


def _describe_source(package: Path) -> str:
    """The commit of the work tree, whether src/nodeward differs from it, and a digest of the code."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")

    def git(*arguments: str) -> str:
        completed = subprocess.run(["git", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        return completed.stdout.strip() if completed.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--", str(package))
    changes = " + uncommitted changes" if dirty else ""
    return f"commit {commit}{changes}, sha256 of the files {digest.hexdigest()[:12]}"


# ----------------------------------------------------------------------------------------------
# The file set both tools read


def same_files_as_nodeward(corpus: Path, report: dict[str, Any], expected_files: int, expected_lines: int) -> list[str]:
    """The JavaScript files nodeward scanned, as paths relative to BENCH_DIR.

    nodeward's JSON report lists what it skipped (files and whole directories) but not what it
    scanned, so the list is rebuilt: every JavaScript file under the corpus that is neither
    skipped nor under a skipped directory. The result is checked against nodeward's own file and
    line counts (lines counted as nodeward does: newlines, plus one for an unterminated last line).
    """
    skipped = {notice["path"].rstrip("/") for notice in report["notices"] if notice["kind"] == "skipped"}
    # Minified files are read for secrets only: nodeward counts them as scanned, ESLint is not given them.
    secrets_only = {notice["path"] for notice in report["notices"]
                    if notice["kind"] == "skipped" and notice["message"].startswith("minified: scanned for secrets")}
    files: list[str] = []
    lines = 0
    for directory, subdirectories, names in os.walk(corpus):
        rel_dir = os.path.relpath(directory, corpus).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        subdirectories[:] = sorted(
            name for name in subdirectories if name != "node_modules" and rel_dir + name not in skipped
        )
        for name in sorted(names):
            if not name.lower().endswith(JS_EXTENSIONS) or (rel_dir + name in skipped
                                                             and rel_dir + name not in secrets_only):
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                data = handle.read()
            lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            if rel_dir + name not in secrets_only:
                files.append(os.path.relpath(path, BENCH_DIR))
    if len(files) + len(secrets_only) != expected_files or lines != expected_lines:
        raise BenchError(
            f"could not rebuild nodeward's file set: found {len(files)} files / {lines} lines, nodeward "
            f"scanned {expected_files} files / {expected_lines} lines"
        )
    return files


# ----------------------------------------------------------------------------------------------
# Results


@dataclass
class Series:
    """The repetitions of one configuration."""

    tool: str
    file_set: str  # "full corpus" or "JS files"
    jobs: int
    output: RunOutput
    measurements: list[Measurement] = field(default_factory=list)
    #: Repetitions whose files, lines or findings differed from the first one's.
    inconsistent: list[str] = field(default_factory=list)

    def add(self, measurement: Measurement, output: RunOutput) -> None:
        first, now = self.output, output
        if (now.files, now.lines, now.findings, now.by_rule) != (
            first.files,
            first.lines,
            first.findings,
            first.by_rule,
        ):
            rules = sorted(set(now.by_rule) | set(first.by_rule))
            changed = [
                f"{r} {first.by_rule.get(r, 0)}->{now.by_rule.get(r, 0)}"
                for r in rules
                if first.by_rule.get(r, 0) != now.by_rule.get(r, 0)
            ]
            self.inconsistent.append(
                f"repetition {len(self.measurements) + 1}: {now.files} files, {now.lines} lines, "
                f"{now.findings} findings (the first had {first.files}, {first.lines}, {first.findings}); "
                f"by rule: {', '.join(changed) or 'same counts'}"
            )
        self.measurements.append(measurement)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.tool, self.file_set, self.jobs)

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(m, attribute) for m in self.measurements))

    @property
    def seconds(self) -> float:
        return self.median("wall_seconds")

    @property
    def fastest_seconds(self) -> float:
        return min(m.wall_seconds for m in self.measurements)

    @property
    def lines_per_second(self) -> float:
        return self.output.lines / self.seconds

    @property
    def lines_per_second_per_core(self) -> float:
        return self.lines_per_second / self.jobs

    @property
    def lines_per_cpu_second(self) -> float:
        return self.output.lines / self.median("cpu_seconds")


def _mib(value: float) -> str:
    return f"{value / (1024 * 1024):.0f} MiB"


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def render_table(series: Sequence[Series]) -> str:
    headers = [
        "tool",
        "file set",
        "-j",
        "files",
        "lines",
        "findings",
        "seconds",
        "spread",
        "lines/s",
        "lines/s/core",
        "CPU s",
        "lines/CPU-s",
        "peak tree RSS",
        "max proc RSS",
    ]
    rows = []
    for s in series:
        walls = [m.wall_seconds for m in s.measurements]
        rows.append(
            [
                s.tool,
                s.file_set,
                str(s.jobs),
                _thousands(s.output.files),
                _thousands(s.output.lines),
                _thousands(s.output.findings),
                f"{s.seconds:.2f}",
                f"{min(walls):.2f}-{max(walls):.2f}",
                _thousands(s.lines_per_second),
                _thousands(s.lines_per_second_per_core),
                f"{s.median('cpu_seconds'):.2f}",
                _thousands(s.lines_per_cpu_second),
                _mib(s.median("tree_rss_peak_bytes")),
                _mib(s.median("max_process_rss_bytes")),
            ]
        )
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]
    left = {0, 1}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) if i in left else cell.rjust(widths[i]) for i, cell in enumerate(cells))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def machine_description() -> dict[str, Any]:
    model = ""
    try:
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                model = text_line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = shutil.which("node")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else ""
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "node": node_version,
        "platform": platform.platform(),
    }


# ----------------------------------------------------------------------------------------------
# The run


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    cores = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description="Benchmark nodeward against ESLint + eslint-plugin-security.")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each configuration (default 3)")
    parser.add_argument(
        "--jobs", type=int, action="append", help=f"worker count to measure (repeatable; default 1 and {cores})"
    )
    parser.add_argument("--no-eslint", action="store_true", help="measure nodeward only")
    parser.add_argument("--nodeward", type=Path, help="the nodeward executable (default: .venv/bin/nodeward)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus directory")
    parser.add_argument("--no-fetch", action="store_true", help="fail instead of fetching a missing corpus")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="where to write the raw results as JSON")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up measurements")
    parser.add_argument("--no-memory-growth", action="store_true",
                        help="skip the scan of the corpus twice over (memory at 1x and 2x)")
    parser.add_argument("--cache-only", action="store_true",
                        help="measure only the result cache (cached re-scans against a cold scan)")
    parser.add_argument("--no-cache-bench", action="store_true", help="skip the result cache measurements")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    jobs = args.jobs or [1, cores]
    if any(j < 1 for j in jobs):
        parser.error("--jobs must be at least 1")
    args.jobs = sorted(set(jobs))
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    corpus: Path = args.corpus.resolve()
    if corpus == DEFAULT_CORPUS.resolve():
        if fetch_corpus.missing_packages(corpus):
            if args.no_fetch:
                raise BenchError(f"the corpus in {corpus} is incomplete; run bench/fetch_corpus.py")
            log("fetching the corpus")
            fetch_corpus.fetch_corpus(corpus)
    elif not corpus.is_dir():
        raise BenchError(f"no corpus at {corpus}")
    if not (args.no_eslint or args.cache_only):
        if not corpus.is_relative_to(BENCH_DIR):
            raise BenchError("ESLint only lints files under bench/ with this config; use the default corpus")
        ensure_eslint()

    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="nodeward-bench-") as scratch_name:
        scratch = Path(scratch_name)
        nodeward = make_nodeward(args.nodeward, corpus, scratch)
        cores = len(os.sched_getaffinity(0))
        if args.cache_only:
            return write_cache_only(args, started, measure_cache(nodeward, corpus, scratch, cores, args.repeat))

        log("warm-up: nodeward on the full corpus and on its JavaScript files")
        _, full_output, _ = nodeward.run(cores)
        _, js_output, js_report = nodeward.run(cores, JS_INCLUDE_PATTERNS)
        js_files = same_files_as_nodeward(corpus, js_report, js_output.files, js_output.lines)
        js_is_full = (js_output.files, js_output.lines) == (full_output.files, full_output.lines)

        series: dict[tuple[str, str, int], Series] = {}

        def record(tool: str, file_set: str, jobs: int, measurement: Measurement, output: RunOutput) -> None:
            entry = series.setdefault((tool, file_set, jobs), Series(tool, file_set, jobs, output))
            entry.add(measurement, output)

        eslint = None if args.no_eslint else Eslint(js_files, scratch)
        eslint_jobs = [j for j in args.jobs if eslint is not None and (j == 1 or eslint.has_concurrency)]
        for round_number in range(args.repeat):
            for jobs in args.jobs:
                steps = ["nodeward"] + (["eslint"] if jobs in eslint_jobs else [])
                if round_number % 2:
                    steps.reverse()
                for step in steps:
                    log(f"round {round_number + 1}/{args.repeat}, -j {jobs}: {step}")
                    if step == "nodeward":
                        measurement, output, _ = nodeward.run(jobs)
                        record("nodeward", "full corpus", jobs, measurement, output)
                        if not js_is_full:
                            measurement, output, _ = nodeward.run(jobs, JS_INCLUDE_PATTERNS)
                            record("nodeward", "JS files", jobs, measurement, output)
                    else:
                        assert eslint is not None
                        measurement, output = eslint.run(jobs, js_output.lines)
                        record("eslint", "JS files", jobs, measurement, output)

        results = build_results(args, started, nodeward, eslint, series, js_is_full, corpus)
        results["scaling"] = scaling(series)
        if not args.no_startup:
            log("start-up: nodeward --version and a one-file scan")
            results["startup"] = measure_startup(nodeward, scratch)
        if not args.no_memory_growth and ("nodeward", "full corpus", 1) in series:
            log("memory growth: nodeward -j 1 on the corpus twice over")
            results["memory_growth"] = measure_memory_growth(nodeward, scratch, series[("nodeward", "full corpus", 1)])
        if not args.no_cache_bench:
            results["cache"] = measure_cache(nodeward, corpus, scratch, cores, args.repeat)
    print("\n".join([render_report(results, list(series.values()), js_is_full), *render_startup_and_scaling(results)]))
    if "cache" in results:
        print(render_cache(results["cache"]))
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"run-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    log(f"raw results: {path}")
    return 0


def _same_files_key(js_is_full: bool) -> str:
    return "full corpus" if js_is_full else "JS files"


def build_results(
    args: argparse.Namespace,
    started: dt.datetime,
    nodeward: Nodeward,
    eslint: Eslint | None,
    series: dict[tuple[str, str, int], Series],
    js_is_full: bool,
    corpus: Path,
) -> dict[str, Any]:
    ratios = []
    for jobs in args.jobs:
        ours = series.get(("nodeward", _same_files_key(js_is_full), jobs))
        theirs = series.get(("eslint", "JS files", jobs))
        if ours is None or theirs is None:
            continue
        ratios.append(
            {
                "jobs": jobs,
                "speed": theirs.seconds / ours.seconds,
                "speed_fastest_runs": theirs.fastest_seconds / ours.fastest_seconds,
                "cpu": theirs.median("cpu_seconds") / ours.median("cpu_seconds"),
                "tree_rss": ours.median("tree_rss_peak_bytes") / theirs.median("tree_rss_peak_bytes"),
            }
        )
    eslint_series = [s for s in series.values() if s.tool == "eslint"]
    best_eslint = min(eslint_series, key=lambda s: s.seconds) if eslint_series else None
    best_ratios = []
    if best_eslint is not None:
        for jobs in args.jobs:
            ours = series.get(("nodeward", _same_files_key(js_is_full), jobs))
            if ours is not None:
                best_ratios.append(
                    {"jobs": jobs, "eslint_jobs": best_eslint.jobs, "speed": best_eslint.seconds / ours.seconds}
                )
    budget = []
    for jobs in args.jobs:
        full = series[("nodeward", "full corpus", jobs)]
        budget.append(
            {
                "jobs": jobs,
                "lines_per_second_per_core": full.lines_per_second_per_core,
                "met": full.lines_per_second_per_core >= BUDGET_LINES_PER_SECOND_PER_CORE,
                "lines_per_cpu_second": full.lines_per_cpu_second,
                "met_by_cpu_time": full.lines_per_cpu_second >= BUDGET_LINES_PER_SECOND_PER_CORE,
            }
        )
    return {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_description(),
        "repeat": args.repeat,
        "jobs": args.jobs,
        "corpus": {
            "directory": str(corpus),
            "packages": [p.spec for p in fetch_corpus.PACKAGES] if corpus == DEFAULT_CORPUS.resolve() else None,
        },
        "nodeward": {"version": nodeward.version(), "rules": nodeward.rule_count(), "source": nodeward.source},
        "eslint": None
        if eslint is None
        else {
            "version": ESLINT_VERSION,
            "eslint-plugin-security": ESLINT_PLUGIN_SECURITY_VERSION,
            "concurrency_option": eslint.has_concurrency,
        },
        "series": [
            {
                "tool": s.tool,
                "file_set": s.file_set,
                "jobs": s.jobs,
                "output": asdict(s.output),
                "median_seconds": s.seconds,
                "lines_per_second": s.lines_per_second,
                "lines_per_second_per_core": s.lines_per_second_per_core,
                "lines_per_cpu_second": s.lines_per_cpu_second,
                "inconsistent": s.inconsistent,
                "measurements": [asdict(m) for m in s.measurements],
            }
            for s in series.values()
        ],
        "ratios_same_jobs": ratios,
        "ratios_vs_fastest_eslint": best_ratios,
        "budget": {"lines_per_second_per_core": BUDGET_LINES_PER_SECOND_PER_CORE, "checks": budget},
    }


def render_report(results: dict[str, Any], series: Sequence[Series], js_is_full: bool) -> str:
    machine = results["machine"]
    loads = [m.load_average for s in series for m in s.measurements]
    out = [
        "",
        f"nodeward benchmark, {results['started']}",
        f"machine: {machine['cores']} cores, {machine['cpu'] or 'unknown CPU'}, {machine['memory_gib']} GiB; "
        f"Python {machine['python']}, Node {machine['node'] or '-'}; "
        f"1-min load average at the runs' starts {min(loads):.1f}-{max(loads):.1f}",
        f"nodeward {results['nodeward']['version']}, {results['nodeward']['rules'] or '?'} rules (all on); "
        f"{results['nodeward']['source']}",
    ]
    if results["eslint"]:
        concurrency = "with --concurrency" if results["eslint"]["concurrency_option"] else "no --concurrency option"
        out.append(
            f"peer: ESLint {results['eslint']['version']} + eslint-plugin-security "
            f"{results['eslint']['eslint-plugin-security']}, all plugin rules on ({concurrency})"
        )
    if results["corpus"]["packages"]:
        out.append(f"corpus: {', '.join(results['corpus']['packages'])}")
    out.append(f"median of {results['repeat']} runs; spread = fastest-slowest wall time; -j = workers (cores used)")
    if results["eslint"] and js_is_full:
        out.append("the corpus holds only JavaScript: ESLint reads exactly the files of nodeward's full-corpus run")
    elif results["eslint"]:
        out.append("ESLint reads only the JavaScript files: compare it with nodeward's 'JS files' rows")
    out += ["", render_table(series), ""]
    for s in series:
        if s.tool == "eslint" and (s.output.parse_errors or s.output.notes):
            out.append(
                f"eslint -j {s.jobs}: {s.output.parse_errors} files failed to parse; "
                + "; ".join(sorted(set(s.output.notes)))
            )
        for problem in s.inconsistent:
            out.append(f"WARNING {s.tool} {s.file_set} -j {s.jobs}: output changed, {problem}")
    if any(s.inconsistent for s in series):
        out.append("WARNING: outputs changed between repetitions (was the code under test edited during the run?)")
    for ratio in results["ratios_same_jobs"]:
        out.append(
            f"-j {ratio['jobs']}: nodeward is {ratio['speed']:.2f}x ESLint's speed on the same files "
            f"({ratio['speed_fastest_runs']:.2f}x by the fastest runs; ESLint uses {ratio['cpu']:.2f}x nodeward's "
            f"CPU time; nodeward's peak tree RSS is {ratio['tree_rss']:.2f}x ESLint's)"
        )
    for ratio in results["ratios_vs_fastest_eslint"]:
        out.append(
            f"nodeward -j {ratio['jobs']} vs ESLint at its fastest setting (-j {ratio['eslint_jobs']}): "
            f"{ratio['speed']:.2f}x"
        )
    for check in results["budget"]["checks"]:
        out.append(
            f"budget {BUDGET_LINES_PER_SECOND_PER_CORE:,} lines/s/core, full corpus, -j {check['jobs']}: "
            f"{check['lines_per_second_per_core']:,.0f} lines/s/core -> {'met' if check['met'] else 'NOT met'}; "
            f"by CPU time {check['lines_per_cpu_second']:,.0f} lines/CPU-s -> "
            f"{'met' if check['met_by_cpu_time'] else 'NOT met'}"
        )
    lowest = min(x.jobs for x in series)
    for s in series:
        if s.jobs == lowest:
            out.append(
                f"{s.tool} findings by rule ({s.file_set}): "
                + (", ".join(f"{rule} {count}" for rule, count in s.output.by_rule.items()) or "none")
            )
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------
# The result cache: re-scans against a cold scan, in the same run, on a copy of the corpus

#: The file edited for the "one file changed" re-scan, and what is appended to it: a new command injection,
#: so that the findings change and the comparison with a cold scan means something.
CACHE_EDITED_FILE = Path("express") / "lib" / "router" / "index.js"
CACHE_EDIT = (
    "\nmodule.exports.nodewardBenchEdit{round} = function (req) {{\n"
    "  require('child_process').exec('ls ' + req.query.dir{round});\n}};\n"
)
CACHE_TARGETS = {"unchanged": 0.10, "one file edited": 0.15}


def _cache_scan(nodeward: Nodeward, tree: Path, scratch: Path, env: dict[str, str], jobs: int,
                *extra: str) -> tuple[Measurement, dict[str, Any]]:
    stdout, stderr = scratch / "cache-scan.json", scratch / "cache-scan.err"
    command = [*nodeward.prefix, "scan", str(tree), "--format", "json", "--no-progress", "-j", str(jobs), *extra]
    measurement = measure(command, cwd=REPO_ROOT, stdout=stdout, stderr=stderr, env=env)
    if measurement.returncode not in (0, 1):
        problem = stderr.read_text(errors="replace")[-2000:]
        raise BenchError(f"nodeward exited with {measurement.returncode}:\n{problem}")
    report = json.loads(stdout.read_text(encoding="utf-8"))
    return measurement, {"findings": report["findings"], "suppressed": report["suppressed_findings"]}


def measure_cache(nodeward: Nodeward, corpus: Path, scratch: Path, jobs: int, repeat: int) -> dict[str, Any]:
    """CPU time of cached re-scans over a cold scan's (``--no-cache``), and whether their findings are a cold
    scan's: the unchanged corpus, then after appending a new flow to one file (a new edit each round)."""
    tree = scratch / "cache-corpus"
    shutil.copytree(corpus, tree, symlinks=True)
    env = dict(nodeward.env or os.environ, NODEWARD_CACHE_DIR=str(scratch / "cache-dir"))
    cold: list[Measurement] = []
    log("result cache: cold scan (--no-cache)")
    measurement, cold_findings = _cache_scan(nodeward, tree, scratch, env, jobs, "--no-cache")
    cold.append(measurement)
    log("result cache: first scan, writing the cache")
    filling, findings = _cache_scan(nodeward, tree, scratch, env, jobs)
    mismatches = [] if findings == cold_findings else ["first scan with the cache"]
    runs: dict[str, list[Measurement]] = {"unchanged": [], "one file edited": []}
    for round_number in range(repeat):
        log(f"result cache round {round_number + 1}/{repeat}: unchanged corpus")
        measurement, findings = _cache_scan(nodeward, tree, scratch, env, jobs)
        runs["unchanged"].append(measurement)
        if findings != cold_findings:
            mismatches.append(f"unchanged, round {round_number + 1}")
        log(f"result cache round {round_number + 1}/{repeat}: one file edited, then a cold scan of it")
        with open(tree / CACHE_EDITED_FILE, "a", encoding="utf-8") as edited:
            edited.write(CACHE_EDIT.format(round=round_number))
        measurement, findings = _cache_scan(nodeward, tree, scratch, env, jobs)
        runs["one file edited"].append(measurement)
        measurement, cold_findings = _cache_scan(nodeward, tree, scratch, env, jobs, "--no-cache")
        cold.append(measurement)
        if findings != cold_findings:
            mismatches.append(f"one file edited, round {round_number + 1}")
    cold_cpu = statistics.median(m.cpu_seconds for m in cold)
    return {
        "jobs": jobs,
        "edited_file": CACHE_EDITED_FILE.as_posix(),
        "cold_cpu_seconds": cold_cpu,
        "first_scan_cpu_ratio": filling.cpu_seconds / cold_cpu,
        "ratios": {name: statistics.median(m.cpu_seconds for m in measured) / cold_cpu
                   for name, measured in runs.items()},
        "targets": CACHE_TARGETS,
        "findings_equal_to_cold": not mismatches,
        "mismatches": mismatches,
        "measurements": {"cold": [asdict(m) for m in cold], "first scan": asdict(filling),
                         **{name: [asdict(m) for m in measured] for name, measured in runs.items()}},
    }


def render_cache(cache: dict[str, Any]) -> str:
    loads = [m["load_average"] for group in cache["measurements"].values()
             for m in (group if isinstance(group, list) else [group])]
    lines = [
        f"result cache, -j {cache['jobs']}, CPU time against a cold scan's (--no-cache, median "
        f"{cache['cold_cpu_seconds']:.1f} CPU-s; load {min(loads):.1f}-{max(loads):.1f}):",
        f"  first scan, writing the cache: {cache['first_scan_cpu_ratio']:.0%}",
    ]
    for name, ratio in cache["ratios"].items():
        target = cache["targets"][name]
        lines.append(f"  re-scan, {name}: {ratio:.1%} (target <= {target:.0%}: "
                     f"{'met' if ratio <= target else 'NOT met'})")
    lines.append("  findings equal to a cold scan's: " + ("yes" if cache["findings_equal_to_cold"]
                                                           else "NO (" + ", ".join(cache["mismatches"]) + ")"))
    return "\n".join(lines)


def write_cache_only(args: argparse.Namespace, started: dt.datetime, cache: dict[str, Any]) -> int:
    machine = machine_description()
    print(f"nodeward result cache benchmark, {started.isoformat(timespec='seconds')}; {machine['cores']} cores, "
          f"{machine['cpu'] or 'unknown CPU'}")
    print(render_cache(cache))
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"cache-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"started": started.isoformat(timespec="seconds"), "machine": machine,
                                "cache": cache}, indent=2) + "\n", encoding="utf-8")
    log(f"raw results: {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (BenchError, fetch_corpus.FetchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
