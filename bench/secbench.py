"""Taint-tracking figures on the SecBench.js development set (../shared/benchmarks): package recall per class,
findings of those classes per package, and discrimination against the fixed versions.

    python bench/secbench.py [--work DIR] [--min-confidence LEVEL] [--jobs N]

Fetches the vulnerable and fixed packages with the shared script (npm registry), scans both folders with
nodeward (SARIF), scores them with the shared scorer, and adds the per-package finding counts the scorer
does not print. Figures only: nothing here tunes the analysis.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "benchmarks"
CWE_CLASS = {
    22: "path-traversal", 23: "path-traversal", 35: "path-traversal", 36: "path-traversal", 73: "path-traversal",
    1321: "prototype-pollution", 915: "prototype-pollution",
    77: "command-injection", 78: "command-injection", 88: "command-injection",
    1333: "redos", 730: "redos", 185: "redos",
    94: "code-injection", 95: "code-injection", 96: "code-injection", 502: "code-injection", 913: "code-injection",
}
EXCLUDED_DIRS = {"node_modules", "test", "tests", "example", "examples"}


def fetch(work: Path) -> None:
    for folder, extra in (("secbench", []), ("secbench-fixed", ["--fixed"])):
        if not (work / folder).exists():
            subprocess.run([str(SHARED / "fetch_secbench.sh"), *extra, "-j", "8", str(work / folder)], check=True)


def scan(work: Path, folder: str, args: argparse.Namespace) -> Path:
    out = work / f"{folder}.sarif"
    command = [sys.executable, "-m", "nodeward", "scan", str(work / folder), "--scanners", "code", "--format",
               "sarif", "--output", str(out), "--no-progress", "--min-confidence", args.min_confidence]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    subprocess.run(command, check=False)
    return out


def per_package(sarif: Path, packages: int) -> dict[str, float]:
    document = json.loads(sarif.read_text())
    run = document["runs"][0]
    classes = {}
    for rule in run["tool"]["driver"]["rules"]:
        cwes = [int(n) for n in re.findall(r"cwe-(\d+)", " ".join(rule["properties"]["tags"]))]
        classes[rule["id"]] = {CWE_CLASS[c] for c in cwes if c in CWE_CLASS}
    counts: collections.Counter[str] = collections.Counter()
    for result in run["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if EXCLUDED_DIRS & set(uri.split("/")[1:-1]):
            continue
        for name in classes.get(result["ruleId"], ()):
            counts[name] += 1
            counts["ALL"] += 1
    return {name: count / packages for name, count in sorted(counts.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=HERE / "results" / "secbench")
    parser.add_argument("--min-confidence", default="low", choices=["low", "medium", "high"])
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    fetch(args.work)
    vulnerable = scan(args.work, "secbench", args)
    fixed = scan(args.work, "secbench-fixed", args)
    subprocess.run([sys.executable, str(SHARED / "score_secbench.py"), str(args.work / "secbench"), str(vulnerable),
                    "--fixed-dir", str(args.work / "secbench-fixed"), "--fixed-findings", str(fixed)], check=True)
    packages = sum(1 for p in (args.work / "secbench").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    print(f"\nfindings of the benchmark classes per package ({packages} packages, min confidence "
          f"{args.min_confidence}):")
    for name, value in per_package(vulnerable, packages).items():
        print(f"  {name:<22} {value:5.2f}")


if __name__ == "__main__":
    main()
