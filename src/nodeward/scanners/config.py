"""The configuration scanner: Dockerfiles, compose files and Kubernetes manifests (recognised by content),
`.npmrc` and `package.json` one file at a time in the workers; the build context of each Dockerfile and
the modes of sensitive files on disk once per scan in the main process.

The checks live in `nodeward.deploy`; this module adapts them to the scanner protocols, turns parse
problems into notices and hands the practices evidence on in `FileResult.summaries["practices"]`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from nodeward.datafiles import DataFileError, load_json
from nodeward.deploy.docker import check_dockerfile
from nodeward.deploy.emit import Emitter
from nodeward.findings import FileNotice
from nodeward.scanners import FileResult, ProjectContext
from nodeward.sources.discover import AUXILIARY_MAX_SIZE, FileKind, SourceFile, read_regular_file

#: How many parse problems of one Dockerfile are reported before the rest are summed up.
_MAX_PROBLEMS = 3


class ConfigScanner:
    """Dockerfile, compose, Kubernetes, .npmrc and package.json settings."""

    name = "config"
    kinds = frozenset({FileKind.DOCKERFILE, FileKind.YAML, FileKind.NPMRC, FileKind.PACKAGE_JSON})

    def __init__(self, selected: frozenset[str] | None = None, today: datetime.date | None = None) -> None:
        self.selected = selected
        self.today = today or datetime.date.today()

    def scan_file(self, file: SourceFile, data: bytes, text: str) -> FileResult:
        result = FileResult()
        emit = Emitter(file.display_path, text.splitlines(), self.selected)
        path = file.display_path
        if file.kind is FileKind.DOCKERFILE:
            parsed = check_dockerfile(text, emit, self.today, _declares_dev_dependencies(file.path.parent))
            if not parsed.stages and parsed.problems:
                line, problem = parsed.problems[0]
                result.notices.append(FileNotice(path, "skipped", f"not a Dockerfile (no FROM; {problem})", line))
            else:
                for line, problem in parsed.problems[:_MAX_PROBLEMS]:
                    result.notices.append(FileNotice(path, "partial-parse", f"Dockerfile: {problem}", line))
                if len(parsed.problems) > _MAX_PROBLEMS:
                    result.notices.append(FileNotice(
                        path, "partial-parse", f"Dockerfile: {len(parsed.problems) - _MAX_PROBLEMS} more problems"))
        elif file.kind is FileKind.YAML:
            from nodeward.deploy.manifests import check_yaml

            problem, problem_line, _ = check_yaml(text, emit)
            if problem:
                kind = "partial-parse" if emit.findings or emit.practices else "skipped"
                result.notices.append(FileNotice(path, kind, problem, problem_line))
        elif file.kind is FileKind.NPMRC:
            from nodeward.deploy.npm import check_npmrc

            check_npmrc(text, emit)
        elif file.kind is FileKind.PACKAGE_JSON:
            from nodeward.deploy.npm import check_package_json

            problem = check_package_json(text, emit, self.today, file.path.parent)
            if problem:
                result.notices.append(FileNotice(path, "skipped", f"package.json: {problem}"))
        result.findings, result.secrets = emit.findings, emit.secrets
        if emit.practices:
            result.summaries["practices"] = emit.practices
        return result


def _declares_dev_dependencies(context: Path) -> bool | None:
    """Whether the package.json of a Dockerfile's build context (its folder) declares dev dependencies;
    None when there is none to read, so that an install is judged without that knowledge."""
    try:
        manifest = load_json(read_regular_file(context / "package.json", limit=AUXILIARY_MAX_SIZE).decode(
            "utf-8", "replace"))
    except (OSError, DataFileError):
        return None
    if not isinstance(manifest, dict):
        return None
    return bool(manifest.get("devDependencies"))


class ConfigProjectScanner:
    """What needs the tree around the files: `.dockerignore` of each build context, modes on disk."""

    name = "config"
    kinds = frozenset({FileKind.DOCKERFILE})

    def __init__(self, selected: frozenset[str] | None = None) -> None:
        self.selected = selected

    def scan_project(self, files: Sequence[SourceFile], context: ProjectContext) -> FileResult:
        from nodeward.deploy.dockerignore import check_build_contexts
        from nodeward.deploy.permissions import check_permissions

        result = FileResult(scanned=False)
        check_build_contexts(files, result, self.selected)
        exclude = tuple(getattr(context.options, "exclude", ()) or ())
        check_permissions(context.roots, result, self.selected, exclude=exclude)
        return result
