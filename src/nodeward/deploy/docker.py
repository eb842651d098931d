"""Checks of one Dockerfile: the final stage's user, environment, installs and health check; secrets in
ENV/ARG and COPY; remote scripts, sudo, chmod, TLS and registry settings in RUN; base image pinning.

The checks that need the build context (`COPY . .` without a `.dockerignore`) live in ``dockerignore``.
"""

from __future__ import annotations

import datetime
import fnmatch
import posixpath
import re

from nodeward.deploy import knowledge
from nodeward.deploy.dockerfile import Dockerfile, Instruction, Stage, expand, key_values, parse_dockerfile, split_words
from nodeward.deploy.emit import Emitter
from nodeward.deploy.images import end_of_life, is_node_image, node_major, parse_image, runs_as_non_root
from nodeward.deploy.settings import (
    blank_shell_comments,
    inspect_problems,
    secret_setting,
    shell_problems,
    tls_off_setting,
)
from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule
from nodeward.rules.config.container_runs_as_root import ContainerRunsAsRoot
from nodeward.rules.config.dev_dependencies_in_final_image import DevDependenciesInFinalImage
from nodeward.rules.config.end_of_life_node_version import EndOfLifeNodeVersion
from nodeward.rules.config.image_without_healthcheck import ImageWithoutHealthcheck
from nodeward.rules.config.insecure_registry_in_npm_config import InsecureRegistryInNpmConfig
from nodeward.rules.config.node_env_not_production import NodeEnvNotProduction
from nodeward.rules.config.node_inspector_exposed import NodeInspectorExposed
from nodeward.rules.config.npm_install_instead_of_ci import NpmInstallInsteadOfCi
from nodeward.rules.config.secret_file_copied_into_image import SecretFileCopiedIntoImage
from nodeward.rules.config.secret_in_container_config import SecretInContainerConfig
from nodeward.rules.config.ssh_server_in_container import SshServerInContainer
from nodeward.rules.config.sudo_in_dockerfile import SudoInDockerfile
from nodeward.rules.config.tls_verification_disabled_in_config import TlsVerificationDisabledInConfig
from nodeward.rules.config.unpinned_container_image import UnpinnedContainerImage
from nodeward.rules.config.unverified_remote_download import UnverifiedRemoteDownload
from nodeward.rules.config.world_writable_permissions import WorldWritablePermissions
from nodeward.secrets.engine import is_secret_name

#: Which rule a shell problem found in RUN belongs to.
_SHELL_RULES: dict[str, type[Rule]] = {
    "remote-code": UnverifiedRemoteDownload,
    "sudo": SudoInDockerfile,
    "tls-off": TlsVerificationDisabledInConfig,
    "http-registry": InsecureRegistryInNpmConfig,
    "ssh-server": SshServerInContainer,
    "world-writable": WorldWritablePermissions,
    "inspect-all": NodeInspectorExposed,
}
_NPM_INSTALL = re.compile(r"\bnpm\s+(?:install|i|add|isntall)\b(?P<args>[^;&|\n]*)")
_YARN_INSTALL = re.compile(r"\byarn(?:\s+install)?(?P<args>(?:\s+--?[\w=\-]+)*)\s*(?=$|[;&|\n])")
_DEPS_INSTALL = re.compile(
    r"\b(?:npm\s+(?:ci|install|i)|yarn(?:\s+install)?|pnpm\s+(?:install|i))\b(?P<args>[^;&|\n]*)"
)
_RUNS_NODE = re.compile(r"(?:^|[\s/\"'\[,])(?:node|nodejs|npm|npx|yarn|pnpm|pm2|pm2-runtime)(?:$|[\s\"',\]])")
_REMOTE_SOURCE = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_NODE_ENV_INLINE = re.compile(r"\bNODE_ENV=[\"']?production\b")


