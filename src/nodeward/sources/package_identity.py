"""What a package in the scanned tree is: a published package (a library as npm ships it), a web framework
(or one of its middlewares and plugins), or an application.

A published package has no lockfile by design and declares in `engines` what it supports, not what
runs in production. A framework's own source is not an application: it defines the defaults and the
error pipeline that applications configure. Rules about how a deployed application treats its clients
(error details in responses, cookie flags, CORS, body limits, rate limiting, security headers) say
nothing about it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nodeward.datafiles import DataFileError, load_json
from nodeward.sources.discover import read_regular_file

#: Web frameworks and HTTP servers for Node.js, by their npm names.
WEB_FRAMEWORKS = frozenset({
    "express", "fastify", "koa", "@hapi/hapi", "hapi", "restify", "connect", "polka", "micro", "hono", "h3",
    "sails", "loopback", "@loopback/core", "@loopback/rest", "@nestjs/core", "@nestjs/common",
    "@nestjs/platform-express", "@nestjs/platform-fastify", "@feathersjs/feathers", "@feathersjs/express",
    "@adonisjs/core", "@adonisjs/http-server", "total4", "total.js", "thinkjs", "egg", "midway", "tinyhttp",
    "@tinyhttp/app", "router", "find-my-way", "finalhandler", "send", "serve-static", "body-parser", "@koa/router",
    "koa-router", "@hapi/boom", "light-my-request", "next", "nuxt", "@sveltejs/kit", "@remix-run/node",
})
#: Name prefixes of the middleware and plugin ecosystems of those frameworks (`@fastify/static`, `koa-body`).
PLUGIN_PREFIXES = ("@fastify/", "fastify-", "@koa/", "koa-", "express-", "@hapi/", "hapi-", "connect-",
                   "@nestjs/", "restify-", "@feathersjs/", "@hono/", "@tinyhttp/")
#: Keywords a framework or middleware describes itself with in its package.json.
FRAMEWORK_KEYWORDS = frozenset({"framework", "web framework", "web-framework", "middleware", "http framework"})


#: Fields npm writes into the package.json of a package it installed (older npm releases).
_INSTALL_FIELDS = ("_resolved", "_integrity", "_from")


def is_published_package(manifest: dict[str, Any], folder: Path) -> bool:
    """Whether ``folder`` is a package as npm publishes it, which never carries a lockfile.

    A published package is not ``private``, has a name and a version, and either says what it
    publishes (``files``, ``publishConfig``), carries the fields npm adds when it installs a package, or
    has the layout of an unpacked tarball (``npm pack``, a registry download): npm never packs a
    ``.gitignore`` or ``.git``, while the source checkout of a package has them beside its package.json.
    """
    if manifest.get("private") is True or not manifest.get("name") or not manifest.get("version"):
        return False
    if "files" in manifest or "publishConfig" in manifest or any(key in manifest for key in _INSTALL_FIELDS):
        return True
    return not any(os.path.lexists(folder / name) for name in (".gitignore", ".git"))


def is_web_framework(manifest: dict[str, Any]) -> bool:
    """A published (not private) package that is a web framework, or a middleware or plugin of one."""
    name = manifest.get("name")
    if not isinstance(name, str) or manifest.get("private") is True:
        return False
    if name in WEB_FRAMEWORKS or name.startswith(PLUGIN_PREFIXES):
        return True
    keywords = manifest.get("keywords")
    if isinstance(keywords, list) and FRAMEWORK_KEYWORDS.intersection(str(k).lower() for k in keywords):
        return True
    peers = manifest.get("peerDependencies")
    return isinstance(peers, dict) and bool(WEB_FRAMEWORKS.intersection(peers))  # a plugin of a framework


def package_frameworks(package_files: Iterable[tuple[str, Path]]) -> dict[str, str | None]:
    """Folder of each package.json (display path, "" for the scan root) -> its name when it is a web framework."""
    roots: dict[str, str | None] = {}
    for display, path in package_files:
        try:
            manifest = load_json(read_regular_file(path).decode("utf-8", "replace"))
        except (OSError, DataFileError):
            manifest = None
        framework = isinstance(manifest, dict) and is_web_framework(manifest)
        roots[posixpath.dirname(display)] = str(manifest["name"]) if framework and isinstance(manifest, dict) else None
    return roots


def framework_owning(path: str, packages: dict[str, str | None]) -> str | None:
    """The framework whose package holds ``path`` (the innermost package.json above it decides), if any."""
    best: str | None = None
    for root in packages:
        if (root == "" or path.startswith(root + "/")) and (best is None or len(root) > len(best)):
            best = root
    return packages[best] if best is not None else None
