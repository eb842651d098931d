"""A small project that every scanner has something to say about, with hostile names and text.

Built at test time (the secret is generated: the repository holds no token literal).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT
from tests.secrets.tokens import TokenFactory

PAYLOAD = "</script><script>alert(1)</script>"
#: A directory "x<" and a file "script><script>alert(1)<!--.js": the path reads as a closing script tag.
HOSTILE_NAME = "x</script><script>alert(1)<!--.js"

APP = """\
const express = require("express");
const cp = require("child_process");
const app = express();

app.get("/run", (req, res) => {
  const dir = req.query.dir;
  cp.exec("ls " + dir);
  cp.exec("ls " + req.query.other); // nodeward-ignore NW101 -- reviewed: internal route
  res.send("ok");
});

app.listen(3000);
"""

HOSTILE = f"""\
const cp = require("child_process");
function run(x) {{
  cp.exec("{PAYLOAD}" + x);
}}
module.exports = run;
"""

DOCKERFILE = "FROM node:latest\nCOPY . /app\nCMD [\"node\", \"/app/app.js\"]\n"
TEMPLATE = "<p>Hello <%- user.name %></p>\n"


def build_project(target: Path, *, with_secret: bool = True, with_deps: bool = True) -> Path:
    """Write the project into ``target``; return it."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "app.js").write_text(APP)
    (target / HOSTILE_NAME).parent.mkdir(exist_ok=True)
    (target / HOSTILE_NAME).write_text(HOSTILE)
    (target / "broken.js").write_text("function (\n  return 1;\n")
    (target / "Dockerfile").write_text(DOCKERFILE)
    views = target / "views"
    views.mkdir(exist_ok=True)
    (views / "page.ejs").write_text(TEMPLATE)
    if with_secret:
        token = TokenFactory(seed=8).make("github-pat-classic")
        (target / "settings.js").write_text(f'module.exports = {{ githubToken: "{token}" }};\n')
    if with_deps:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ROOT / "tests" / "fixtures" / "deps" / "npm3" / name, target / name)
    return target
