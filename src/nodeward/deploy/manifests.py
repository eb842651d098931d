"""Checks of YAML deployment files: docker-compose services and Kubernetes workloads.

Files are recognised by what they hold, not by their name: a document with `apiVersion` and `kind` is a
Kubernetes object; a document whose `services` map to mappings with compose keys (`image`, `build`,
`environment`...) is a compose file. Any other YAML is left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from nodeward.deploy import knowledge
from nodeward.deploy.emit import Emitter, PracticeStatus
from nodeward.deploy.images import parse_image
from nodeward.deploy.settings import inspect_problems, secret_setting, tls_off_setting
from nodeward.deploy.yamldoc import LineDict, LineList, load_documents
from nodeward.findings import Confidence, Severity
from nodeward.rules.base import Rule
from nodeward.rules.config.capabilities_not_dropped import CapabilitiesNotDropped
from nodeward.rules.config.container_runs_as_root import ContainerRunsAsRoot
from nodeward.rules.config.dangerous_capability_added import DangerousCapabilityAdded
from nodeward.rules.config.host_namespace_shared import HostNamespaceShared
from nodeward.rules.config.node_inspector_exposed import NodeInspectorExposed
from nodeward.rules.config.privilege_escalation_allowed import PrivilegeEscalationAllowed
from nodeward.rules.config.privileged_container import PrivilegedContainer
from nodeward.rules.config.secret_in_container_config import SecretInContainerConfig
from nodeward.rules.config.security_profile_disabled import SecurityProfileDisabled
from nodeward.rules.config.sensitive_host_path_mounted import SensitiveHostPathMounted
from nodeward.rules.config.tls_verification_disabled_in_config import TlsVerificationDisabledInConfig
from nodeward.rules.config.unpinned_container_image import UnpinnedContainerImage
from nodeward.rules.config.writable_root_filesystem import WritableRootFilesystem

#: Cheap test before parsing: only YAML that may be compose or Kubernetes is parsed at all.
_CANDIDATE = re.compile(r"^\s*(?:services|apiVersion|kind)\s*:", re.MULTILINE)
_TEMPLATE = re.compile(r"\{\{.*?\}\}")
_COMPOSE_SERVICE_KEYS = frozenset({
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes", "depends_on",
    "privileged", "cap_add", "cap_drop", "network_mode", "user", "restart", "healthcheck", "security_opt",
    "container_name", "networks", "expose", "working_dir", "deploy", "read_only", "pid", "ipc",
})
_POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                                 "ReplicationController"})
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
#: Problems that make a workload "missing" sandboxing; the others ("low") make it "partly".
_SANDBOX_BREAKERS = frozenset({"NW701", "NW713", "NW714", "NW715", "NW716", "NW717"})


class _Tracker:
    """Counts the findings of one service or container, for its practices evidence."""

    def __init__(self, emit: Emitter) -> None:
        self.emit = emit
        self.rules: list[str] = []

    def add(self, rule: type[Rule], line: int, message: str, **options: Any) -> None:
        self.rules.append(rule.id)
        self.emit.add(rule, line, message, **options)

    def status(self) -> PracticeStatus:
        if any(rule in _SANDBOX_BREAKERS for rule in self.rules):
            return "missing"
        return "partly" if self.rules else "in-place"


def check_yaml(text: str, emit: Emitter) -> tuple[str, int | None, str]:
    """Compose and Kubernetes findings into ``emit``; returns (problem, line, kind) for a notice, where
    kind is "compose", "kubernetes" or "" (neither)."""
    if not _CANDIDATE.search(text):
        return "", None, ""
    template = _TEMPLATE.search(text)
    if template is not None:
        line = text.count("\n", 0, template.start()) + 1
        return "a template (Helm or Go template syntax), not plain YAML: not checked", line, ""
    stream = load_documents(text)
    kinds: set[str] = set()
    for document in stream.documents:
        if not isinstance(document, LineDict):
            continue
        if isinstance(document.get("apiVersion"), str) and isinstance(document.get("kind"), str):
            kinds.add("kubernetes")
            for obj in _kubernetes_objects(document):
                _check_kubernetes(obj, emit)
        elif _is_compose(document):
            kinds.add("compose")
            _check_compose(document, emit)
    return stream.error, stream.error_line, ",".join(sorted(kinds))


def _is_compose(document: LineDict) -> bool:
    services = document.get("services")
    return isinstance(services, dict) and any(
        isinstance(service, dict) and _COMPOSE_SERVICE_KEYS.intersection(service) for service in services.values()
    )


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


# -- shared between compose and Kubernetes ------------------------------------------------------------


def _capability_severity(name: str) -> Severity | None:
    capability = name.strip().upper().removeprefix("CAP_")
    if capability in knowledge.HARMLESS_CAPABILITIES:
        return None
    return knowledge.DANGEROUS_CAPABILITIES.get(capability, Severity.MEDIUM)


def host_path_risk(path: str) -> tuple[Severity, str] | None:
    """The severity and meaning of mounting host ``path``, or None for an ordinary directory."""
    if not path.startswith("/"):
        return None
    normal = posixpath.normpath(path)
    if normal in knowledge.SENSITIVE_HOST_PATHS:
        return knowledge.SENSITIVE_HOST_PATHS[normal]
    for prefix in sorted(knowledge.SENSITIVE_HOST_PATHS, key=len, reverse=True):
        if prefix not in knowledge.EXACT_ONLY_HOST_PATHS and normal.startswith(prefix + "/"):
            return knowledge.SENSITIVE_HOST_PATHS[prefix]
    return None


def _check_env_setting(track: _Tracker, name: str, value: Any, line: int, where: str) -> None:
    if value is None or isinstance(value, (dict, list)):
        return
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if tls_off_setting(name, text):
        track.emit.add(TlsVerificationDisabledInConfig, line, f"{where} sets `{name}={text}`: TLS checks are off")
    if name.upper() == "NODE_OPTIONS":
        for problem in inspect_problems(text):
            severity = Severity.HIGH if problem.problem == "inspect-all" else Severity.MEDIUM
            track.emit.add(NodeInspectorExposed, line, f"{where} `NODE_OPTIONS`: {problem.meaning}", severity=severity)
    secret = secret_setting(name, text)
    if secret is not None:
        severity = Severity.LOW if secret.weak else Severity.HIGH
        confidence = Confidence.LOW if secret.weak else None
        track.emit.add(SecretInContainerConfig, line,
                       f"{where} environment `{name}` {secret.reason} (`{secret.shown}`)",
                       severity=severity, confidence=confidence, hide=text)


def _check_image(track: _Tracker, image: Any, line: int, where: str) -> None:
    if not isinstance(image, str) or "$" in image or "{{" in image:
        return
    reference = parse_image(image)
    if reference.floating:
        what = "`:latest`" if reference.tag else "no tag"
        track.emit.add(UnpinnedContainerImage, line, f"{where} image `{image}` has {what}")


# -- compose ------------------------------------------------------------------------------------------


def _check_compose(document: LineDict, emit: Emitter) -> None:
    services = document["services"]
    for name, service in services.items():
        if not isinstance(service, LineDict):
            continue
        track = _Tracker(emit)
        where = f"Service `{name}`"
        line = services.line_of(name)
        _check_compose_service(service, track, where, line)
        status = track.status()
        problems = ", ".join(sorted(set(track.rules))) or "no problem found"
        emit.practice("sandboxing", status, f"{emit.display_path}:{line} service {name}: {problems}", line)


def _check_compose_service(service: LineDict, track: _Tracker, where: str, line: int) -> None:
    get = service.get
    if _is_true(get("privileged")):
        track.add(PrivilegedContainer, service.line_of("privileged"), f"{where} runs privileged")
    for index, capability in _items(get("cap_add")):
        severity = _capability_severity(str(capability))
        if severity is not None:
            track.add(DangerousCapabilityAdded, _item_line(get("cap_add"), index, line),
                      f"{where} adds capability `{capability}`", severity=severity)
    for key in ("network_mode", "pid", "ipc", "userns_mode", "uts"):
        if str(get(key, "")).strip().lower() == "host":
            track.add(HostNamespaceShared, service.line_of(key), f"{where} uses the host's namespace (`{key}: host`)")
    for index, volume in _items(get("volumes")):
        source = _volume_source(volume)
        risk = host_path_risk(source) if source else None
        if risk is not None:
            severity, meaning = risk
            at = volume.line_of("source") if isinstance(volume, LineDict) else _item_line(get("volumes"), index, line)
            track.add(SensitiveHostPathMounted, at,
                      f"{where} mounts `{source}`: {meaning}", severity=severity)
    options = [str(option).strip().lower() for _, option in _items(get("security_opt"))]
    for index, option in _items(get("security_opt")):
        if str(option).strip().lower().replace(" ", "") in knowledge.UNCONFINED_PROFILES:
            track.add(SecurityProfileDisabled, _item_line(get("security_opt"), index, line), f"{where} sets `{option}`")
    if not any(o.startswith("no-new-privileges") and not o.endswith(("false", "=0", ":0")) for o in options):
        track.add(PrivilegeEscalationAllowed, line, f"{where} does not set `security_opt: [no-new-privileges:true]`",
                  severity=Severity.LOW)
    if not any(str(c).strip().upper() in ("ALL", "CAP_ALL") for _, c in _items(get("cap_drop"))):
        track.add(CapabilitiesNotDropped, line, f"{where} does not drop capabilities (`cap_drop: [ALL]`)")
    if not _is_true(get("read_only")):
        track.add(WritableRootFilesystem, line, f"{where} has a writable root file system (no `read_only: true`)")
    user = get("user")
    if user is not None and str(user).strip().lower() in knowledge.ROOT_USERS:
        track.add(ContainerRunsAsRoot, service.line_of("user"), f"{where} runs as `user: {user}`")
    _check_image(track, get("image"), service.line_of("image"), where)
    environment = get("environment")
    if isinstance(environment, LineDict):
        for key, value in environment.items():
            _check_env_setting(track, str(key), value, environment.line_of(key), where)
    elif isinstance(environment, LineList):
        for index, entry in enumerate(environment):
            if isinstance(entry, str) and "=" in entry:
                key, _, value = entry.partition("=")
                _check_env_setting(track, key.strip(), value, environment.line_of(index), where)


def _item_line(value: Any, index: int, default: int) -> int:
    return value.line_of(index) if isinstance(value, LineList) else default


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


def _volume_source(volume: Any) -> str:
    if isinstance(volume, str):
        return volume.split(":", 1)[0] if ":" in volume else ""
    if isinstance(volume, dict) and volume.get("type", "bind") == "bind":
        source = volume.get("source")
        return source if isinstance(source, str) else ""
    return ""


# -- Kubernetes ---------------------------------------------------------------------------------------


def _kubernetes_objects(document: LineDict) -> Iterator[LineDict]:
    if document.get("kind") == "List" and isinstance(document.get("items"), list):
        for item in document["items"]:
            if isinstance(item, LineDict):
                yield from _kubernetes_objects(item)
    else:
        yield document


def _pod_spec(obj: LineDict) -> LineDict | None:
    kind = obj.get("kind")
    spec = obj.get("spec")
    path: tuple[str, ...]
    if kind == "Pod":
        path = ()
    elif kind in _POD_TEMPLATE_KINDS:
        path = ("template", "spec")
    elif kind == "CronJob":
        path = ("jobTemplate", "spec", "template", "spec")
    else:
        return None
    for key in path:
        spec = spec.get(key) if isinstance(spec, dict) else None
    return spec if isinstance(spec, LineDict) else None


def _check_kubernetes(obj: LineDict, emit: Emitter) -> None:
    spec = _pod_spec(obj)
    if spec is None:
        return
    metadata = obj.get("metadata")
    name = metadata.get("name", "?") if isinstance(metadata, dict) else "?"
    workload = f"{obj.get('kind')} `{name}`"
    pod_track = _Tracker(emit)
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if _is_true(spec.get(key)):
            pod_track.add(HostNamespaceShared, spec.line_of(key), f"{workload} sets `{key}: true`")
    volumes = spec.get("volumes")
    for index, volume in _items(volumes):
        host_path = volume.get("hostPath") if isinstance(volume, dict) else None
        if isinstance(host_path, dict) and isinstance(host_path.get("path"), str):
            path = host_path["path"]
            severity, meaning = host_path_risk(path) or (Severity.MEDIUM, "a directory of the node")
            pod_track.add(SensitiveHostPathMounted, _item_line(volumes, index, spec.line),
                          f"{workload} mounts host path `{path}`: {meaning}", severity=severity)
    pod_context = spec.get("securityContext")
    if not isinstance(pod_context, LineDict):
        pod_context = LineDict(line=spec.line)
    _check_profiles(pod_track, pod_context, workload)
    for list_name in _CONTAINER_LISTS:
        for _, container in _items(spec.get(list_name)):
            if isinstance(container, LineDict):
                track = _Tracker(emit)
                track.rules.extend(pod_track.rules)
                where = f"{workload} container `{container.get('name', '?')}`"
                _check_container(container, pod_context, track, where)
                status = track.status()
                problems = ", ".join(sorted(set(track.rules))) or "no problem found"
                emit.practice("sandboxing", status, f"{emit.display_path}:{container.line} {where}: {problems}",
                              container.line)


def _check_profiles(track: _Tracker, context: LineDict, where: str) -> None:
    for key in ("seccompProfile", "appArmorProfile"):
        profile = context.get(key)
        if isinstance(profile, dict) and str(profile.get("type", "")).lower() == "unconfined":
            at = profile.line_of("type") if isinstance(profile, LineDict) else context.line_of(key)
            track.add(SecurityProfileDisabled, at, f"{where} sets `{key}.type: Unconfined`")


def _check_container(container: LineDict, pod: LineDict, track: _Tracker, where: str) -> None:
    context = container.get("securityContext")
    if not isinstance(context, LineDict):
        context = LineDict(line=container.line)
    line = container.line
    if _is_true(context.get("privileged")):
        track.add(PrivilegedContainer, context.line_of("privileged"), f"{where} runs privileged")
    if context.get("allowPrivilegeEscalation") is not False:
        at = context.line_of("allowPrivilegeEscalation", line)
        track.add(PrivilegeEscalationAllowed, at, f"{where} does not set `allowPrivilegeEscalation: false`")
    run_as_user = context.get("runAsUser", pod.get("runAsUser"))
    run_as_non_root = context.get("runAsNonRoot", pod.get("runAsNonRoot"))
    if run_as_user == 0 or str(run_as_user) == "0":
        at = context.line_of("runAsUser", pod.line_of("runAsUser", line)) if "runAsUser" in context else \
            pod.line_of("runAsUser", line)
        track.add(ContainerRunsAsRoot, at, f"{where} runs as `runAsUser: 0`", severity=Severity.HIGH)
    elif run_as_non_root is not True and not (isinstance(run_as_user, int) and run_as_user > 0):
        at = context.line_of("runAsNonRoot", line) if "runAsNonRoot" in context else line
        track.add(ContainerRunsAsRoot, at, f"{where} does not set `runAsNonRoot: true` (root unless the image "
                  "sets a user)", confidence=Confidence.MEDIUM)
    capabilities = context.get("capabilities")
    added = capabilities.get("add") if isinstance(capabilities, dict) else None
    for index, capability in _items(added):
        severity = _capability_severity(str(capability))
        if severity is not None:
            track.add(DangerousCapabilityAdded, _item_line(added, index, line),
                      f"{where} adds capability `{capability}`", severity=severity)
    dropped = capabilities.get("drop") if isinstance(capabilities, dict) else None
    if not any(str(c).strip().upper() == "ALL" for _, c in _items(dropped)):
        track.add(CapabilitiesNotDropped, line, f"{where} does not drop all capabilities (`drop: [ALL]`)")
    if not _is_true(context.get("readOnlyRootFilesystem")):
        track.add(WritableRootFilesystem, line, f"{where} does not set `readOnlyRootFilesystem: true`")
    _check_profiles(track, context, where)
    _check_image(track, container.get("image"), container.line_of("image"), where)
    env = container.get("env")
    for index, entry in _items(env):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and "value" in entry:
            at = entry.line_of("value") if isinstance(entry, LineDict) else _item_line(env, index, line)
            _check_env_setting(track, entry["name"], entry["value"], at, where)