def check_dockerfile(
    text: str, emit: Emitter, today: datetime.date, dev_dependencies: bool | None = None
) -> Dockerfile:
    """Every per-file Dockerfile finding into ``emit``; returns the parse (its problems become notices).
    ``dev_dependencies``: whether the build context's package.json declares any (None: not known)."""
    dockerfile = parse_dockerfile(text)
    if not dockerfile.stages:
        return dockerfile
    stage_names = {s.name.lower() for s in dockerfile.stages if s.name}
    final = dockerfile.stages[-1]
    for stage in dockerfile.stages:
        is_final = stage is final
        for instruction in stage.instructions:
            _check_instruction(instruction, stage, is_final, stage_names, emit, today)
    _check_user(dockerfile, final, emit)
    if _is_node_stage(final):
        _check_node_env(final, emit)
        if dev_dependencies is not False:  # with none declared, an install cannot ship any
            _check_dev_dependencies(final, emit)
    _check_healthcheck(final, emit)
    return dockerfile


def _check_instruction(
    instruction: Instruction, stage: Stage, is_final: bool, stage_names: set[str], emit: Emitter, today: datetime.date
) -> None:
    keyword = instruction.keyword
    if keyword == "FROM":
        _check_base(stage, stage_names, emit, today)
    elif keyword in ("ENV", "ARG"):
        _check_variables(instruction, emit)
    elif keyword in ("RUN", "CMD", "ENTRYPOINT"):
        _check_commands(instruction, is_final, emit)
    elif keyword in ("COPY", "ADD"):
        _check_copy(instruction, emit)
    elif keyword == "EXPOSE":
        for word in instruction.rest.split():
            if word.split("/")[0] in knowledge.SSH_PORTS:
                emit.add(SshServerInContainer, instruction.line, f"`EXPOSE {word}` publishes an SSH port")


def _check_base(stage: Stage, stage_names: set[str], emit: Emitter, today: datetime.date) -> None:
    if not stage.resolved or stage.parent is not None or stage.base.lower() in stage_names:
        return
    if stage.base.lower() == "scratch":
        return
    image = parse_image(stage.base)
    if image.floating:
        what = "`:latest`" if image.tag else "no tag"
        emit.add(UnpinnedContainerImage, stage.line,
                 f"Base image `{stage.base}` has {what}: every build may get a different image")
    elif not image.digest:
        emit.add(UnpinnedContainerImage, stage.line,
                 f"Base image `{stage.base}` is not pinned by digest (`@sha256:...`)", severity=Severity.LOW,
                 # An explicit tag already names the version; a digest hardens the supply chain further: an audit
                 # finding, shown with --min-confidence low.
                 confidence=Confidence.LOW)
    major = node_major(image)
    if major is not None:
        date = end_of_life(major, today)
        if date is not None:
            emit.add(EndOfLifeNodeVersion, stage.line,
                     f"Base image `{stage.base}` runs Node.js {major}, end of life since {date.isoformat()}",
                     severity=Severity.MEDIUM)


def _check_variables(instruction: Instruction, emit: Emitter) -> None:
    for name, value, line in key_values(instruction):
        where = f"{instruction.keyword} `{name}`"
        if value is None:
            if instruction.keyword == "ARG" and is_secret_name(name):
                emit.add(SecretInContainerConfig, line,
                         f"Build argument `{name}` passes a secret: its value is recorded in the image history "
                         "of every RUN that uses it; use `RUN --mount=type=secret`",
                         severity=Severity.MEDIUM, confidence=Confidence.MEDIUM)
            continue
        if tls_off_setting(name, value):
            emit.add(TlsVerificationDisabledInConfig, line, f"{where}={value} turns TLS certificate checks off")
        if name.upper() == "NODE_OPTIONS":
            for problem in inspect_problems(value):
                severity = Severity.HIGH if problem.problem == "inspect-all" else Severity.MEDIUM
                emit.add(NodeInspectorExposed, line, f"{where}: {problem.meaning}", severity=severity)
        secret = secret_setting(name, value)
        if secret is not None:
            severity = Severity.LOW if secret.weak else Severity.HIGH
            confidence = Confidence.LOW if secret.weak else None
            emit.add(SecretInContainerConfig, line,
                     f"{where} {secret.reason} (`{secret.shown}`): it is stored in the image", severity=severity,
                     confidence=confidence, hide=value)
        elif instruction.keyword == "ENV" and "$" in value and is_secret_name(name):
            emit.add(SecretInContainerConfig, line,
                     f"{where} copies `{value}` into the image's environment, readable with `docker inspect`",
                     severity=Severity.MEDIUM, confidence=Confidence.MEDIUM)


