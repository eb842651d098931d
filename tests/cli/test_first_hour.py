"""What a new user meets in the first hour, run as they run it: in a terminal, with a typo, an empty folder,
--no-color or NO_COLOR, a repository, `init`, and the words of the report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.safety.git_traps import run_in_terminal

EXAMPLE = ROOT / "examples" / "vulnerable-express"
ESCAPE = "\x1b"

# An app and a copy of it for the tests, built in the same file: two nearly identical scorecards.
APP_WITH_TEST_COPY = """\
const express = require("express");
const cp = require("child_process");

function build() {
  const app = express();
  app.get("/run", (req, res) => res.send(cp.execSync("ls " + req.query.dir).toString()));
  app.get("/health", (req, res) => res.send("ok"));
  return app;
}

const app = build();
app.listen(3000);

const testApp = express();
testApp.use(require("helmet")());
testApp.get("/run", (req, res) => res.send(cp.execSync("ls " + req.query.dir).toString()));
testApp.get("/health", (req, res) => res.send("ok"));
module.exports = { app, testApp };
"""


def terminal(*args: str, columns: int = 80, env: dict[str, str] | None = None,
             cwd: Path = ROOT) -> tuple[int, str]:
    """``nodeward ARGS`` at a terminal ``columns`` wide, as a user types it: exit status and the screen's text."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment.update({"TERM": "xterm-256color", "PYTHONWARNINGS": "ignore", **(env or {})})
    return run_in_terminal([sys.executable, "-m", "nodeward", *args], environment, cwd, timeout=300,
                           columns=columns)


def screen_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


# -- exit codes and empty scans ------------------------------------------------------------------------


