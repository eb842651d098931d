"""Measure the secrets history scan on a generated repository of several thousand commits.

    .venv/bin/python bench/history_bench.py [--commits 5000] [--files 400] [--keep DIR]

The repository is written with `git fast-import` (seconds, not minutes): a tree of JavaScript modules,
JSON and YAML files, where each commit changes one to three files, and a few commits add fake tokens
(generated here from pieces) that later commits remove. Prints commits/s and MB/s of blob content,
and checks that every planted secret is reported with the commit that introduced it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from nodeward.secrets.history import describe_speed, scan_history

WORDS = ("user", "order", "invoice", "session", "cart", "payment", "report", "account", "item", "price")


def module_source(rng: random.Random, lines: int) -> str:
    out = ['"use strict";', 'const express = require("express");', "const router = express.Router();"]
    while len(out) < lines:
        word = rng.choice(WORDS)
        number = rng.randint(0, 99999)
        out += [
            f'router.get("/{word}s/:id", async (req, res) => {{',
            f"  const {word} = await db.{word}s.findById(req.params.id, {{ limit: {number % 100} }});",
            f'  if (!{word}) return res.status(404).json({{ error: "{word} {number} not found" }});',
            f"  res.json({word});",
            "});",
        ]
    return "\n".join(out) + "\nmodule.exports = router;\n"


def fake_token(rng: random.Random) -> str:
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    return "gh" + "p_" + body


def generate(repo: Path, commits: int, files: int, seed: int = 7) -> list[int]:
    """Write the repository; returns the commit numbers (1-based) that introduced a planted secret."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    paths = [f"src/{rng.choice(WORDS)}/{name}.js" for name in range(files)]
    paths += [f"config/{name}.json" for name in range(files // 20)] + [f"deploy/{n}.yml" for n in range(files // 40)]
    contents = {path: module_source(rng, rng.randint(20, 200)) for path in paths}
    planted: list[int] = []
    stream: list[bytes] = []

    def blob_command(path: str, text: str) -> None:
        data = text.encode()
        stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    pending_removal: dict[int, str] = {}
    for number in range(1, commits + 1):
        message = f"change {number}".encode()
        stream.append(
            f"commit refs/heads/main\nmark :{number}\n"
            f"author Bench <bench@users.invalid> {1_600_000_000 + number * 600} +0000\n"
            f"committer Bench <bench@users.invalid> {1_600_000_000 + number * 600} +0000\n"
            f"data {len(message)}\n".encode() + message + b"\n"
        )
        if number > 1:
            stream.append(f"from :{number - 1}\n".encode())
        changed = paths if number == 1 else rng.sample(paths, rng.randint(1, 3))
        for path in changed:
            if number > 1:
                lines = contents[path].splitlines()
                at = rng.randrange(len(lines))
                lines.insert(at, f"// change {number}: {rng.choice(WORDS)} {rng.randint(0, 10**9)}")
                contents[path] = "\n".join(lines) + "\n"
            blob_command(path, contents[path])
        if number % 997 == 0:  # plant a secret, removed 50 commits later
            path = f"src/secrets/leak{number}.js"
            blob_command(path, f'module.exports = {{ token: "{fake_token(rng)}" }};\n')
            pending_removal[number + 50] = path
            planted.append(number)
        if number in pending_removal:
            stream.append(f"D {pending_removal.pop(number)}\n".encode())
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="generate the repository here and keep it")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nodeward-history-bench-"))
    repo = workdir / "repo"
    try:
        started = time.perf_counter()
        if repo.exists():
            shutil.rmtree(repo)
        planted = generate(repo, args.commits, args.files)
        print(f"generated {args.commits} commits in {time.perf_counter() - started:.1f} s")
        result = scan_history(repo)
        print(describe_speed(result.stats))
        print(f"skipped: {result.stats.skipped_binary} binary, {result.stats.skipped_large} large blobs")
        marks = subprocess.run(
            ["git", "-C", str(repo), "log", "--reverse", "--format=%H"], capture_output=True, text=True, check=True
        ).stdout.split()
        expected = {marks[n - 1][:12] for n in planted if n + 50 <= args.commits}  # removed again: history only
        reported = {f.trace[0].description.split()[3][:12] for f in result.findings if f.rule_id == "NW504"}
        print(f"planted secrets: {len(expected)}, reported at their introducing commit: {len(expected & reported)}")
        if expected != reported:
            sys.exit("history scan missed or misplaced a planted secret")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