def _locate(instruction: Instruction, offset: int) -> int:
    """The line of ``offset`` in `instruction.shell_text`."""
    head = " ".join(instruction.exec_form) if instruction.exec_form is not None else instruction.rest
    if offset <= len(head):
        return instruction.line if instruction.exec_form is not None else instruction.line_of_rest(offset)
    position = len(head) + 1
    for heredoc in instruction.heredocs:
        if offset <= position + len(heredoc.body):
            return heredoc.line + heredoc.body.count("\n", 0, offset - position)
        position += len(heredoc.body) + 1
    return instruction.line


def _check_commands(instruction: Instruction, is_final: bool, emit: Emitter) -> None:
    text = blank_shell_comments(instruction.shell_text)
    reported: set[tuple[str, int]] = set()
    for problem in shell_problems(text):
        rule = _SHELL_RULES.get(problem.problem)
        if problem.problem == "inspect" and is_final and instruction.keyword != "RUN":
            rule = NodeInspectorExposed
            severity: Severity | None = Severity.MEDIUM
        else:
            severity = None
        if rule is None or (rule is SudoInDockerfile and instruction.keyword != "RUN"):
            continue
        line = _locate(instruction, problem.offset)
        if (rule.id, line) in reported:
            continue
        reported.add((rule.id, line))
        emit.add(rule, line, f"{instruction.keyword} {problem.meaning}", severity=severity)
    if instruction.keyword != "RUN":
        return
    for match in _NPM_INSTALL.finditer(text):
        packages = [w for w in (split_words(match.group("args")) or []) if not w.startswith("-")]
        if not packages:
            emit.add(NpmInstallInsteadOfCi, _locate(instruction, match.start()),
                     "`npm install` may ignore and rewrite the lockfile; use `npm ci`")
    for match in _YARN_INSTALL.finditer(text):
        args = match.group("args")
        if "--frozen-lockfile" not in args and "--immutable" not in args:
            emit.add(NpmInstallInsteadOfCi, _locate(instruction, match.start()),
                     "`yarn install` without `--frozen-lockfile`/`--immutable` may rewrite the lockfile")


def _copy_sources(instruction: Instruction) -> list[str]:
    words = instruction.exec_form if instruction.exec_form is not None else split_words(instruction.rest)
    if not words or len(words) < 2:
        return []
    return [w for w in words[:-1] if not w.startswith("<<")]


def _check_copy(instruction: Instruction, emit: Emitter) -> None:
    chmod = instruction.flags.get("chmod", "")
    if chmod and chmod.isdigit() and int(chmod[-1]) & 2:
        emit.add(WorldWritablePermissions, instruction.line, f"{instruction.keyword} --chmod={chmod} lets anyone write")
    if "from" in instruction.flags:
        return  # from another stage or image: not from the build context
    for source in _copy_sources(instruction):
        if _REMOTE_SOURCE.match(source):
            if instruction.keyword == "ADD" and "checksum" not in instruction.flags:
                emit.add(UnverifiedRemoteDownload, instruction.line,
                         f"`ADD {source}` downloads at build time without `--checksum`")
            continue
        base = posixpath.basename(posixpath.normpath(source.rstrip("/"))).lower()
        for pattern, severity in knowledge.SECRET_COPY_SOURCES.items():
            if fnmatch.fnmatchcase(base, pattern) and not base.endswith(knowledge.ENV_DOCUMENTATION):
                emit.add(SecretFileCopiedIntoImage, instruction.line,
                         f"{instruction.keyword} `{source}` puts a secret file into an image layer", severity=severity)
                break


def _last(stage: Stage, keyword: str) -> Instruction | None:
    found = [i for i in stage.all_instructions() if i.keyword == keyword]
    return found[-1] if found else None


