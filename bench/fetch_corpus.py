#!/usr/bin/env python3
"""Fetch the benchmark corpus: real npm packages at pinned versions, extracted into bench/corpus/<name>/.

Each package is downloaded with ``npm pack NAME@VERSION`` (the tarball as published, without
dependencies), checked against the sha512 integrity pinned below, and extracted. A package whose
directory already holds the pinned version is left alone, so running this again costs nothing.
Directories in bench/corpus/ that are not in the list are removed: the corpus is exactly this list.

Usage: python bench/fetch_corpus.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = BENCH_DIR / "corpus"
#: Written last into each package directory; its presence means the package is complete.
MARKER = ".bench-package.json"


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    integrity: str  # as the registry gives it: "sha512-<base64>"

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def directory_name(self) -> str:
        # Scoped names ("@scope/name") would need a flat directory name.
        return self.name.replace("/", "__").lstrip("@")


#: The corpus. About 268,000 lines of JavaScript as nodeward counts them (see bench/README.md).
PACKAGES: tuple[Package, ...] = (
    Package(
        "express",
        "4.21.2",
        "sha512-28HqgMZAmih1Czt9ny7qr6ek2qddF4FclbMzwhCREB6OFfH+rXAnuNCwo1/wFvrtbgsQDb4kSbX9de9lFbrXnA==",
    ),
    Package(
        "lodash",
        "4.17.21",
        "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==",
    ),
    Package(
        "moment",
        "2.30.1",
        "sha512-uEmtNhbDOrWPFS+hdjFCBfy9f2YoyzRpwcl+DqpC6taX21FzsTLQVbMV/W7PzNSX6x/bhC1zA3c2UQ5NzH6how==",
    ),
    Package(
        "webpack",
        "5.97.1",
        "sha512-EksG6gFY3L1eFMROS/7Wzgrii5mBAFe4rIr3r2BTfo7bcc+DWwFZ4OJ/miOuHJO/A85HwyI4eQ0F6IKXesO7Fg==",
    ),
    Package(
        "ws",
        "8.18.0",
        "sha512-8VbfWfHLbbwu3+N6OKsOMpBdT4kXPDDB9cJk2bJ6mh9ucxdlnNvH1e+roYkKmN9Nxw2yjz7VzeO9oOz2zJ04Pw==",
    ),
    Package(
        "axios",
        "1.7.9",
        "sha512-LhLcE7Hbiryz8oMDdDptSrWowmB4Bl6RCt6sIJKpRB4XtVf0iEgewX3au/pJqm+Py1kCASkb/FFKjxQaLtxJvw==",
    ),
    Package(
        "commander",
        "12.1.0",
        "sha512-Vw8qHK3bZM9y/P10u3Vib8o/DdkvA2OtPtZvD871QKjy74Wj1WSKFILMPRPSdUSx5RFK1arlJzEtA4PkFgnbuA==",
    ),
)


class FetchError(Exception):
    """A package could not be fetched or did not match its pin."""


def is_present(package: Package, corpus: Path) -> bool:
    """True when ``corpus`` already holds exactly the pinned ``package``."""
    marker = corpus / package.directory_name / MARKER
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded == _marker_content(package)


def missing_packages(corpus: Path = DEFAULT_CORPUS) -> list[Package]:
    return [package for package in PACKAGES if not is_present(package, corpus)]


def _marker_content(package: Package) -> dict[str, str]:
    return {"name": package.name, "version": package.version, "integrity": package.integrity}


def _sha512_integrity(path: Path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


def _npm_pack(package: Package, destination: Path) -> Path:
    """Download the tarball of ``package`` into ``destination`` and return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not on PATH; install Node.js and npm to fetch the corpus")
    command = [npm, "pack", package.spec, "--json", "--pack-destination", str(destination)]
    completed = subprocess.run(command, cwd=destination, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise FetchError(f"npm pack {package.spec} failed:\n{completed.stderr.strip()}")
    try:
        filename = str(json.loads(completed.stdout)[0]["filename"])
    except (ValueError, LookupError, TypeError) as exc:
        raise FetchError(f"unexpected output from npm pack {package.spec}: {completed.stdout[:500]!r}") from exc
    # Scoped packages are named "scope-name-1.0.0.tgz"; npm reports the name it wrote.
    tarball = destination / os.path.basename(filename)
    if not tarball.is_file():
        raise FetchError(f"npm pack {package.spec} did not write {tarball}")
    return tarball


def _extract(tarball: Path, target: Path) -> None:
    """Extract ``tarball`` into ``target``, dropping the top directory ("package/") of every member."""
    with tarfile.open(tarball, "r:gz") as archive:
        members = []
        for member in archive.getmembers():
            parts = member.name.lstrip("./").split("/", 1)
            if len(parts) < 2 or not parts[1]:
                continue
            member.name = parts[1]
            members.append(member)
        # The "data" filter refuses absolute paths, links out of the target and device files.
        archive.extractall(target, members=members, filter="data")


def fetch_package(package: Package, corpus: Path) -> None:
    """Fetch ``package`` into ``corpus``, replacing whatever was in its directory."""
    target = corpus / package.directory_name
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=corpus) as scratch:
        scratch_path = Path(scratch)
        tarball = _npm_pack(package, scratch_path)
        integrity = _sha512_integrity(tarball)
        if integrity != package.integrity:
            raise FetchError(
                f"{package.spec}: the tarball's integrity {integrity} differs from the pinned {package.integrity}"
            )
        staging = scratch_path / "package"
        staging.mkdir()
        _extract(tarball, staging)
        (staging / MARKER).write_text(json.dumps(_marker_content(package), indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)


def fetch_corpus(corpus: Path = DEFAULT_CORPUS, *, verbose: bool = True) -> None:
    """Make ``corpus`` hold exactly :data:`PACKAGES`, downloading only what is missing."""
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = {package.directory_name for package in PACKAGES}
    for entry in sorted(corpus.iterdir()):
        if entry.name not in wanted:
            if verbose:
                print(f"removing {entry} (not in the pinned package list)", file=sys.stderr)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    for package in PACKAGES:
        if is_present(package, corpus):
            if verbose:
                print(f"{package.spec}: present", file=sys.stderr)
            continue
        if verbose:
            print(f"{package.spec}: fetching", file=sys.stderr)
        fetch_package(package, corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch the pinned npm packages of the benchmark corpus.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="where to put the packages")
    args = parser.parse_args(argv)
    try:
        fetch_corpus(args.corpus)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
