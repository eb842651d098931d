"""Finds every rule class below `nodeward.rules` so that adding a rule is adding one file."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import nodeward.rules
from nodeward.rules.base import Rule

_FRAMEWORK_MODULES = {"base", "registry", "context"}


class RegistryError(Exception):
    pass


def _rule_classes_in(module_name: str) -> list[type[Rule]]:
    module = importlib.import_module(module_name)
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module_name
        and "id" in vars(value)
    ]


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every registered rule, sorted by id; ids and names are checked for uniqueness."""
    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(nodeward.rules.__path__, prefix="nodeward.rules."):
        if info.name.rsplit(".", 1)[-1] in _FRAMEWORK_MODULES or info.ispkg:
            continue
        found.extend(_rule_classes_in(info.name))
    by_id: dict[str, type[Rule]] = {}
    by_name: dict[str, type[Rule]] = {}
    for rule in found:
        if rule.id in by_id:
            raise RegistryError(f"rule id {rule.id} is used by {by_id[rule.id].__name__} and {rule.__name__}")
        if rule.name in by_name:
            raise RegistryError(f"rule name {rule.name} is used twice")
        by_id[rule.id] = rule
        by_name[rule.name] = rule
    return tuple(sorted(found, key=lambda rule: rule.id))


def find_rule(key: str) -> type[Rule] | None:
    """Look a rule up by id (case-insensitive) or by kebab name."""
    wanted = key.strip()
    by_id, by_name = _rule_index()
    return by_id.get(wanted.lower()) or by_name.get(wanted)


@cache
def _rule_index() -> tuple[dict[str, type[Rule]], dict[str, type[Rule]]]:
    """Rules by lower-case id and by name: reporters look one up per finding, and a scan can have 100,000."""
    rules = all_rules()
    return {rule.id.lower(): rule for rule in rules}, {rule.name: rule for rule in rules}