def _check_user(dockerfile: Dockerfile, final: Stage, emit: Emitter) -> None:
    user = _last(final, "USER")
    if user is not None:
        name = (user.rest.split() or [""])[0]
        expanded, resolved = expand(name, {**{k: v for k, v in dockerfile.global_args.items()}, **final.variables})
        if not resolved or not expanded:
            return
        if expanded.lower() in knowledge.ROOT_USERS or expanded.split(":")[0] in ("root", "0"):
            emit.add(ContainerRunsAsRoot, user.line, f"The final stage switches to `USER {name}`: the app runs as root")
            emit.practice("sandboxing", "missing", f"{emit.display_path}:{user.line} USER {name} (root)", user.line)
        else:
            emit.practice("sandboxing", "in-place", f"{emit.display_path}:{user.line} USER {name}", user.line)
        return
    base = final.external_base
    if base and runs_as_non_root(parse_image(base)):
        emit.practice("sandboxing", "in-place", f"{emit.display_path}:{final.line} base image {base} runs as non-root",
                      final.line)
        return
    in_build = [s for s in dockerfile.stages if s is not final and any(i.keyword == "USER" for i in s.instructions)]
    if in_build:
        message = "`USER` is set only in a build stage; the final stage runs as root"
    else:
        message = "The final stage sets no `USER`: the app runs as root"
    emit.add(ContainerRunsAsRoot, final.line, message)
    emit.practice("sandboxing", "missing", f"{emit.display_path}:{final.line} final stage runs as root (no USER)",
                  final.line)


def _is_node_stage(stage: Stage) -> bool:
    base = stage.external_base
    if base and is_node_image(parse_image(base)):
        return True
    return any(_RUNS_NODE.search(i.shell_text) for i in stage.all_instructions() if i.keyword in ("CMD", "ENTRYPOINT"))


def _node_env(stage: Stage) -> tuple[Instruction, str] | None:
    found: tuple[Instruction, str] | None = None
    for instruction in stage.all_instructions():
        if instruction.keyword == "ENV":
            for name, value, _ in key_values(instruction):
                if name == "NODE_ENV" and value is not None:
                    found = (instruction, value)
    return found


def _check_node_env(final: Stage, emit: Emitter) -> None:
    found = _node_env(final)
    if found is None:
        emit.add(NodeEnvNotProduction, final.line, "The final stage of this Node.js image does not set "
                 "`NODE_ENV=production`")
        return
    instruction, value = found
    if "$" not in value and value.strip().lower() != "production":
        emit.add(NodeEnvNotProduction, instruction.line, f"`NODE_ENV={value}` in the final image")


def _check_dev_dependencies(final: Stage, emit: Emitter) -> None:
    production_env = False
    installs: list[tuple[Instruction, int]] = []
    for instruction in final.all_instructions():
        if instruction.keyword == "ENV":
            for name, value, _ in key_values(instruction):
                if name == "NODE_ENV":
                    production_env = (value or "").lower() == "production"
        if instruction.keyword != "RUN":
            continue
        text = blank_shell_comments(instruction.shell_text)
        lower = " ".join(text.lower().split())
        if any(command in lower for command in knowledge.PRUNE_COMMANDS):
            installs.clear()
        for match in _DEPS_INSTALL.finditer(text):
            args = " ".join(match.group("args").split())
            if any(w for w in (split_words(args) or []) if not w.startswith("-")) and "ci" not in match.group(0):
                continue  # `npm install some-package`: a named package, not the project's dependencies
            if production_env or any(flag in args for flag in knowledge.OMIT_DEV_FLAGS):
                continue
            if _NODE_ENV_INLINE.search(text[max(0, match.start() - 40) : match.start()]):
                continue
            installs.append((instruction, match.start()))
    for instruction, offset in installs:
        emit.add(DevDependenciesInFinalImage, _locate(instruction, offset),
                 "Dependencies are installed in the final stage without `--omit=dev`: dev dependencies ship")


def _check_healthcheck(final: Stage, emit: Emitter) -> None:
    healthcheck = _last(final, "HEALTHCHECK")
    if healthcheck is None:
        emit.add(ImageWithoutHealthcheck, final.line, "The final stage has no `HEALTHCHECK`")
    elif (healthcheck.rest.split() or [""])[0].upper() == "NONE":
        emit.add(ImageWithoutHealthcheck, healthcheck.line, "`HEALTHCHECK NONE` switches the health check off")
