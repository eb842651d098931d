"""Score nodeward on the NestJS development set: flows found out of the hand-listed ones, and other findings.

    python bench/nestjs/score.py                 # scans each app under bench/nestjs/apps with .venv's nodeward
    python bench/nestjs/score.py --nodeward PATH  # another nodeward executable

The apps are miniatures written in this repository from the shapes of real open-source NestJS projects
(truth.json names each); nothing is fetched. Each app is scanned on its own with the code scanner at the default
confidence, the way a user scans an app. Output: one line per app and a total, then the flows missed and the
findings outside the truth list ("other" for code findings, "app-level" for the practice rules NW3xx, which
judge the whole app rather than a flow), so each can be judged by hand.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def sink_line(app: Path, flow: dict[str, str]) -> int | None:
    lines = (app / flow["file"]).read_text(encoding="utf-8").splitlines()
    return next((number for number, line in enumerate(lines, start=1) if flow["sink"] in line), None)


def scan(nodeward: str, app: Path) -> list[dict[str, object]]:
    done = subprocess.run([nodeward, "scan", str(app), "--scanners", "code", "--format", "json", "--no-progress",
                           "--no-scorecard", "-j", "1"], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.exit(f"nodeward failed on {app}: {done.stderr}")
    findings: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return findings


def main(here: Path = HERE, description: str = __doc__.splitlines()[0]) -> None:
    """Score the development set in `here` (its truth.json and apps/; bench/frameworks uses it too)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nodeward", default=str(ROOT / ".venv" / "bin" / "nodeward"))
    options = parser.parse_args()
    truth = json.loads((here / "truth.json").read_text(encoding="utf-8"))["apps"]
    total_found = total_flows = total_findings = total_other = total_practices = 0
    notes: list[str] = []
    print(f"{'app':<14} {'flows found':>12} {'findings':>9} {'other':>6} {'app-level':>9}")
    for name, entry in truth.items():
        app = here / "apps" / name
        findings = scan(options.nodeward, app)
        reported = {(str(f["path"]), int(str(f["start_line"])), str(f["rule_id"])) for f in findings}
        expected = set()
        for flow in entry["flows"]:
            line = sink_line(app, flow)
            if line is None:
                sys.exit(f"{name}: no line of {flow['file']} holds {flow['sink']!r}")
            expected.add((flow["file"], line, flow["rule"]))
            if (flow["file"], line, flow["rule"]) not in reported:
                notes.append(f"  missed  {name}: {flow['rule']} {flow['file']}:{line}  {flow['flow']}")
        # app-level practice findings (NW3xx) judge the whole app, not a flow: counted apart
        other = sorted(f for f in reported - expected if not f[2].startswith("NW3"))
        practices = sorted(f for f in reported - expected if f[2].startswith("NW3"))
        notes.extend(f"  other   {name}: {rule} {path}:{line}" for path, line, rule in other)
        notes.extend(f"  app     {name}: {rule} {path}:{line}" for path, line, rule in practices)
        found = len(expected & reported)
        print(f"{name:<14} {found:>5}/{len(expected):<6} {len(findings):>9} {len(other):>6} {len(practices):>9}")
        total_found, total_flows = total_found + found, total_flows + len(expected)
        total_findings, total_other = total_findings + len(findings), total_other + len(other)
        total_practices += len(practices)
    print(f"{'total':<14} {total_found:>5}/{total_flows:<6} {total_findings:>9} {total_other:>6} {total_practices:>9}")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
