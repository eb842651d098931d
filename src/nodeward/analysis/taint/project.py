"""Phase 2 of taint tracking, in the main process, on the modules' summaries only (no file is parsed again).

1. Call sites are resolved to functions: of the same file, or of another module of the project through
   local `require`/`import` (including re-exports).
2. "Parameter i of f reaches sink S" facts travel backwards over call sites to a fixpoint: an argument that
   carries a source makes a finding at S with the whole trace; an argument that carries a parameter of the
   caller makes the caller's parameter reach S too.
3. Library mode: for an npm package without a server, the parameters of the functions its entry points
   export are attacker-controlled, so each of their flows to a sink is a finding.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nodeward.analysis.taint import catalog
from nodeward.analysis.taint.engine import ANY_ARGUMENT, PARAM, RETURNED_BY, SOURCE, Origin
from nodeward.datafiles import DataFileError, load_json
from nodeward.findings import Confidence, Finding, Location, TraceStep
from nodeward.rules.base import Rule, make_finding
from nodeward.rules.registry import find_rule
from nodeward.sources.discover import read_regular_file
from nodeward.sources.test_code import TEST_CODE_DIRS

MODULE_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts", "/index.js", "/index.ts",
                   "/index.mjs", "/index.cjs", "/index.tsx")
#: Phase 2 stops after this many (call site, sink fact) evaluations: a budget of work, so that a flow through a
#: long chain of modules is still followed to its end while a project whose facts multiply cannot run for ever.
MAX_WORK = 2_000_000
#: Folders whose modules are no entry points of a package and whose servers do not make it an application.
TEST_DIRS = TEST_CODE_DIRS | {"docs", "demo"}


@dataclass(frozen=True)
class SinkFact:
    rule: str
    sink_class: str
    location: tuple[Any, ...]
    snippet: str
    description: str
    steps: tuple[tuple[tuple[Any, ...], str], ...]  # ((location), description), source side first
    member: str = ""  # the field of the parameter that reaches the sink ("" for the parameter itself)


@dataclass
class Package:
    root: str  # display path of the folder holding package.json ("" for the scan root)
    name: str
    entries: list[str]
    mode: str = "library"


@dataclass
class FlowJoiner:
    modules: dict[str, dict[str, Any]]  # display path -> taint summary of the module
    packages: list[Package]
    mode: str = "auto"  # app, library, auto
    facts: dict[tuple[str, int], set[SinkFact]] = field(default_factory=lambda: defaultdict(set))
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: dict[tuple[str, tuple[Any, ...]], Finding] = field(default_factory=dict)
    #: How often the sink facts of each function changed: a call site whose callees' facts did not change
    #: since it was last evaluated has nothing new to give.
    versions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    work: int = 0
    budget: int = MAX_WORK
    cut: bool = False  # the work budget ran out before the fixpoint: some flows may be missing
    validation_pipe: bool | None = None  # a NestJS ValidationPipe somewhere in the project (computed once)
    _calls_by_place: dict[tuple[str, int, int], tuple[str, dict[str, Any]]] | None = None

    def run(self) -> list[Finding]:
        for module in self.modules.values():
            self.functions.update(module.get("functions", {}))
            for record in module.get("param_sinks", []):
                self.facts[(record["function"], record["index"])].add(_fact(record))
        self._index_implementations()
        calls = [(path, call) for path, module in self.modules.items() for call in module.get("calls", [])]
        calls.extend(self._decorator_calls())
        resolved = [(call, self._callees(path, call["callee"])) for path, call in calls]
        resolved = [(call, keys) for call, keys in resolved if keys]
        evaluated: list[tuple[int, ...] | None] = [None] * len(resolved)
        while self._propagate(resolved, evaluated) and not self.cut:
            pass
        self._dto_flows()
        self._library_flows()
        return list(self.findings.values())

    # values returned by functions of other modules ------------------------------------------

    def restate_returns(self, finding: Finding) -> Finding | None:
        """Phase 1 takes a function of another module to return what it is given. Checked here against that
        function: when all it returns is sanitized for the sink (a hash helper), the source does not reach
        the sink and the finding goes (None); when it returns a record it reads from a database (a data-access
        helper called with `req.params.id`), the value at the sink is stored data looked up with the source,
        not the source: the finding says so, at medium confidence."""
        for number, step in enumerate(finding.trace):
            if not step.description.startswith(RETURNED_BY):
                continue
            callees = self._functions_called_at(step.location)
            if not callees:
                continue
            rule = find_rule(finding.rule_id)
            sink_class = str(getattr(rule, "sink_class", ""))  # taint rules have one
            # Every callee returns only values sanitized for this sink (a hash helper): the source ends there.
            if all({"*", sink_class} & set(f.get("returns_sanitized", ())) for f in callees):
                return None
            reader = next((f for f in callees if f.get("reads_database")), None)
            if reader is None:
                continue
            place = reader.get("location") or ["", 0]
            source = finding.trace[0].description.replace(": ", " ", 1)
            sink = finding.trace[-1].description.removeprefix("reaches ")
            call = step.description.removeprefix(RETURNED_BY).strip()
            read = TraceStep(step.location, f"{step.description}: `{reader.get('name', '?')}` ({place[0]}:{place[1]}) "
                                            "returns a record it reads from the database, not the value passed to it")
            return replace(
                finding, confidence=min(finding.confidence, Confidence.MEDIUM),
                message=f"data read from the database by {call} (line {step.location.start_line}), looked up "
                        f"with {source}, reaches {sink}",
                trace=(*finding.trace[:number], read, *finding.trace[number + 1:]))
        return finding

    def _functions_called_at(self, location: Location) -> list[dict[str, Any]]:
        """The summaries of the project functions a call at ``location`` may call."""
        if self._calls_by_place is None:
            self._calls_by_place = {(path, call["location"][1], call["location"][2]): (path, call)
                                    for path, module in self.modules.items() for call in module.get("calls", [])}
        found = self._calls_by_place.get((location.path, location.start_line, location.start_column))
        if found is None:
            return []
        path, call = found
        return [self.functions[key] for key in self._callees(path, call["callee"]) if key in self.functions]

    # call sites ------------------------------------------------------------------------------

    def _callees(self, path: str, callee: dict[str, str]) -> list[str]:
        if "local" in callee:
            return [callee["local"]]
        module = self.resolve_module(path, callee["module"]) if "module" in callee else None
        export = callee.get("export", "default")
        keys = self._exported(module, export, set()) if module is not None else []
        method = callee.get("method")
        if method is not None:
            # A method of an instance: of the class's methods, or assigned in the constructor (`this.m = ...`);
            # for an interface, an abstract class or an injection token, of the classes registered for it.
            own = self._method_keys(module, export, method) if module is not None else []
            tokens = [self._token_key(path, callee["token"])] if "token" in callee else []
            if not own and module is not None:
                tokens.append(self._token_key(path, f"{callee['module']}#{export}"))
            for implementation in self._implementations([t for t in tokens if t is not None]):
                found_module, _, name = implementation.rpartition("#")
                own.extend(k for k in self._method_keys(found_module, name, method) if k not in own)
            return own
        if callee.get("new"):  # `new Imported(...)`: the class's constructor, or the constructor function itself
            constructors = [k for k in keys if self.functions.get(k, {}).get("name") == "constructor"]
            return constructors or (keys if len(keys) == 1 else [])
        return keys

    def _method_keys(self, module: str, export: str, method: str) -> list[str]:
        own = self._exported(module, f"{export}#this.{method}", set())
        return own or [k for k in self._exported(module, export, set())
                       if self.functions.get(k, {}).get("name", "").split(".")[-1] == method]

    # dependency injection ----------------------------------------------------------------------

    def _index_implementations(self) -> None:
        """Types and tokens -> the classes that implement them or are provided for them (injection.py)."""
        self.implementations: dict[str, list[str]] = defaultdict(list)
        for path, module in self.modules.items():
            injection = module.get("injection", {})
            for name, bases in injection.get("bases", {}).items():
                for base in bases:
                    key = self._token_key(path, base)
                    if key is not None:
                        self.implementations[key].append(f"{path}#{name}")
            for provider in injection.get("providers", []):
                key, made = self._token_key(path, provider["token"]), self._token_key(path, provider["class"])
                if key is not None and made is not None:
                    self.implementations[key].append(made)

    def _dto_flows(self) -> None:
        """Sinks that phase 1 left open because only fields of a DTO of another module reach them."""
        for module in self.modules.values():
            for record in module.get("dto_sinks", []):
                origin = Origin.from_data(record["origin"])
                if not self._validated(origin, origin.member):
                    self._report(_fact(record), origin.steps, None, Confidence.HIGH, origin)

    def _validated(self, origin: Origin, member: str) -> bool:
        """True when the fields read of a NestJS body typed with a DTO class (`@Body() dto: CreateDto`, then
        `dto.price`) are validated to a safe shape (`@IsInt()`, `@IsUUID()`, `@IsIn([...])`) and a ValidationPipe
        runs in the project, so the value cannot carry an injection."""
        if not member or "[]" in member.split("|"):
            return False
        if self.validation_pipe is None:
            self.validation_pipe = any(m.get("injection", {}).get("validation_pipe") for m in self.modules.values())
        if not self.validation_pipe:
            return False
        declared = self._token_key(origin.location.path, origin.dto)
        module, _, name = (declared or "").rpartition("#")
        fields = self.modules.get(module, {}).get("injection", {}).get("dto_fields", {}).get(name)
        if not fields:
            return False
        for field_name in member.split("|"):
            validators = set(fields.get(field_name, ()))
            if not validators & catalog.SAFE_VALIDATORS or validators & catalog.CONDITIONAL_VALIDATORS:
                return False
        return True

    def _decorator_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """A parameter decorated with a NestJS parameter decorator of another module receives what the decorator's
        factory returns: a call of the handler with that value at the parameter's position."""
        calls = []
        for path, module in self.modules.items():
            for record in module.get("injection", {}).get("decorated", []):
                where = self._token_key(path, record["decorator"])
                declaring, _, name = (where or "").rpartition("#")
                origins = self.modules.get(declaring, {}).get("injection", {}).get("param_decorators", {}).get(name)
                if origins:
                    args: list[list[dict[str, Any]]] = [[] for _ in range(record["index"])]
                    calls.append((path, {"callee": {"local": record["function"]}, "caller": "",
                                         "args": [*args, origins], "location": record["location"],
                                         "text": record["text"]}))
        return calls

    def _token_key(self, path: str, token: str) -> str | None:
        """A token of the summaries ("spec#export", "local#Name", "string:NAME") named the same way from every
        module: "string:NAME", or "path#Name" of the module that declares the class or interface."""
        if token.startswith("string:"):
            return token
        spec, _, name = token.rpartition("#")
        if spec == "local":
            return f"{path}#{name}"
        module = self.resolve_module(path, spec)
        return self._declaring_module(module, name) if module is not None else None

    def _declaring_module(self, module: str, name: str) -> str:
        """Follow re-exports (`export * from "./users.repo"` in an index file) to where `name` is declared."""
        for _ in range(32):
            summary = self.modules.get(module, {})
            if name in summary.get("injection", {}).get("declared", ()) or \
                    name in summary.get("exports", {}).get("names", {}):
                break
            following = None
            for reexport in summary.get("exports", {}).get("reexports", []):
                if reexport["name"] in (name, "*"):
                    target = self.resolve_module(module, reexport["module"])
                    wanted = reexport["export"] if reexport["name"] != "*" else name
                    if target is not None and (reexport["name"] != "*" or self._declares(target, wanted)):
                        following = (target, wanted)
                        break
            if following is None:
                break
            module, name = following
        return f"{module}#{name}"

    def _declares(self, module: str, name: str) -> bool:
        summary = self.modules.get(module, {})
        return name in summary.get("injection", {}).get("declared", ()) or \
            name in summary.get("exports", {}).get("names", {}) or any(
                r["name"] == name for r in summary.get("exports", {}).get("reexports", []))

    def _implementations(self, tokens: list[str]) -> list[str]:
        """The classes behind types or tokens, through chains (`C extends B`, `B implements A`)."""
        found: list[str] = []
        pending = list(tokens)
        while pending and len(found) < 64:
            token = pending.pop()
            for implementation in self.implementations.get(token, ()):
                if implementation not in found and implementation not in tokens:
                    found.append(implementation)
                    pending.append(implementation)
        return found

    def resolve_module(self, importer: str, spec: str) -> str | None:
        base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        for suffix in MODULE_SUFFIXES:
            if base + suffix in self.modules:
                return base + suffix
        return None

    def _exported(self, module: str, name: str, seen: set[tuple[str, str]]) -> list[str]:
        keys: list[str] = []
        pending = [(module, name)]  # a stack, not recursion: re-export chains can be thousands of modules long
        while pending:
            module, name = pending.pop()
            if (module, name) in seen:
                continue
            seen.add((module, name))
            exports = self.modules.get(module, {}).get("exports", {})
            names: dict[str, list[str]] = exports.get("names", {})
            own = list(names.get(name, []))
            if name == "*":
                own = [key for values in names.values() for key in values]
            if name == "default" and not own and names.get("default") is None:
                # A CommonJS module whose `module.exports` is an object of other modules (`{ object:
                # require('./adapters/object') }`): its default export is everything it exports.
                name = "*"
            for key in list(own):
                if key.startswith("class:"):
                    own.extend(names.get(f"{key[6:]}#proto", []))
            keys.extend(own)
            targets = []
            for reexport in exports.get("reexports", []):
                if reexport["name"] in (name, "*") or name == "*":
                    target = self.resolve_module(module, reexport["module"])
                    if target is None:
                        continue
                    wanted = reexport["export"] if reexport["name"] != "*" else name
                    if reexport["name"] == "*" and name == "default":
                        wanted = "default"
                    targets.append((target, wanted if wanted != "*" else "*"))
            pending.extend(reversed(targets))  # depth first, in the order of the re-exports
        return [key for key in keys if not key.startswith("class:")]

    def _propagate(self, resolved: list[tuple[dict[str, Any], list[str]]],
                   evaluated: list[tuple[int, ...] | None]) -> bool:
        """One pass over the call sites whose callees have new facts; True when some fact was added."""
        changed = False
        for position, (call, keys) in enumerate(resolved):
            versions = tuple(self.versions[key] for key in keys)
            if evaluated[position] == versions:
                continue
            evaluated[position] = versions
            call_step = TraceStep(Location(*call["location"]), f"passed to `{call['text']}`")
            for index, origins in enumerate(call["args"]):
                for key in keys:
                    # `arguments` in the callee reaches a sink: any argument does
                    facts = [*self.facts.get((key, index), ()), *self.facts.get((key, ANY_ARGUMENT), ())]
                    for fact in facts:
                        self.work += 1
                        if self.work > self.budget:
                            self.cut = True
                            return changed
                        for data in origins:
                            origin = Origin.from_data(data)
                            if origin.clean_for(fact.sink_class) or not _counts(fact.rule, origin):
                                continue
                            if origin.kind == SOURCE:
                                if not (origin.dto and self._validated(origin, origin.member or fact.member)):
                                    self._report(fact, origin.steps, call_step, Confidence.HIGH, origin)
                            elif origin.kind == PARAM:
                                extended = SinkFact(
                                    fact.rule, fact.sink_class, fact.location, fact.snippet, fact.description,
                                    (*_steps_data(origin.steps), (_loc(call_step.location), call_step.description),
                                     *fact.steps), origin.member or fact.member,
                                )
                                bucket = self.facts[(origin.function, origin.index)]
                                if not any(f.location == extended.location and f.rule == extended.rule
                                           and f.member == extended.member for f in bucket):
                                    bucket.add(extended)
                                    self.versions[origin.function] += 1
                                    changed = True
        return changed

    # library mode ------------------------------------------------------------------------------

    def _library_flows(self) -> None:
        for package in self.packages:
            mode = self.mode if self.mode != "auto" else package.mode
            if mode != "library":
                continue
            for key, name in self._api_functions(package):
                info = self.functions.get(key, {})
                params = info.get("params", [])
                for (function, index), facts in list(self.facts.items()):
                    if function != key:
                        continue
                    parameter = "arguments" if index == ANY_ARGUMENT else \
                        params[index] if index < len(params) else f"#{index + 1}"
                    where = Location(*info["location"]) if "location" in info else None
                    shown = info.get("name", name) if name in ("default", "*") or name.startswith(".") else name
                    for fact in facts:
                        if not _counts(fact.rule, None) or fact.sink_class in catalog.APPLICATION_ONLY_CLASSES:
                            continue
                        label = f"parameter `{parameter}` of `{shown}` (exported by {package.name})"
                        steps = (TraceStep(where, f"input of the package's API: {label}"),) if where else ()
                        level = catalog.LIBRARY_API_CONFIDENCE.get(fact.sink_class, "high")
                        self._report(fact, steps, None, Confidence.parse(level), None, label)

    def _api_functions(self, package: Package) -> list[tuple[str, str]]:
        """(function key, exported name) of the functions the package's entry points export."""
        api: list[tuple[str, str]] = []
        entries = [e for e in (self._entry_module(package, entry) for entry in package.entries) if e is not None]
        if not entries:  # the entry is not in the tree (a skipped build folder...): every module's exports
            prefix = f"{package.root}/" if package.root else ""
            entries = [p for p in self.modules if p.startswith(prefix) and not _in_test_dir(p[len(prefix):])]
        for entry in entries:
            for name in self.modules[entry].get("exports", {}).get("names", {}):
                api.extend((key, name) for key in self._exported(entry, name, set()))
            for reexport in self.modules[entry].get("exports", {}).get("reexports", []):
                target = self.resolve_module(entry, reexport["module"])
                if target is not None:
                    shown = reexport["name"] if reexport["name"] != "*" else reexport["module"]
                    api.extend((key, shown) for key in self._exported(target, reexport["export"], set()))
        unique: dict[str, str] = {}
        for key, name in api:
            unique.setdefault(key, name)
        return list(unique.items())

    def _entry_module(self, package: Package, entry: str) -> str | None:
        spec = entry if entry.startswith(".") else f"./{entry}"
        importer = f"{package.root}/package.json" if package.root else "package.json"
        return self.resolve_module(importer, spec)

    # findings ----------------------------------------------------------------------------------

    def _report(self, fact: SinkFact, source_steps: Iterable[TraceStep], call_step: TraceStep | None,
                confidence: Confidence, origin: Origin | None, label: str | None = None) -> None:
        key = (fact.rule, fact.location)
        if key in self.findings:
            return
        rule = find_rule(fact.rule)
        if rule is None:
            return
        trace = (*source_steps, *((call_step,) if call_step else ()),
                 *(TraceStep(Location(*loc), text) for loc, text in fact.steps))
        if origin is not None:
            kind = origin.steps[0].description.split(":")[0] if origin.steps else "input"
            label = f"{kind} `{origin.label}` ({origin.location.path}:{origin.location.start_line})"
        message = f"{label} reaches {fact.description}"
        self.findings[key] = _finding(rule, fact, message, confidence, trace)


