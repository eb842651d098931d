"""How long matching 2,000 installed packages against the advisory database takes.

Usage: .venv/bin/python bench/deps_match.py [--packages N] [--db PATH]
The database is the bundled snapshot (built in a temporary directory) unless --db names one.
Every package named in the snapshot is included (with versions inside and outside the affected
ranges), the rest are names without advisories, as in a real lockfile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from nodeward.deps.advisories.db import AdvisoryDatabase, build_seed
from nodeward.deps.match import match_packages
from nodeward.deps.model import DependencyPath, InstalledPackage


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if path is None:
            path = Path(tmp) / "advisories.sqlite3"
            os.environ["NODEWARD_CACHE_DIR"] = tmp
            started = time.perf_counter()
            build_seed(path)
            print(f"seed database built in {(time.perf_counter() - started) * 1000:.0f} ms")
        with AdvisoryDatabase(path) as db:
            names = [row[0] for row in db.connection.execute("SELECT DISTINCT package FROM affected")]
        rng = random.Random(6)
        packages = []
        for i in range(args.packages):
            name = names[i] if i < len(names) else f"package-{i}"
            version = f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"
            packages.append(InstalledPackage(name, version, direct=i % 10 == 0, dev=False, path=DependencyPath(name)))
        timings = []
        for _ in range(7):
            started = time.perf_counter()
            with AdvisoryDatabase(path) as db:  # opening is part of every scan
                found = match_packages(packages, db.for_packages)
            timings.append(time.perf_counter() - started)
        print(f"{len(packages)} packages ({min(len(names), len(packages))} with advisories) against "
              f"the database: {len(found)} vulnerable; "
              f"median {statistics.median(timings) * 1000:.1f} ms, best {min(timings) * 1000:.1f} ms over 7 runs")


if __name__ == "__main__":
    main()
