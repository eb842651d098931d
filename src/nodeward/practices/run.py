"""The practices phase in the main process: app models from the code scanner's app facts, then app rules."""

from __future__ import annotations

import posixpath
import traceback
from collections.abc import Sequence
from typing import Any

from nodeward.findings import FileNotice, Finding
from nodeward.practices.base import app_rules
from nodeward.practices.model import AppModel, build_apps
from nodeward.scanners import FileResult
from nodeward.sources.discover import FileKind, SourceFile


def package_roots(files: Sequence[SourceFile]) -> list[str]:
    roots = [posixpath.dirname(f.display_path) for f in files if f.kind is FileKind.PACKAGE_JSON
             and "node_modules" not in f.display_path.split("/")]
    return [*roots, ""]


def join_apps(results: list[FileResult], files: Sequence[SourceFile], all_files: Sequence[SourceFile],
              selected: frozenset[str] | None) -> tuple[list[FileResult], list[AppModel]]:
    """App models of the tree and the app rules' findings (in an extra FileResult, suppressions applied)."""
    modules: dict[str, dict[str, Any]] = {file.display_path: r.summaries["app"]
                                          for file, r in zip(files, results[:len(files)], strict=True)
                                          if "app" in r.summaries}
    if not modules:
        return results, []
    try:
        apps = build_apps(modules, package_roots(all_files))
    except Exception as error:  # a bug in the app model must not end the scan
        where = traceback.extract_tb(error.__traceback__)[-1]
        notice = FileNotice("", "error", f"internal error in the app model: {type(error).__name__}: {error} "
                            f"({where.filename}:{where.lineno}); please report it")
        return [*results, FileResult(notices=[notice], scanned=False)], []
    if not apps:
        return results, []
    suppressions = {file.display_path: r.summaries.get("suppressions", {})
                    for file, r in zip(files, results[:len(files)], strict=True)}
    extra = FileResult(scanned=False)
    seen: set[tuple[str, str, int, int]] = set()
    for rule in app_rules(selected):
        for app in apps:
            try:
                found: list[Finding] = list(rule.check_app(app))
            except Exception as error:  # a rule bug must not end the scan
                where = traceback.extract_tb(error.__traceback__)[-1]
                extra.notices.append(FileNotice(app.path, "error", f"internal error in rule {rule.id}: "
                                                f"{type(error).__name__}: {error} ({where.filename}:{where.lineno}); "
                                                "please report it", app.line))
                continue
            for finding in found:
                key = (finding.rule_id, finding.path, finding.line, finding.location.start_column)
                if key in seen:
                    continue
                seen.add(key)
                directives = suppressions.get(finding.path, {})
                if any(k in (finding.rule_id, finding.rule_name) for k in directives.get(str(finding.line), [])):
                    extra.suppressed += 1
                else:
                    extra.findings.append(finding)
    return [*results, extra], apps
