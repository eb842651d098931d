"""Rule documentation pages generated from the rule metadata: `python -m nodeward.docs --write | --check`.

One page per rule (docs/rules/<ID>.md) and an index (docs/rules/index.md), both derived from the same
registry that feeds `nodeward rule`, SARIF and the HTML report, so they cannot disagree. `--check`
exits 1 when the committed pages differ from what the metadata generates (run by the test suite).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from nodeward.rules.base import Rule
from nodeward.rules.registry import all_rules

REPOSITORY_URL = "https://github.com/nodeward/nodeward"
DOCS_DIR = Path("docs") / "rules"
GENERATED = "<!-- Generated from the rule's metadata by `python -m nodeward.docs --write`; do not edit. -->"


def rule_doc_url(rule_id: str) -> str:
    """Where a rule's page lives in the repository (SARIF `helpUri`, links of the HTML report)."""
    return f"{REPOSITORY_URL}/blob/main/docs/rules/{rule_id}.md"


def _cwe_links(rule: type[Rule]) -> str:
    return ", ".join(f"[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)" for n in rule.cwe) or "none"


def rule_page(rule: type[Rule]) -> str:
    docs = rule.docs()
    sections = "\n\n".join(f"## {name}\n\n{body.strip()}" for name, body in docs.sections.items())
    return f"""{GENERATED}

# {rule.id}: {rule.name}

**{rule.title}**

| | |
|---|---|
| Severity | {rule.severity.label} |
| Confidence | {rule.confidence.label} |
| Category | {rule.category} |
| CWE | {_cwe_links(rule)} |
| OWASP Top 10 | {rule.owasp_label() or "none"} |
| Since | {rule.since} |

**Fix:** {rule.fix}

{sections}

## Suppressing it

```js
// nodeward-ignore-next-line {rule.id} -- why this one is safe
```

or add `"{rule.id}"` to `ignore` (or to a `per-path-ignores` entry) in `.nodeward.toml`.
"""


def index_page(rules: Sequence[type[Rule]]) -> str:
    by_category: dict[str, list[type[Rule]]] = defaultdict(list)
    for rule in rules:
        by_category[rule.category].append(rule)
    parts = [GENERATED, "", "# Rules", "",
             f"{len(rules)} rules. `nodeward rule <ID>` shows a page in the terminal.", ""]
    for category in sorted(by_category):
        parts += [f"## {category}", "", "| id | name | severity | CWE | title |", "|---|---|---|---|---|"]
        for rule in by_category[category]:
            cwe = ", ".join(f"CWE-{n}" for n in rule.cwe)
            title = rule.title.replace("|", "\\|")
            parts.append(f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.severity.label} | {cwe} | {title} |")
        parts.append("")
    return "\n".join(parts)


def generate() -> dict[str, str]:
    """File name (inside docs/rules) -> content."""
    rules = all_rules()
    pages = {f"{rule.id}.md": rule_page(rule) for rule in rules}
    pages["index.md"] = index_page(rules)
    return pages


def stale_pages(directory: Path) -> list[str]:
    """Pages that are missing, different, or left over from a rule that no longer exists."""
    pages = generate()
    problems = []
    for name, content in pages.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{name}: out of date")
    if directory.is_dir():
        for path in sorted(directory.glob("*.md")):
            if path.name not in pages and GENERATED in path.read_text(encoding="utf-8"):
                problems.append(f"{path.name}: no such rule any more")
    return problems


def write_pages(directory: Path) -> int:
    """Write every page; return how many changed."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = generate()
    changed = 0
    for name, content in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            changed += 1
    for path in directory.glob("*.md"):
        if path.name not in pages and GENERATED in path.read_text(encoding="utf-8"):
            path.unlink()
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nodeward.docs", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the pages")
    mode.add_argument("--check", action="store_true", help="exit 1 when the pages are stale")
    parser.add_argument("--dir", type=Path, default=DOCS_DIR, help=f"output directory (default: {DOCS_DIR})")
    args = parser.parse_args(argv)
    if args.write:
        print(f"{write_pages(args.dir)} pages written to {args.dir}")
        return 0
    problems = stale_pages(args.dir)
    for problem in problems:
        print(problem)
    if problems:
        print("run `python -m nodeward.docs --write` to regenerate")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