def _counts(rule_id: str, origin: Origin | None) -> bool:
    """Whether a source (None: a parameter of a library's API, plain outside data) is one the rule is about."""
    if origin is not None and origin.kind != SOURCE:
        return True
    rule = find_rule(rule_id)
    tags = getattr(rule, "source_tags", frozenset({""}))
    harmless = getattr(rule, "harmless_sources", None)
    if origin is not None and harmless is not None and harmless.search(origin.label):
        return False  # as in phase 1: a source that cannot carry what the rule is about
    return (origin.tag if origin is not None else "") in tags


def _finding(rule: type[Rule], fact: SinkFact, message: str, confidence: Confidence,
             trace: tuple[TraceStep, ...]) -> Finding:
    ceiling = getattr(rule, "flow_confidence", None)
    if ceiling is not None and confidence > ceiling:
        confidence = ceiling
    return make_finding(rule, message, Location(*fact.location), fact.snippet, confidence=confidence,
                        trace=_dedupe(trace))


def _dedupe(trace: tuple[TraceStep, ...]) -> tuple[TraceStep, ...]:
    result: list[TraceStep] = []
    for step in trace:
        if not result or result[-1] != step:
            result.append(step)
    return tuple(result)


def _fact(record: dict[str, Any]) -> SinkFact:
    return SinkFact(
        record["rule"], record["sink_class"], tuple(record["location"]), record["snippet"], record["description"],
        tuple((tuple(loc), text) for loc, text in record["steps"]), record.get("member", ""),
    )


