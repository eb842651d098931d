#!/usr/bin/env python3
"""Noise corpus: how many findings nodeward reports on popular, well-maintained npm packages.

These packages are not vulnerable applications: nearly everything reported on them at the default
confidence is a false positive (or a design choice of a library, such as a framework's own error
pipeline). The figure to watch is findings per 10,000 lines, by rule, at the default
`--min-confidence medium`; the aim is at most 1.

Each package is downloaded with `npm pack NAME@VERSION` (the tarball as published: its tests,
examples and docs when it ships them, never its dependencies), checked against the pinned sha512 and
extracted into the work directory (default `bench/noise-corpus/`, not versioned), as
`bench/fetch_corpus.py` does for the speed corpus. Each package is then scanned on its own, as a
user would scan it (`nodeward scan DIR --format json`, all scanners), and the report is printed as
markdown tables: by rule, and by package.

Usage: python bench/noise.py [--work DIR] [--nodeward PATH] [--jobs N] [--min-confidence LEVEL]
                             [--details]   (also list every finding: rule, file:line, message)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("NODEWARD_OFFLINE", "1")  # measurements never wait for an advisory download
BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from fetch_corpus import FetchError, Package, fetch_package, is_present  # noqa: E402

DEFAULT_WORK = BENCH_DIR / "noise-corpus"
DEFAULT_NODEWARD = BENCH_DIR.parent / ".venv" / "bin" / "nodeward"

#: 40 packages: web frameworks and their middleware, ORMs and database drivers, HTTP clients, template
#: engines, CLI libraries and build tools. Versions are the latest when the list was made (2026-12-07).
PACKAGES: tuple[Package, ...] = (
    Package("express", "5.3.0",
            "sha512-qCqy1xSoaugxOD4IVHb1ZWdkvCF2W3aE2okKouWj8VwJ+ztskSiXoBnCSJqfKT+cVPJhuJqe9YLbY425+Zh00g=="),
    Package("fastify", "5.12.8",
            "sha512-moP8exb2sCHLUbJkwp+I6C0padhy4D8lp0SdmzY7HhSdZuqm7O/u3o2aq7u8okaQ//33QDzj3G/u+FsSdB8Qzw=="),
    Package("koa", "3.3.0",
            "sha512-NdsWJYxVzUuYt718DtEQRhUXqqsAPA4VlaUGrlidjh/T2TP/4OQXqQg4ouUHfHD9f+tgmwLZWPm+JQLgqM9YbA=="),
    Package("@hapi/hapi", "21.4.13",
            "sha512-eupLASu8jIrFvo8yu+xK/C5v2kydqK7v43XIfBtFW4NrJKylud0sEhESoq7oYRe1uxOIiowJAz6mVYmCxC2w1g=="),
    Package("connect", "3.7.0",
            "sha512-ZqRXc+tZukToSNmh5C2iWMSoV3X1YUcPbqEM4DkEG5tNQXrQUZCNVGGv3IuicnkMtPfGf3Xtp8WCXs295iQ1pQ=="),
    Package("body-parser", "2.4.0",
            "sha512-Ifk1KcLrxaGt1occQagQNFNNOqRt1LFuehEnHHzB8Z6cRgIxRU1TBaiIsUiCdA+gy5PL7Y1IX31DNKkRmxtXjQ=="),
    Package("cookie-parser", "1.4.7",
            "sha512-nGUvgXnotP3BsjiLX2ypbQnWoGUPIIfHQNZkkC668ntrzGWEZVW70HDEB1qnNGMicPje6EttlIgzo51YSwNQGw=="),
    Package("express-session", "1.19.0",
            "sha512-0csaMkGq+vaiZTmSMMGkfdCOabYv192VbytFypcvI0MANrp+4i/7yEkJ0sbAEhycQjntaKGzYfjfXQyVb7BHMA=="),
    Package("helmet", "8.3.0",
            "sha512-Qgpiaws3Sm30Av8Eah6sjMCZZwjlBu+E68rhpCWBshY1lb09HtLwj5GviX0OyQIn+ulUS0iX0AxN5n3tLZzz1w=="),
    Package("cors", "2.8.6",
            "sha512-tJtZBBHA6vjIAaF6EnIaq6laBBP9aq/Y3ouVJjEfoHbRBcHBAHYcMh/w8LDrk2PvIMMq8gmopa5D4V8RmbrxGw=="),
    Package("multer", "2.5.0",
            "sha512-BsqOzYGVq49JcW2IzoSAxeKYRevb+dGGPPWleOR8Lrlk4igwxu1/9pwSXlByhCb7MVZDrNJFC0IBP5/O5nLYRw=="),
    Package("morgan", "1.12.1",
            "sha512-tljKC0ex20AjO58Ob/eZ53JloycbVswbVNCHx6V6VLGzqt/w8dIynVGL0G8qVjNKwiA7sYSogCrN6QtJ82IV+g=="),
    Package("passport", "0.7.0",
            "sha512-cPLl+qZpSc+ireUvt+IzqbED1cHHkDoVYMo30jbJIdOOjQ1MQYZBPiNvmi8UM6lJuOpTPXJGZQk0DtC4y61MYQ=="),
    Package("serve-static", "2.2.1",
            "sha512-xRXBn0pPqQTVQiC8wyQrKs2MOlX24zQ0POGaj0kultvoOCstBQM5yvOhAVSUwOMjQtTvsPWoNCHfPGwaaQJhTw=="),
    Package("compression", "1.8.2",
            "sha512-o8vI5RE5A6EVVOd9o41jKp41aJom+QTEO/Bx8MYNjexMo/Bv2WOjUfZr+aL0WnYSgymUy6zeguqLTsIhV0gMvQ=="),
    Package("@koa/router", "15.7.0",
            "sha512-WaAlk4TOl/O0rhTpOR0l052gz03syPMmI6Pe2gd7v3ubjfv5UcSGcnb0Y/J5NNC/ln+5FiUqPJTc/a15I+XqAA=="),
    Package("express-rate-limit", "8.7.5",
            "sha512-wi+v38cx2EqD0JnhE/e74o5tFqKWUOAPFJIgyEiqJ8v2MNpoOAA3kI2hXYOI+YM+HE5yqbdAlVxm2GqOIeYOgA=="),
    Package("@fastify/static", "10.1.11",
            "sha512-WjEpDqkzOziIipghh4ki3ZNfLCmI1kRWlYKar3+9FiuY2LzoeogKiDqxIH68r6vYUSxvUzyEiV1BOP0yfW+glQ=="),
    Package("sequelize", "6.37.8",
            "sha512-HJ0IQFqcTsTiqbEgiuioYFMSD00TP6Cz7zoTti+zVVBwVe9fEhev9cH6WnM3XU31+ABS356durAb99ZuOthnKw=="),
    Package("typeorm", "1.1.4",
            "sha512-IM1ILTrrDWCfl10GVk2wAMS7ek0Lw0h1XpvENCv6GLMS7QGt45zYe9m+iUM2EweXYSQVyIGefaZ64nHkdHIv3w=="),
    Package("mongoose", "9.13.2",
            "sha512-feQdih/gpEsJmbsI/DkC8hHj6Fmh+HAh4ll7nezQx4eiKctKl8Yr6aQnDyQpsWDxCwbA3r/V5mr5vHEWfuwtqA=="),
    Package("knex", "3.3.0",
            "sha512-LgWl031hNuLv9Lhxdd9093zULa2aNcoP04Bk29e5NidgRcEr/T0rAr2WYi4BhjTiCDoQiRU56meUE5rppLKZzQ=="),
    Package("objection", "3.1.5",
            "sha512-Hx/ipAwXSuRBbOMWFKtRsAN0yITafqXtWB4OT4Z9wED7ty1h7bOnBdhLtcNus23GwLJqcMsRWdodL2p5GwlnfQ=="),
    Package("mysql2", "3.26.1",
            "sha512-oaKGziozCVXn3/UQyGIvtSqdWyjbPx04+7/p9QAWOmPkUVSirQpzYaiT6stQys2dOeakrHvM4q46YUXpmUkt8w=="),
    Package("pg", "8.23.1",
            "sha512-aL96AHANtWjPLDOLqnhx+ngp9+UK7ETEU8VJrDCGvsSSi/mGLcWYsS6Herg7lmaBJe4uwrfqsa7gTEFaSizDoQ=="),
    Package("axios", "1.21.1",
            "sha512-6eI5Q/Y4u/Um9dDlsRoq5pY2rxnUTv+L4PpLitnbk/i4jb3MxLZ5CsN5Ih3IysbeRYK4pR+P7qfMsOQl9fwwFQ=="),
    Package("got", "14.6.6",
            "sha512-QLV1qeYSo5l13mQzWgP/y0LbMr5Plr5fJilgAIwgnwseproEbtNym8xpLsDzeZ6MWXgNE6kdWGBjdh3zT/Qerg=="),
    Package("node-fetch", "3.3.2",
            "sha512-dRB78srN/l6gqWulah9SrxeYnxeddIG30+GOqK/9OlLVyLg3HPnr6SqOWTWOXKRwC2eGYCkZ59NNuSgvSrpgOA=="),
    Package("superagent", "10.4.2",
            "sha512-u+PFV+VKiAKKzJqnCvveNya3N+pR/8jUZs/ek6jRfE41fpSCNdFY61L7NYmSgB6I9TTFM50ywoPXRKgw2k3wKw=="),
    Package("undici", "7.30.3",
            "sha512-Zlb+QdzEW3+j3Yt5GyAycC7nFHhrGQaZhK0C65WWslTvEh11sN3G5EkBkboFt+dcNZEGSFuK3XoDSq6YqmXo5Q=="),
    Package("ejs", "7.0.2",
            "sha512-LcDSEP6Oclb9sTiSyG0MpG0RuKvLDRxCOOt+2sIk+kdk1rMkFU8SRnT0qaNt5zvU0LOV1YXXOvIoZL/sKwabvw=="),
    Package("pug", "3.0.4",
            "sha512-kFfq5mMzrS7+wrl5pLJzZEzemx34OQ0w4SARfhy/3yxTlhbstsudDwJzhf1hP02yHzbjoVMSXUj/Sz6RNfMyXg=="),
    Package("handlebars", "4.7.10",
            "sha512-P5VJMVM7qgBn6vjXMw8WG9uVI+ncf2pi72j4de4yz5ZULLj2RGqLYaKOYGsgyrViQ0tePOVlN1tDCCXXtFqXKg=="),
    Package("nunjucks", "3.2.4",
            "sha512-26XRV6BhkgK0VOxfbU5cQI+ICFUtMLixv1noZn1tGU38kQH5A5nmmbk/O45xdyBhD1esk47nKrY0mvQpZIhRjQ=="),
    Package("commander", "14.0.3",
            "sha512-H+y0Jo/T1RZ9qPP4Eh1pkcQcLRglraJaSLoyOtHxu6AapkjWVCy2Sit1QQ4x3Dng8qDlSsZEet7g5Pq06MvTgw=="),
    Package("yargs", "18.2.0",
            "sha512-9OpKOLeaoNFecEp7P6iYbzze/5CqWoH7N3SMs/6y1XF4nMvFMspEGZzJ6uFi9MmQwXhyzqYoSEKO3tvA3Z/o2w=="),
    Package("rollup", "4.69.3",
            "sha512-IvHhlznYBMqePMsPb0Z5QLJIweHo4L6gQb5XC1cfmRDMNLfnx3bCLzcepRQFjVi5jXer4areo5CjcqSvab5ftA=="),
    Package("@babel/core", "7.29.17",
            "sha512-dP4g0UpATLviwEEb46bBaeL5MyW3q7LwqGoaQJvjXGS8tdpxckLtDTI9FBwA5ioVHnYoR2nRqCf1BmlMwbZV5A=="),
    Package("terser", "5.51.4",
            "sha512-VPi1CkDvCWLGUVIToctNBG+NdHbSXwOPjHJnQ3pdB0XknaldnI76wSkAFOGxV2ZdkzOP5d6gpQ5c58XvDghRvw=="),
    Package("postcss", "8.5.34",
            "sha512-P1Qzj0XXZjMda74C7qiVnBG90UKNbyNUAOeQRBW8X63RsIMV57gevRqjnkELdwtZ/S2/uQFksJhmwuN8xShLPw=="),
)


def fetch_all(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        if not is_present(package, work):
            print(f"{package.spec}: fetching", file=sys.stderr)
            fetch_package(package, work)


def scan(nodeward: Path, folder: Path, jobs: int, min_confidence: str) -> dict[str, Any]:
    command = [str(nodeward), "scan", str(folder), "--format", "json", "--no-progress", "--no-scorecard",
               "--min-confidence", min_confidence, "--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"nodeward failed on {folder} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def per_10k(count: int, lines: int) -> str:
    return f"{count * 10_000 / lines:.2f}" if lines else "-"


def render(reports: dict[Package, dict[str, Any]], details: bool) -> str:
    total_lines = sum(r["summary"]["lines_scanned"] for r in reports.values())
    by_rule: Counter[str] = Counter()
    packages_of_rule: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    hidden = 0
    for package, report in reports.items():
        hidden += report["summary"].get("hidden_in_test_code", 0)
        for finding in report["findings"]:
            by_rule[finding["rule_id"]] += 1
            packages_of_rule.setdefault(finding["rule_id"], set()).add(package.name)
            titles[finding["rule_id"]] = finding["title"]
    total = sum(by_rule.values())
    out = [f"{len(reports)} packages, {total_lines:,} lines; {total} findings, "
           f"{per_10k(total, total_lines)} per 10,000 lines ({hidden} more in test code, hidden)", ""]
    out += ["| rule | title | findings | per 10,000 lines | packages |", "| --- | --- | ---: | ---: | --- |"]
    for rule, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        names = ", ".join(sorted(packages_of_rule[rule]))
        out.append(f"| {rule} | {titles[rule]} | {count} | {per_10k(count, total_lines)} | {names} |")
    out.append(f"| **all** | | **{total}** | **{per_10k(total, total_lines)}** | |")
    out += ["", "| package | version | lines | findings | per 10,000 lines |", "| --- | --- | ---: | ---: | ---: |"]
    for package, report in reports.items():
        lines, count = report["summary"]["lines_scanned"], len(report["findings"])
        out.append(f"| {package.name} | {package.version} | {lines:,} | {count} | {per_10k(count, lines)} |")
    if details:
        out += ["", "Findings:"]
        for package, report in reports.items():
            for finding in report["findings"]:
                out.append(f"- {finding['rule_id']} {package.name}/{finding['path']}:{finding['start_line']} "
                           f"{finding['message'][:200]}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Findings per 10,000 lines on 40 popular npm packages.")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where the packages are extracted")
    parser.add_argument("--nodeward", type=Path, default=DEFAULT_NODEWARD, help="the nodeward executable")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes per scan (default: one per core)")
    parser.add_argument("--min-confidence", default="medium", choices=("low", "medium", "high"))
    parser.add_argument("--details", action="store_true", help="also list every finding")
    args = parser.parse_args(argv)
    try:
        fetch_all(args.work)
    except FetchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    reports = {}
    for package in PACKAGES:
        print(f"scanning {package.spec}", file=sys.stderr)
        reports[package] = scan(args.nodeward, args.work / package.directory_name, args.jobs, args.min_confidence)
    print(render(reports, args.details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