def test_a_folder_without_anything_to_scan_says_that_nothing_was_scanned_and_why(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("module.exports = 1;\n")
    done = run_cli("scan", str(tmp_path), "--no-progress")
    assert done.returncode == 0
    assert "nothing was scanned" in done.stderr
    assert "JavaScript/TypeScript sources" in done.stderr  # why: what it would have read
    assert "1 path skipped (--verbose lists them)" in done.stderr  # node_modules
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\x00\x01\x02" * 100)
    binary = run_cli("scan", str(tmp_path), "--no-progress")
    assert "nothing was scanned: 1 file found" in binary.stderr and "binary" in binary.stderr


def test_a_code_only_scan_of_a_python_project_says_nothing_was_scanned(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    done = run_cli("scan", str(tmp_path), "--scanners", "code", "-f", "json")
    assert json.loads(done.stdout)["summary"]["files_scanned"] == 0  # the report itself stays valid
    assert "nothing was scanned" in done.stderr and "any text file" not in done.stderr


# -- terminal output -------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["--no-color", "NO_COLOR"])
def test_no_color_and_NO_COLOR_write_plain_text_at_a_terminal(how: str) -> None:
    args = ["scan", str(EXAMPLE), "--no-progress"] + (["--no-color"] if how == "--no-color" else [])
    status, shown = terminal(*args, env={"NO_COLOR": "1"} if how == "NO_COLOR" else None)
    assert status == 1, shown
    assert "NW102" in shown and "Practices scorecard" in shown
    assert ESCAPE not in shown  # no colour, and no bold, dim or underline either


def test_colour_at_a_terminal_by_default() -> None:
    status, shown = terminal("scan", str(EXAMPLE), "--no-progress")
    assert status == 1 and ESCAPE in shown


@pytest.mark.parametrize("columns", [80, 120])
def test_the_report_fits_the_terminal_width(columns: int) -> None:
    status, shown = terminal("scan", str(EXAMPLE), "--no-progress", "--no-color", columns=columns)
    assert status == 1, shown
    widths = [len(line) for line in screen_lines(shown)]
    assert max(widths) <= columns, [line for line in screen_lines(shown) if len(line) > columns]
    # long messages and evidence are wrapped, not cut: the whole text is there
    flat = " ".join(line.strip(" │┃") for line in screen_lines(shown))
    assert "X-Content-Type-Options" in flat and "upgrade to 4.17.11" in flat


def test_long_code_lines_are_cut_around_the_flagged_part() -> None:
    status, shown = terminal("scan", str(EXAMPLE), "--no-progress", "--no-color", "--select", "NW105")
    assert status == 1, shown
    frame = next(line for line in screen_lines(shown) if line.lstrip().startswith("7 |"))
    caret = screen_lines(shown)[screen_lines(shown).index(frame) + 1]
    assert frame.endswith("…") and len(frame) <= 80
    assert frame[caret.index("^")] == "/"  # the caret still points at the regular expression


def test_an_app_and_its_test_copy_get_one_scorecard_and_a_one_line_summary(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "shop", "dependencies": {"express": "4.18.2"}}')
    (tmp_path / "app.js").write_text(APP_WITH_TEST_COPY)
    done = run_cli("scan", str(tmp_path), "--no-color", env={"COLUMNS": "100"})
    tables = [line for line in done.stdout.splitlines() if line.startswith("Practices scorecard:")]
    assert tables == ["Practices scorecard: express app (app.js:5)"], done.stdout
    assert "1 more app with nearly the same scorecard" in done.stdout
    assert ("express testApp (app.js:14): as express app (app.js:5), except security-headers partly (there missing)"
            in " ".join(done.stdout.split())), done.stdout
    every = run_cli("scan", str(tmp_path), "--no-color", "--verbose", env={"COLUMNS": "100"})
    assert every.stdout.count("Practices scorecard:") == 2
    data = json.loads(run_cli("scan", str(tmp_path), "-f", "json").stdout)
    assert len(data["scorecard"]) == 2  # the data keeps both


# -- words ---------------------------------------------------------------------------------------------------


def test_a_repository_is_not_reported_as_a_skipped_path_and_history_reads_well(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("module.exports = 1;\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    done = run_cli("scan", str(tmp_path), "--no-color", "--history")
    assert "skipped" not in done.stdout, done.stdout  # .git is not a path the user expected scanned
    assert "history: 1 commit, " in done.stdout and "history .:" not in done.stdout
    (tmp_path / "big.min.js").write_text("var a=" + "1+" * 300 + "1;\n")
    assert "1 path skipped (--verbose lists them)" in run_cli("scan", str(tmp_path), "--no-color").stdout


def test_a_scorecard_line_about_the_whole_tree_names_no_line_zero() -> None:
    done = run_cli("scan", str(EXAMPLE), "--no-color", env={"COLUMNS": "200"})
    line = next(line for line in done.stdout.splitlines() if "file-permissions" in line)
    assert "no keys, .env, credential, log, database or dump files on disk" in line
    assert ".:0" not in done.stdout and "configuration fact" not in line


def test_every_scanner_a_report_names_is_accepted_by_the_scanners_option() -> None:
    report = run_cli("scan", str(EXAMPLE), "-f", "markdown").stdout
    by_scanner = next(line for line in report.splitlines() if " · " in line)  # "code: 16 · deps: 1"
    named = set(re.findall(r"(\w+): \d+", by_scanner))
    assert {"code", "deps"} <= named, report
    for name in named:
        done = run_cli("scan", str(EXAMPLE), "--scanners", name, "-f", "json")
        assert done.returncode in (0, 1), (name, done.stderr)


def test_help_and_init_name_only_commands_that_exist(tmp_path: Path) -> None:
    commands = set(re.findall(r"^  (\w+)", run_cli("--help").stdout.split("Commands:", 1)[1], re.MULTILINE))
    assert {"scan", "db", "init", "secrets", "rules"} <= commands
    run_cli("init", str(tmp_path))
    texts = [run_cli("scan", "--help").stdout, (tmp_path / ".nodeward.toml").read_text()]
    for text in texts:
        for command in re.findall(r"`nodeward (\w+)", text):
            assert command in commands, command
    scan_help = " ".join(texts[0].split())
    assert "code, secrets, templates, config, deps" in scan_help
