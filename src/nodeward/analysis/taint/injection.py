"""Which classes stand behind a type or an injection token, as plain data for phase 2.

A call `this.users.find(q)` on a field typed with an interface or an abstract class (`private users: UsersRepo`)
runs the method of whatever class the program puts there. Two declarations say which:
- the class hierarchy: `class SqlUsersRepo implements UsersRepo`, `class SqlUsersRepo extends UsersRepo`;
- NestJS providers: `{ provide: UsersRepo, useClass: SqlUsersRepo }` (also `useExisting`, `useValue: new X()`
  and a `useFactory` that returns `new X(...)`), and string or constant tokens injected with `@Inject(TOKEN)`.

Per module this records the class-validator decorators of DTO fields and whether a ValidationPipe is used,
the classes and interfaces it declares, `bases` (class name -> the types it extends
or implements), `providers` (token -> class), what its parameter decorators (`createParamDecorator`) give and
which parameters are decorated with one of another module. Types and tokens are named as the taint summaries
name functions of other modules ("module#export" with the module spec as written in this file, "local#Name"
for this file, "string:NAME" for a string token).
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node

from nodeward.analysis.taint.engine import FUNCTION_TYPES, SOURCE, TaintAnalysis, injection_token
from nodeward.lang.js.model import unwrap

_QUERY = """
(class_declaration) @class
(pair key: (property_identifier) @key) @pair
"""
_TYPESCRIPT_QUERY = _QUERY + """
(abstract_class_declaration) @class
(interface_declaration name: (type_identifier) @declared)
"""
PROVIDER_VALUES = ("useClass", "useExisting", "useValue", "useFactory")


def collect_injection(analysis: TaintAnalysis) -> dict[str, Any]:
    source = analysis.model.source
    if not any(mark in source for mark in (b"implements", b"extends", b"provide", b"createParamDecorator",
                                           b"interface", b"abstract", b"class-validator", b"ValidationPipe")) \
            and not analysis.decorated_parameters:
        return {}
    found = analysis.model.captures(_QUERY if analysis.model.dialect == "javascript" else _TYPESCRIPT_QUERY)
    bases: dict[str, list[str]] = {}
    declared = [analysis.model.text(name) for name in found.get("declared", [])]
    dto_fields: dict[str, dict[str, list[str]]] = {}
    for cls in found.get("class", []):
        name = cls.child_by_field_name("name")
        if name is not None:
            declared.append(analysis.model.text(name))
            fields = _validated_fields(analysis, cls) if b"class-validator" in source else {}
            if fields:
                dto_fields[analysis.model.text(name)] = fields
        heritage = next((c for c in cls.named_children if c.type == "class_heritage"), None)
        if name is None or heritage is None:
            continue
        named = [token for clause in heritage.named_children for token in _heritage_types(analysis, clause)]
        if named:
            bases[analysis.model.text(name)] = named
    providers: list[dict[str, str]] = []
    for pair in found.get("pair", []):
        key = pair.child_by_field_name("key")
        if key is None or analysis.model.text(key) != "provide" or pair.parent is None:
            continue
        provider = _provider(analysis, pair.parent)
        if provider is not None:
            providers.append(provider)
    result: dict[str, Any] = {}
    decorators = _param_decorators(analysis) if b"createParamDecorator" in source else {}
    if decorators:
        result["param_decorators"] = decorators
    if dto_fields:
        result["dto_fields"] = dto_fields
    if source.count(b"ValidationPipe") > 1:  # imported and used: `app.useGlobalPipes(new ValidationPipe())`...
        result["validation_pipe"] = True
    if analysis.decorated_parameters:
        result["decorated"] = analysis.decorated_parameters
    if declared:
        result["declared"] = declared
    if bases:
        result["bases"] = bases
    if providers:
        result["providers"] = providers
    return result


def _param_decorators(analysis: TaintAnalysis) -> dict[str, list[dict[str, Any]]]:
    """`export const Filters = createParamDecorator((data, ctx) => ctx.switchToHttp().getRequest().query)`: the
    request data each parameter decorator of this file hands to the parameters it decorates."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in analysis.model.captures("(variable_declarator name: (identifier) @name)").get("name", []):
        binding = analysis.model.resolve(name)
        factory = analysis.param_decorator_factory(binding) if binding is not None else None
        if factory is None:
            continue
        found[analysis.model.text(name)] = [o.to_data() for o in analysis.return_taint(factory) if o.kind == SOURCE]
    return found


def _validated_fields(analysis: TaintAnalysis, cls: Node) -> dict[str, list[str]]:
    """The class-validator decorators of each field of a DTO class: `@IsInt() price: number` -> price: [IsInt]."""
    body = cls.child_by_field_name("body")
    fields: dict[str, list[str]] = {}
    for member in body.named_children if body is not None else []:
        name = member.child_by_field_name("name") if member.type == "public_field_definition" else None
        if name is None:
            continue
        names = []
        for decorator in (c for c in member.children if c.type == "decorator" and c.named_children):
            expression = unwrap(decorator.named_children[0])
            callee = expression.child_by_field_name("function") if expression.type == "call_expression" else expression
            qualified = analysis.model.qualified_name(callee) if callee is not None else None
            if qualified is not None and qualified.startswith("class-validator."):
                names.append(qualified.split(".")[-1])
        if names:
            fields[analysis.model.text(name)] = names
    return fields


def _heritage_types(analysis: TaintAnalysis, clause: Node) -> list[str]:
    """The types an `extends` or `implements` clause names (a call such as `AuthGuard("jwt")` names none)."""
    names = []
    for child in clause.named_children:
        child = unwrap(child)
        if child.type == "generic_type":  # implements Repo<User>
            child = child.named_children[0] if child.named_children else child
        if child.type in ("identifier", "type_identifier", "member_expression", "nested_type_identifier"):
            token = injection_token(analysis, child)
            if token is not None:
                names.append(token)
    return names


def _provider(analysis: TaintAnalysis, obj: Node) -> dict[str, str] | None:
    token_node = value = None
    kind = ""
    for pair in obj.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        name = analysis.model.text(key) if key is not None else ""
        if name == "provide":
            token_node = pair.child_by_field_name("value")
        elif name in PROVIDER_VALUES:
            value, kind = pair.child_by_field_name("value"), name
    if token_node is None or value is None:
        return None
    token = injection_token(analysis, token_node)
    made = _made_class(analysis, value, kind)
    if token is None or made is None:
        return None
    return {"token": token, "class": made}


def _made_class(analysis: TaintAnalysis, value: Node, kind: str) -> str | None:
    value = unwrap(value)
    if kind in ("useClass", "useExisting"):
        return injection_token(analysis, value)
    if kind == "useFactory" and value.type in FUNCTION_TYPES:
        returned = analysis.returned_values(value)
        value = unwrap(returned[0]) if len(returned) == 1 else value
        if value.type == "await_expression" and value.named_children:
            value = unwrap(value.named_children[0])
    if value.type == "new_expression":
        constructor = value.child_by_field_name("constructor")
        return injection_token(analysis, constructor) if constructor is not None else None
    return None
