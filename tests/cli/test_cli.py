"""The command line as a user meets it: exit codes, formats, suppressions and bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from nodeward import __version__
from tests.conftest import ROOT, run_cli

VULNERABLE = 'const cp = require("child_process");\nfunction f(x) {\n  cp.exec("ls " + x);\n}\n'


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout


def test_findings_give_exit_1_and_a_readable_report(tmp_path: Path) -> None:
    write(tmp_path / "app.js", VULNERABLE)
    done = run_cli("scan", str(tmp_path), "--no-color")
    assert done.returncode == 1
    assert "app.js" in done.stdout
    assert "3:3" in done.stdout and "NW101" in done.stdout
    assert 'cp.exec("ls " + x);' in done.stdout  # code frame
    assert "fix:" in done.stdout
    assert "1 finding (1 high)" in done.stdout


def test_fail_on_threshold_decides_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path / "app.js", VULNERABLE)
    assert run_cli("scan", str(tmp_path), "--fail-on", "critical").returncode == 0
    assert run_cli("scan", str(tmp_path), "--fail-on", "high").returncode == 1


def test_clean_code_gives_exit_0(tmp_path: Path) -> None:
    write(tmp_path / "app.js", 'const cp = require("child_process");\ncp.exec("ls -la");\n')
    done = run_cli("scan", str(tmp_path), "--no-color")
    assert done.returncode == 0, done.stdout
    assert "0 findings in 1 files" in done.stdout


def test_missing_path_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    done = run_cli("scan", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "nope" in done.stderr
    assert_no_traceback(done)


def test_missing_path_beside_a_real_one_is_a_usage_error_before_any_scan(tmp_path: Path) -> None:
    """`nodeward scan clean-dir /typo/path` used to scan clean-dir and exit 0: a typo must not pass CI."""
    write(tmp_path / "src" / "app.js", VULNERABLE)
    done = run_cli("scan", str(tmp_path / "src"), str(tmp_path / "nope"), "--no-color")
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "nope" in done.stderr
    assert "NW101" not in done.stdout
    assert_no_traceback(done)


def test_json_report_has_the_documented_shape(tmp_path: Path) -> None:
    write(tmp_path / "app.js", VULNERABLE)
    done = run_cli("scan", str(tmp_path), "--format", "json")
    report = json.loads(done.stdout)
    assert report["schema_version"] == 1
    assert report["summary"]["files_scanned"] == 1 and report["summary"]["findings"] == 1
    finding = report["findings"][0]
    assert finding["rule_id"] == "NW101" and finding["path"] == "app.js"
    assert (finding["start_line"], finding["start_column"]) == (3, 3)
    assert finding["cwe"] == ["CWE-78"] and finding["severity"] == "high"
    assert len(finding["fingerprint"]) == 32


def test_fingerprint_survives_the_code_moving(tmp_path: Path) -> None:
    write(tmp_path / "app.js", VULNERABLE)
    before = json.loads(run_cli("scan", str(tmp_path), "-f", "json").stdout)["findings"][0]
    write(tmp_path / "app.js", "// a new header comment\n\n" + VULNERABLE)
    after = json.loads(run_cli("scan", str(tmp_path), "-f", "json").stdout)["findings"][0]
    assert after["start_line"] == before["start_line"] + 2
    assert after["fingerprint"] == before["fingerprint"]


def test_output_option_writes_the_report_to_a_file(tmp_path: Path) -> None:
    write(tmp_path / "src" / "app.js", VULNERABLE)
    out = tmp_path / "report.json"
    done = run_cli("scan", str(tmp_path / "src"), "-f", "json", "-o", str(out))
    assert done.returncode == 1
    assert json.loads(out.read_text())["findings"][0]["rule_id"] == "NW101"
    assert done.stdout == ""


def test_output_to_a_fifo_or_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` must not put a plain file in the device's place (a rename would, as root): shown on a FIFO."""
    write(tmp_path / "src" / "app.js", VULNERABLE)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_cli("scan", str(tmp_path / "src"), "-f", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert done.returncode == 1, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["findings"][0]["rule_id"] == "NW101"


def test_suppressions_need_a_rule_and_unused_ones_are_reported(tmp_path: Path) -> None:
    write(
        tmp_path / "app.js",
        'const cp = require("child_process");\n'
        "function f(x) {\n"
        '  cp.exec("a" + x); // nodeward-ignore NW101 -- input is validated upstream\n'
        "  // nodeward-ignore-next-line child-process-dynamic-command\n"
        '  cp.exec("b" + x);\n'
        '  cp.exec("c" + x); // nodeward-ignore\n'
        "  // nodeward-ignore-next-line NW101\n"
        '  cp.exec("constant");\n'
        "}\n",
    )
    done = run_cli("scan", str(tmp_path), "-f", "json")
    report = json.loads(done.stdout)
    assert [f["start_line"] for f in report["findings"]] == [6]
    assert report["summary"]["suppressed"] == 2
    kinds = {(n["kind"], n["line"]) for n in report["notices"]}
    assert ("invalid-suppression", 6) in kinds
    assert ("unused-suppression", 7) in kinds
    text = run_cli("scan", str(tmp_path), "--no-color").stdout
    assert "matched no finding" not in text
    verbose = run_cli("scan", str(tmp_path), "--no-color", "--verbose").stdout
    assert "suppression of NW101 matched no finding" in verbose


def test_bad_input_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "good.js", VULNERABLE)
    write(tmp_path / "binary.js", b"\x00\x01\x02const a = 1;\x00" * 100)
    write(tmp_path / "bundle.js", "var a=1;" * (5 * 1024 * 1024 // 8))
    latin1 = 'const cp = require("child_process");\n// caf\xe9\ncp.exec(process.argv[2]);\n'
    write(tmp_path / "latin1.js", latin1.encode("latin-1"))
    broken = 'const cp = require("child_process");\nif (a {\n  b(;\n}\ncp.exec(process.argv[2]);\n'
    write(tmp_path / "broken.js", broken)
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path / "loop", tmp_path / "loop" / "again")
    done = run_cli("scan", str(tmp_path), "--no-color", "--verbose", "-f", "json")
    assert_no_traceback(done)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    notices = {(n["path"], n["kind"]): n["message"] for n in report["notices"]}
    assert "binary" in notices[("binary.js", "skipped")]
    assert "minified" in notices[("bundle.js", "skipped")] or "too large" in notices[("bundle.js", "skipped")]
    assert "symlink loop" in " ".join(m for (p, k), m in notices.items() if p.startswith("loop"))
    assert "UTF-8" in notices[("latin1.js", "encoding")]
    assert "syntax error" in notices[("broken.js", "partial-parse")]
    flagged = {f["path"] for f in report["findings"]}
    assert {"good.js", "latin1.js", "broken.js"} <= flagged


def test_unreadable_file_is_reported_and_the_others_are_scanned(tmp_path: Path) -> None:
    write(tmp_path / "good.js", VULNERABLE)
    write(tmp_path / "secret.js", VULNERABLE).chmod(0o000)
    command = [sys.executable, "-m", "nodeward", "scan", str(tmp_path), "-f", "json"]
    if os.geteuid() == 0:  # root reads any file; drop the capabilities that allow it
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *command]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert_no_traceback(done)
    report = json.loads(done.stdout)
    messages = [n["message"] for n in report["notices"] if n["path"] == "secret.js"]
    assert messages and "unreadable" in messages[0].lower(), report["notices"]
    assert [f["path"] for f in report["findings"]] == ["good.js"]