def _loc(location: Location) -> tuple[Any, ...]:
    return (location.path, location.start_line, location.start_column, location.end_line, location.end_column)


def _steps_data(steps: Iterable[TraceStep]) -> tuple[tuple[tuple[Any, ...], str], ...]:
    return tuple((_loc(s.location), s.description) for s in steps)


def _in_test_dir(relative: str) -> bool:
    return any(part in TEST_DIRS for part in relative.split("/")[:-1])


def read_packages(package_files: Iterable[tuple[str, Path]], modules: dict[str, dict[str, Any]]) -> list[Package]:
    """The npm packages in the tree, with their entry points and whether they serve HTTP (app) or not."""
    packages = []
    for display, path in package_files:
        root = posixpath.dirname(display)
        if "node_modules" in root.split("/") or _in_test_dir(root + "/x"):
            continue
        try:
            manifest = load_json(read_regular_file(path).decode("utf-8", "replace"))
        except (OSError, DataFileError):
            continue
        if not isinstance(manifest, dict):
            continue
        entries = _entries(manifest)
        prefix = f"{root}/" if root else ""
        # Servers started by tests, examples or benchmarks do not make a library an application.
        serves = any(m.get("serves_http") for p, m in modules.items()
                     if p.startswith(prefix) and not _in_test_dir(p[len(prefix):]))
        name = str(manifest.get("name") or root or "the package")
        packages.append(Package(root, name, entries, "app" if serves or manifest.get("private") else "library"))
    return packages


def _entries(manifest: dict[str, Any]) -> list[str]:
    entries: list[str] = []
    for field_name in ("main", "module"):
        value = manifest.get(field_name)
        if isinstance(value, str):
            entries.append(value)
    entries.extend(_export_targets(manifest.get("exports")))
    if not entries:
        entries.append("index.js")
    return list(dict.fromkeys(entries))


def _export_targets(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(".") else []
    if isinstance(value, dict):
        return [target for inner in value.values() for target in _export_targets(inner)]
    if isinstance(value, list):
        return [target for inner in value for target in _export_targets(inner)]
    return []
