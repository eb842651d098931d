"""Checks of npm settings: `.npmrc` (TLS, plain-HTTP registries) and `package.json` (scripts that run
downloads or start the inspector, `engines.node` ranges that admit end-of-life Node.js).

Literal tokens in `.npmrc` are the secrets scanner's (NW506); these rules are about the settings.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

from nodeward.datafiles import DataFileError, load_json
from nodeward.deploy.emit import Emitter
from nodeward.deploy.images import end_of_life
from nodeward.deploy.settings import inspect_problems, shell_problems
from nodeward.deps.semver import lowest_version
from nodeward.findings import Severity
from nodeward.rules.config.end_of_life_node_version import EndOfLifeNodeVersion
from nodeward.rules.config.insecure_registry_in_npm_config import InsecureRegistryInNpmConfig
from nodeward.rules.config.node_inspector_exposed import NodeInspectorExposed
from nodeward.rules.config.tls_verification_disabled_in_config import TlsVerificationDisabledInConfig
from nodeward.rules.config.unverified_remote_download import UnverifiedRemoteDownload
from nodeward.sources.package_identity import is_published_package

_NPMRC_LINE = re.compile(r"^\s*(?P<key>[^=;#\s][^=]*?)\s*=\s*(?P<value>.*?)\s*$")
#: Scripts that start the app in production: `--inspect` there is reported even on localhost.
_START_SCRIPTS = frozenset({"start", "prestart", "serve", "start:prod", "start:production", "prod", "production"})


def check_npmrc(text: str, emit: Emitter) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        match = _NPMRC_LINE.match(line)
        if match is None:
            continue
        value = match.group("value").strip()
        if value[:1] in ("'", '"') and value[:1] in value[1:]:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = re.split(r"[;#]", value, maxsplit=1)[0].strip()  # npm's ini: an inline comment
        key = match.group("key").strip().lower()
        if key == "strict-ssl" and value.lower() in ("false", "0"):
            emit.add(TlsVerificationDisabledInConfig, number, "`strict-ssl=false`: npm accepts any certificate")
        elif (key == "registry" or key.endswith(":registry")) and value.lower().startswith("http://"):
            emit.add(InsecureRegistryInNpmConfig, number, f"`{match.group('key').strip()}` is plain HTTP: {value}")


def _line_of(lines: list[str], key: str, after: int = 0) -> int:
    """The line of the first `"key":` at or after line index ``after`` (1-based result)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    for index in range(after, len(lines)):
        if pattern.search(lines[index]):
            return index + 1
    return after + 1


def check_package_json(text: str, emit: Emitter, today: datetime.date, folder: Path | None = None) -> str:
    """Findings into ``emit``; returns a problem message when the file is not valid JSON. ``folder`` holds
    the package.json: a published package's `engines` say what it supports, not what runs in production."""
    try:
        data: Any = load_json(text)
    except DataFileError as error:
        return str(error)
    if not isinstance(data, dict):
        return ""
    lines = text.splitlines()
    scripts = data.get("scripts")
    if isinstance(scripts, dict):
        scripts_line = _line_of(lines, "scripts") - 1
        for name, command in scripts.items():
            if not isinstance(command, str):
                continue
            line = _line_of(lines, name, scripts_line)
            for problem in shell_problems(command):
                if problem.problem == "remote-code":
                    emit.add(UnverifiedRemoteDownload, line, f"Script `{name}` {problem.meaning}")
                elif problem.problem == "tls-off":
                    emit.add(TlsVerificationDisabledInConfig, line, f"Script `{name}` {problem.meaning}")
                elif problem.problem == "http-registry":
                    emit.add(InsecureRegistryInNpmConfig, line, f"Script `{name}` {problem.meaning}")
            for problem in inspect_problems(command):
                in_options = "NODE_OPTIONS" in command[: problem.offset]
                if problem.problem == "inspect-all":
                    emit.add(NodeInspectorExposed, line, f"Script `{name}`: {problem.meaning}")
                elif name in _START_SCRIPTS or in_options:
                    where = "sets `NODE_OPTIONS` with" if in_options else "starts the app with"
                    emit.add(NodeInspectorExposed, line, f"Script `{name}` {where} {problem.meaning.split(' ')[0]}"
                             " (the inspector in production)", severity=Severity.MEDIUM)
    engines = data.get("engines")
    node_range = engines.get("node") if isinstance(engines, dict) else None
    if isinstance(node_range, str) and not (folder is not None and is_published_package(data, folder)):
        lowest = lowest_version(node_range)
        if lowest is not None:
            major = int(lowest.split(".")[0])
            date = end_of_life(major, today)
            if date is not None:
                line = _line_of(lines, "node", _line_of(lines, "engines") - 1)
                label = f"{major}" if major else "0.x"
                emit.add(EndOfLifeNodeVersion, line, f"`engines.node` \"{node_range}\" admits Node.js {label}, "
                         f"end of life since {date.isoformat()}")
    return ""