def test_parallel_and_serial_scans_agree(tmp_path: Path) -> None:
    for index in range(12):
        write(tmp_path / f"m{index}.js", VULNERABLE)
    serial = json.loads(run_cli("scan", str(tmp_path), "-f", "json", "-j", "1").stdout)["findings"]
    parallel = json.loads(run_cli("scan", str(tmp_path), "-f", "json", "-j", "2").stdout)["findings"]
    assert serial == parallel and len(serial) == 12


def test_select_and_ignore_choose_rules(tmp_path: Path) -> None:
    write(tmp_path / "app.js", VULNERABLE)
    assert run_cli("scan", str(tmp_path), "--ignore", "NW101").returncode == 0
    assert run_cli("scan", str(tmp_path), "--select", "child-process-dynamic-command").returncode == 1
    done = run_cli("scan", str(tmp_path), "--select", "NW999")
    assert done.returncode == 2 and "unknown rule" in done.stderr
    assert_no_traceback(done)


def test_rules_and_rule_commands_show_the_metadata_and_docs() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0 and "NW101" in listing.stdout and "CWE-78" in listing.stdout
    doc = run_cli("rule", "NW101")
    assert doc.returncode == 0
    for heading in ("What it finds", "Why it matters", "How to fix", "Bad", "Good"):
        assert heading in doc.stdout
    unknown = run_cli("rule", "NW999")
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


def test_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0 and __version__ in done.stdout
