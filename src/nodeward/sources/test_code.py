"""Which files hold tests, fixtures, examples and benchmarks: code that is not what a project ships to run.

The decision is made on the path relative to the directory the user asked to scan, never on the
absolute path: `nodeward scan examples/app` scans an app that happens to live in an examples folder,
and its files are its production code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

#: Folder names that hold test and example code at any depth of the tree.
TEST_CODE_DIRS = frozenset({
    "test", "tests", "__tests__", "__mocks__", "spec", "specs", "e2e", "fixture", "fixtures",
    "example", "examples", "bench", "benchmark", "benchmarks",
})
#: `x.test.js`, `x.spec.ts`, `x.e2e-spec.ts`, and a lone `test.js`/`tests.mjs` beside the code it tests.
_TEST_FILE = re.compile(r"\.(?:test|spec|e2e|e2e-spec)\.[^/.]+$|^tests?\.[cm]?[jt]sx?$", re.IGNORECASE)


def is_test_code(relative_path: str) -> bool:
    """True for a file (posix path relative to the scan root) in a test or example folder or named as a test."""
    *folders, name = relative_path.split("/")
    return any(folder.lower() in TEST_CODE_DIRS for folder in folders) or bool(_TEST_FILE.search(name))


def relative_to_scan_root(display_path: str, arguments: Sequence[Path]) -> str:
    """``display_path`` relative to the argument it was found under.

    With several arguments, discovery prefixes each file with its argument as given; with one directory
    the display path is already relative to it; a file argument is shown as given.
    """
    if len(arguments) > 1:
        for argument in sorted(arguments, key=lambda a: -len(a.as_posix())):
            prefix = argument.as_posix().rstrip("/")
            if prefix not in ("", ".") and display_path.startswith(prefix + "/"):
                return display_path[len(prefix) + 1:]
    return display_path
