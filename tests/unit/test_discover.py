"""Tests of source discovery: ignore rules, skipped files and directories, and their reasons."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from nodeward.sources import discover as discover_module
from nodeward.sources.discover import (
    CODE_KINDS,
    Discovery,
    FileKind,
    SourceFile,
    SourceReadError,
    discover,
    looks_binary,
    looks_minified,
    read_source,
)

CODE = b"const answer = 42;\nmodule.exports = answer;\n"


def write(root: Path, rel: str, content: bytes | str = CODE) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def found(result: Discovery) -> list[str]:
    return [file.display_path for file in result.files]


def skipped(result: Discovery) -> dict[str, str]:
    return {item.display_path: item.reason for item in result.skipped}


# -- kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.js", FileKind.JAVASCRIPT),
        ("a.cjs", FileKind.JAVASCRIPT),
        ("a.mjs", FileKind.JAVASCRIPT),
        ("a.jsx", FileKind.JAVASCRIPT),
        ("a.ts", FileKind.TYPESCRIPT),
        ("a.mts", FileKind.TYPESCRIPT),
        ("a.cts", FileKind.TYPESCRIPT),
        ("a.tsx", FileKind.TSX),
        ("dir.d/A.JS", FileKind.JAVASCRIPT),
        ("a.d.ts", None),
        ("a.d.mts", None),
        ("a.json", None),
        ("README.md", None),
        ("package.json", FileKind.PACKAGE_JSON),
        ("package-lock.json", FileKind.LOCKFILE),
        ("yarn.lock", FileKind.LOCKFILE),
        ("pnpm-lock.yaml", FileKind.LOCKFILE),
        ("bun.lock", FileKind.LOCKFILE),
        ("Dockerfile", FileKind.DOCKERFILE),
        ("Dockerfile.prod", FileKind.DOCKERFILE),
        ("api.dockerfile", FileKind.DOCKERFILE),
        ("docker-compose.yml", FileKind.YAML),
        ("deploy.yaml", FileKind.YAML),
        (".npmrc", FileKind.NPMRC),
        (".env", FileKind.DOTENV),
        (".env.production", FileKind.DOTENV),
        (".envrc", None),
        ("index.ejs", FileKind.TEMPLATE),
        ("page.hbs", FileKind.TEMPLATE),
        ("Makefile", None),
        (".js", None),
    ],
)
def test_kind_from_path(name: str, kind: FileKind | None) -> None:
    assert FileKind.from_path(name) is kind
    assert FileKind.from_path(Path("/some/where") / name) is kind


def test_discovered_kinds_follow_extensions(tmp_path: Path) -> None:
    for name in ("a.js", "b.cjs", "c.mjs", "d.jsx", "e.ts", "f.mts", "g.cts", "h.tsx", "i.json", "j.md"):
        write(tmp_path, name)
    result = discover([tmp_path])
    kinds = {file.display_path: file.kind for file in result.files}
    assert kinds == {
        "a.js": FileKind.JAVASCRIPT,
        "b.cjs": FileKind.JAVASCRIPT,
        "c.mjs": FileKind.JAVASCRIPT,
        "d.jsx": FileKind.JAVASCRIPT,
        "e.ts": FileKind.TYPESCRIPT,
        "f.mts": FileKind.TYPESCRIPT,
        "g.cts": FileKind.TYPESCRIPT,
        "h.tsx": FileKind.TSX,
    }
    assert result.skipped == []  # files of other kinds are not candidates, so not reported
    assert result.errors == []


def test_declaration_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "types/index.d.ts", "export declare const x: number;\n")
    write(tmp_path, "types/index.ts", "export const x = 1;\n")
    result = discover([tmp_path])
    assert found(result) == ["types/index.ts"]
    assert skipped(result) == {"types/index.d.ts": "type declarations"}


def test_node_scripts_without_extension_are_code(tmp_path: Path) -> None:
    write(tmp_path, "bin/serve", "#!/usr/bin/env node\nrequire('../lib/server');\n")
    write(tmp_path, "bin/tool", "#! /usr/local/bin/node --harmony\nconsole.log(1);\n")
    write(tmp_path, "bin/build", "#!/bin/sh\nexec node build.js\n")
    write(tmp_path, "LICENSE", "MIT License\n")
    result = discover([tmp_path])
    kinds = {file.display_path: file.kind for file in result.files}
    assert kinds == {"bin/serve": FileKind.JAVASCRIPT, "bin/tool": FileKind.JAVASCRIPT}
    assert skipped(result) == {}


# -- paths and order ----------------------------------------------------------------------------


def test_source_file_fields(tmp_path: Path) -> None:
    write(tmp_path, "src/app.js")
    result = discover([tmp_path])
    assert result.files == [
        SourceFile(
            path=(tmp_path / "src" / "app.js").absolute(),
            display_path="src/app.js",
            kind=FileKind.JAVASCRIPT,
            size=len(CODE),
        )
    ]
    assert result.files[0].path.is_absolute()


def test_display_paths_relative_to_a_relative_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "proj/src/deep/er/app.js")
    monkeypatch.chdir(tmp_path)
    result = discover([Path("proj")])
    assert found(result) == ["src/deep/er/app.js"]
    assert result.files[0].path == tmp_path / "proj" / "src" / "deep" / "er" / "app.js"


def test_file_argument_is_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "proj/src/app.js")
    monkeypatch.chdir(tmp_path)
    result = discover([Path("proj/src/app.js")])
    assert found(result) == ["proj/src/app.js"]
    assert result.files[0].path == tmp_path / "proj" / "src" / "app.js"


def test_several_roots_keep_their_files_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a/index.js")
    write(tmp_path, "b/index.js")
    write(tmp_path, "c.js")
    monkeypatch.chdir(tmp_path)
    result = discover([Path("b"), Path("a"), Path("c.js"), Path("a")])
    assert found(result) == ["a/index.js", "b/index.js", "c.js"]


def test_order_is_sorted_and_deterministic(tmp_path: Path) -> None:
    for rel in ("z.js", "a/b.js", "a.js", "B/c.ts", "a/a/a.js", "m/x.tsx", "node_modules/x.js", "q.min.js"):
        write(tmp_path, rel)
    first = discover([tmp_path])
    second = discover([tmp_path])
    assert first == second
    assert found(first) == sorted(found(first))
    assert found(first) == ["B/c.ts", "a.js", "a/a/a.js", "a/b.js", "m/x.tsx", "z.js"]
    assert [item.display_path for item in first.skipped] == ["node_modules", "q.min.js"]


def test_missing_path_is_an_error_and_the_others_are_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "present/app.js")
    monkeypatch.chdir(tmp_path)
    result = discover([Path("absent"), Path("present"), Path("gone.js")])
    assert result.errors == ["path does not exist: absent", "path does not exist: gone.js"]
    assert found(result) == ["present/app.js"]


def test_file_argument_of_unknown_kind_is_reported(tmp_path: Path) -> None:
    readme = write(tmp_path, "README.md", "# hi\n")
    result = discover([readme])
    assert result.files == []
    assert skipped(result) == {readme.as_posix(): "not a kind of file the active scanners read"}


# -- gitignore ----------------------------------------------------------------------------------


def test_gitignore_root_and_nested_with_negation(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.gen.js\n")
    write(tmp_path, "sub/.gitignore", "!keep.gen.js\n/local.js\n")
    write(tmp_path, "top.gen.js")
    write(tmp_path, "local.js")
    write(tmp_path, "sub/keep.gen.js")
    write(tmp_path, "sub/other.gen.js")
    write(tmp_path, "sub/local.js")
    write(tmp_path, "sub/deeper/local.js")
    write(tmp_path, "other/keep.gen.js")
    result = discover([tmp_path])
    assert found(result) == ["local.js", "sub/deeper/local.js", "sub/keep.gen.js"]
    assert skipped(result) == {
        "top.gen.js": "ignored by .gitignore",
        "sub/other.gen.js": "ignored by .gitignore",
        "sub/local.js": "ignored by .gitignore",
        "other/keep.gen.js": "ignored by .gitignore",
    }


def test_nested_gitignore_can_ignore_what_the_root_allows(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.log\n!important.js\n")
    write(tmp_path, "pkg/.gitignore", "important.js\n")
    write(tmp_path, "important.js")
    write(tmp_path, "pkg/important.js")
    result = discover([tmp_path])
    assert found(result) == ["important.js"]
    assert skipped(result) == {"pkg/important.js": "ignored by .gitignore"}


def test_gitignored_directory_is_pruned_and_reported_once(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "generated/\n")
    for index in range(5):
        write(tmp_path, f"generated/part{index}.js")
        write(tmp_path, f"generated/nested/part{index}.js")
    write(tmp_path, "src/generated.js")  # a file with the name: "generated/" only matches directories
    result = discover([tmp_path])
    assert found(result) == ["src/generated.js"]
    assert skipped(result) == {"generated": "ignored by .gitignore"}


def test_directory_only_pattern_does_not_ignore_files(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "out.js/\n")
    write(tmp_path, "out.js")
    write(tmp_path, "lib/out.js/inner.js")
    result = discover([tmp_path])
    assert found(result) == ["out.js"]
    assert skipped(result) == {"lib/out.js": "ignored by .gitignore"}


def test_git_info_exclude_is_honoured(tmp_path: Path) -> None:
    write(tmp_path, ".git/info/exclude", "scratch.js\n")
    write(tmp_path, "scratch.js")
    write(tmp_path, "app.js")
    result = discover([tmp_path])
    assert found(result) == ["app.js"]
    assert skipped(result) == {".git": "version control", "scratch.js": "ignored by .gitignore"}


def test_gitignore_overrides_info_exclude(tmp_path: Path) -> None:
    write(tmp_path, ".git/info/exclude", "*.js\n")
    write(tmp_path, ".gitignore", "!app.js\n")
    write(tmp_path, "app.js")
    write(tmp_path, "other.js")
    result = discover([tmp_path])
    assert found(result) == ["app.js"]
    assert skipped(result)["other.js"] == "ignored by .gitignore"


def test_scanning_a_subdirectory_honours_the_repository_rules_above(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "*.gen.js\n")
    write(tmp_path, "packages/.gitignore", "/api/tmp/\n")
    write(tmp_path, "packages/api/src/app.js")
    write(tmp_path, "packages/api/src/app.gen.js")
    write(tmp_path, "packages/api/tmp/x.js")
    result = discover([tmp_path / "packages" / "api"])
    assert found(result) == ["src/app.js"]
    assert skipped(result) == {"src/app.gen.js": "ignored by .gitignore", "tmp": "ignored by .gitignore"}


def test_explicitly_scanned_directory_is_scanned_even_if_ignored_above(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "scripts/\n")
    write(tmp_path, "scripts/deploy.js")
    result = discover([tmp_path / "scripts"])
    assert found(result) == ["deploy.js"]


def test_nested_repository_does_not_inherit_outer_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "*.gen.js\n")
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    write(tmp_path, "sub/a.gen.js")
    write(tmp_path, "b.gen.js")
    result = discover([tmp_path])
    assert found(result) == ["sub/a.gen.js"]
    assert skipped(result)["b.gen.js"] == "ignored by .gitignore"


def test_gitignore_not_applied_to_file_arguments(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.js\n")
    app = write(tmp_path, "app.js")
    assert found(discover([tmp_path])) == []
    assert found(discover([app])) == [app.as_posix()]


def test_respect_gitignore_false(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.js\nignored/\n")
    write(tmp_path, "app.js")
    write(tmp_path, "ignored/x.js")
    result = discover([tmp_path], respect_gitignore=False)
    assert found(result) == ["app.js", "ignored/x.js"]
    assert result.skipped == []


def test_invalid_gitignore_lines_are_dropped(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "\\\nbad.js\n")
    write(tmp_path, "bad.js")
    write(tmp_path, "good.js")
    result = discover([tmp_path])
    assert found(result) == ["good.js"]
    assert result.errors == []


# -- always skipped directories -----------------------------------------------------------------


def test_node_modules_and_vendored_directories_are_skipped_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "node_modules/lodash/index.js")
    write(tmp_path, "node_modules/lodash/fp.js")
    write(tmp_path, "packages/a/node_modules/x/index.js")
    write(tmp_path, "packages/a/index.js")
    write(tmp_path, "bower_components/jquery/jquery.js")
    write(tmp_path, "vendor/lib.js")
    write(tmp_path, "coverage/lcov-report/prettify.js")
    result = discover([tmp_path])
    assert found(result) == ["packages/a/index.js"]
    assert skipped(result) == {
        "node_modules": "node_modules",
        "packages/a/node_modules": "node_modules",
        "bower_components": "vendored",
        "vendor": "vendored",
        "coverage": "coverage report",
    }


def test_node_modules_given_explicitly_is_scanned(tmp_path: Path) -> None:
    write(tmp_path, "node_modules/pkg/index.js")
    result = discover([tmp_path / "node_modules" / "pkg"])
    assert found(result) == ["index.js"]


# -- build output -------------------------------------------------------------------------------


def test_dist_beside_src_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "src/index.ts", "export const x = 1;\n")
    write(tmp_path, "dist/index.js")
    write(tmp_path, "build/index.js")
    result = discover([tmp_path])
    assert found(result) == ["src/index.ts"]
    assert skipped(result) == {
        "build": "build output (src/ beside it)",
        "dist": "build output (src/ beside it)",
    }


def test_dist_beside_lib_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "lib/index.js")
    write(tmp_path, "dist/index.js")
    result = discover([tmp_path])
    assert found(result) == ["lib/index.js"]
    assert skipped(result) == {"dist": "build output (lib/ beside it)"}


def test_dist_of_a_published_package_is_scanned(tmp_path: Path) -> None:
    write(tmp_path, "package.json", '{"name": "pkg", "main": "dist/index.js"}\n')
    write(tmp_path, "dist/index.js")
    write(tmp_path, "dist/util.js")
    write(tmp_path, "README.md", "# pkg\n")
    result = discover([tmp_path])
    assert found(result) == ["dist/index.js", "dist/util.js"]
    assert result.skipped == []


def test_src_file_beside_dist_does_not_count(tmp_path: Path) -> None:
    write(tmp_path, "src", "not a directory\n")
    write(tmp_path, "dist/index.js")
    assert found(discover([tmp_path])) == ["dist/index.js"]


def test_build_dir_named_by_tsconfig_out_dir_is_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        "tsconfig.json",
        '{\n  // comments are allowed here\n  "compilerOptions": {\n'
        '    "outDir": "./build/", /* and here */\n    "rootDir": "app",\n  },\n}\n',
    )
    write(tmp_path, "app/main.ts", "export const x = 1;\n")
    write(tmp_path, "build/main.js")
    write(tmp_path, "dist/other.js")
    result = discover([tmp_path])
    assert found(result) == ["app/main.ts", "dist/other.js"]
    assert skipped(result) == {"build": "build output (outDir of tsconfig.json)"}


# -- content checks -----------------------------------------------------------------------------


def test_min_js_names_are_skipped_as_minified(tmp_path: Path) -> None:
    write(tmp_path, "public/jquery.min.js")
    write(tmp_path, "public/app.min.mjs")
    write(tmp_path, "public/app.min.cjs")
    write(tmp_path, "public/admin.js")
    result = discover([tmp_path])
    assert found(result) == ["public/admin.js"]
    assert skipped(result) == {
        "public/jquery.min.js": "minified",
        "public/app.min.mjs": "minified",
        "public/app.min.cjs": "minified",
    }


def test_large_single_line_file_is_skipped_as_minified(tmp_path: Path) -> None:
    statement = b"var a=function(b){return b+1};"
    write(tmp_path, "bundle.js", statement * (5 * 1024 * 1024 // len(statement)))
    write(tmp_path, "normal.js", b"const x = 1;\n" * 10000)
    result = discover([tmp_path], max_file_size=16 * 1024 * 1024)
    assert found(result) == ["normal.js"]
    assert skipped(result) == {"bundle.js": "minified"}


def test_looks_minified() -> None:
    assert not looks_minified(b"")
    assert not looks_minified(b"x" * 900)  # too little to judge
    assert not looks_minified(b"const x = 1;\n" * 1000)
    assert looks_minified((b"a" * 300 + b"\n") * 10)  # long average lines
    assert looks_minified(b"// banner\n" * 20 + b"a" * 6000 + b"\n")  # one huge line
    # one huge line making up most of the file, although the average line is short
    assert looks_minified(b"// banner\n" * 40 + b"a" * 6000 + b"\n" + b"x\n" * 40)
    assert not looks_minified(b"// banner\n" * 40 + b"a" * 4000 + b"\n" + b"x\n" * 40)
    assert not looks_minified(b"x = 1;\n" * 3000 + b"a" * 6000 + b"\n" + b"y = 2;\n" * 3000)
    # the whole file is looked at: a bundle behind 78 KB of short lines, several long lines together
    assert looks_minified(b"const x = 1;\n" * 6000 + b"a" * 100_000)
    assert looks_minified(b"const x = 1;\n" * 6000 + (b"b" * 30_000 + b"\n") * 3)
    assert not looks_minified(b"const x = 1;\n" * 6000 + (b"b" * 30_000 + b"\n") * 2)  # 60 KB of 138 KB


def test_a_long_line_after_64_kb_of_short_ones_is_found_in_discovery_and_in_workers(tmp_path: Path) -> None:
    from nodeward.sources.discover import ContentSkip, content_skip

    bundle = b"// header\n" * 7000 + b"".join(b"function f%d(a){return a.b%d(c)+d[%d]};" % (i, i, i)
                                             for i in range(20_000)) + b"\n"
    write(tmp_path, "public/bundle.js", bundle)
    assert skipped(discover([tmp_path])) == {"public/bundle.js": "minified"}
    later = discover([tmp_path], content_checked_later=frozenset({FileKind.JAVASCRIPT}))
    assert found(later) == ["public/bundle.js"]  # not opened: the worker decides when it reads it
    assert content_skip(FileKind.JAVASCRIPT, bundle) == ContentSkip("minified", text_still_read=True)
    assert content_skip(FileKind.TEXT, b"\x00binary") == ContentSkip("binary", reported=False)
    assert content_skip(FileKind.JAVASCRIPT, CODE) is None


def test_bundle_that_is_not_minified_is_scanned(tmp_path: Path) -> None:
    write(tmp_path, "app.bundle.js", b"function f() {\n  return 1;\n}\n" * 100)
    assert found(discover([tmp_path])) == ["app.bundle.js"]


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "data.js", b"\x7fELF\x02\x01\x01\x00\x00\x00" + b"\x00" * 100)
    write(tmp_path, "latin1.js", "const s = 'caf\xe9';\n".encode("latin-1"))  # invalid UTF-8 is fine
    result = discover([tmp_path])
    assert found(result) == ["latin1.js"]
    assert skipped(result) == {"data.js": "binary"}


def test_utf16_and_utf32_with_a_byte_order_mark_are_text(tmp_path: Path) -> None:
    from nodeward.sources.discover import as_utf8

    text = "const café = 1;\nmodule.exports = café;\n"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        mark = b"" if encoding in ("utf-16", "utf-32") else {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
                                                             "utf-32-le": b"\xff\xfe\x00\x00",
                                                             "utf-32-be": b"\x00\x00\xfe\xff"}[encoding]
        data = mark + text.encode(encoding)  # "utf-16" and "utf-32" write the machine's mark themselves
        assert as_utf8(data) == text.encode("utf-8"), encoding
        write(tmp_path, f"{encoding}.js", data)
    assert as_utf8(b"\xff\xfeA") == "\ufffd".encode()  # a cut code unit: replaced, not an error
    assert as_utf8(CODE) is CODE
    assert as_utf8(b"\x00\x00binary") == b"\x00\x00binary"
    result = discover([tmp_path])
    assert len(found(result)) == 6 and result.skipped == []


def test_looks_binary() -> None:
    assert looks_binary(b"abc\x00def")
    assert not looks_binary(b"abc\xff\xfedef")
    assert not looks_binary(b"a" * 8192 + b"\x00")  # past the first 8 KB


def test_file_over_max_size_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "big.js", b"x = 1;\n" * 300)  # 2100 bytes
    write(tmp_path, "small.js", b"x = 1;\n")
    result = discover([tmp_path], max_file_size=1000)
    assert found(result) == ["small.js"]
    assert skipped(result) == {"big.js": "too large (2.1 KB > 1000 bytes)"}


def test_too_large_message_in_megabytes(tmp_path: Path) -> None:
    write(tmp_path, "huge.js", b"x = 1;\n" * (int(6.2 * 1024 * 1024) // 7 + 1))
    result = discover([tmp_path])
    assert skipped(result) == {"huge.js": "too large (6.2 MB > 4 MB)"}


def test_size_checks_apply_to_file_arguments(tmp_path: Path) -> None:
    big = write(tmp_path, "big.js", b"x = 1;\n" * 300)
    minified = write(tmp_path, "lib.min.js")
    result = discover([big, minified], max_file_size=1000)
    assert result.files == []
    assert skipped(result) == {
        big.as_posix(): "too large (2.1 KB > 1000 bytes)",
        minified.as_posix(): "minified",
    }


# -- unreadable files ---------------------------------------------------------------------------


def _deny(target: Path) -> Any:
    real_open = open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file) == target:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    return fake_open


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = write(tmp_path, "secret.js")
    write(tmp_path, "app.js")
    monkeypatch.setattr(discover_module, "open", _deny(secret), raising=False)
    result = discover([tmp_path])
    assert found(result) == ["app.js"]
    assert skipped(result) == {"secret.js": "unreadable: Permission denied"}


def test_read_source_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "src/app.js")
    [source] = discover([tmp_path]).files
    assert read_source(source) == CODE
    monkeypatch.setattr(discover_module, "open", _deny(path), raising=False)
    with pytest.raises(SourceReadError) as caught:
        read_source(source)
    assert caught.value.message == "cannot read src/app.js: Permission denied"
    assert str(caught.value) == caught.value.message


def test_read_source_of_deleted_file(tmp_path: Path) -> None:
    path = write(tmp_path, "gone.js")
    [source] = discover([tmp_path]).files
    path.unlink()
    with pytest.raises(SourceReadError, match=re.escape("cannot read gone.js: No such file or directory")):
        read_source(source)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read chmod 000 files")
def test_chmod_000_file_and_directory(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.js")
    write(tmp_path, "locked/inner.js")
    write(tmp_path, "app.js")
    secret.chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        result = discover([tmp_path])
    finally:
        secret.chmod(0o644)
        (tmp_path / "locked").chmod(0o755)
    assert found(result) == ["app.js"]
    assert skipped(result) == {
        "secret.js": "unreadable: Permission denied",
        "locked": "unreadable: Permission denied",
    }


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "locked/inner.js")
    write(tmp_path, "app.js")
    locked = str(tmp_path / "locked")
    real_scandir = os.scandir

    def fake_scandir(path: str) -> Any:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    result = discover([tmp_path])
    assert found(result) == ["app.js"]
    assert skipped(result) == {"locked": "unreadable: Permission denied"}


# -- symlinks -----------------------------------------------------------------------------------


def test_symlink_loop_is_reported_and_walk_completes(tmp_path: Path) -> None:
    write(tmp_path, "a/one.js")
    write(tmp_path, "a/z/two.js")
    (tmp_path / "a" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "a" / "z" / "up").symlink_to("../..", target_is_directory=True)
    result = discover([tmp_path])
    assert found(result) == ["a/one.js", "a/z/two.js"]
    assert skipped(result) == {"a/loop": "symlink loop", "a/z/up": "symlink loop"}


def test_symlinked_directory_inside_the_root_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "packages/shared/util.js")
    (tmp_path / "app").symlink_to("packages/shared", target_is_directory=True)
    result = discover([tmp_path])
    assert found(result) == ["app/util.js"]  # reached first through the link, in name order
    assert skipped(result) == {"packages/shared": "same directory as app"}
    assert result.files[0].path == tmp_path / "app" / "util.js"


def test_directory_reached_twice_is_scanned_once(tmp_path: Path) -> None:
    write(tmp_path, "lib/util.js")
    write(tmp_path, "other/x.js")
    (tmp_path / "other" / "alias").symlink_to("../lib", target_is_directory=True)
    result = discover([tmp_path])
    assert found(result) == ["lib/util.js", "other/x.js"]
    assert skipped(result) == {"other/alias": "same directory as lib"}


def test_broken_and_self_referencing_symlinks(tmp_path: Path) -> None:
    write(tmp_path, "app.js")
    (tmp_path / "broken.js").symlink_to("missing.js")
    (tmp_path / "self.js").symlink_to("self.js")
    (tmp_path / "gone").symlink_to("nowhere", target_is_directory=True)
    result = discover([tmp_path])
    assert found(result) == ["app.js"]
    assert skipped(result) == {
        "broken.js": "broken symlink",
        "gone": "broken symlink",
        "self.js": "symlink loop",
    }


def test_symlinked_file_is_scanned(tmp_path: Path) -> None:
    target = write(tmp_path, "real/app.js")
    (tmp_path / "link.js").symlink_to(target)
    result = discover([tmp_path])
    assert found(result) == ["link.js", "real/app.js"]


# -- include and exclude ------------------------------------------------------------------------


def test_exclude_globs(tmp_path: Path) -> None:
    write(tmp_path, "src/app.js")
    write(tmp_path, "src/app.spec.js")
    write(tmp_path, "src/deep/util.spec.js")
    write(tmp_path, "test/a.js")
    write(tmp_path, "test/nested/b.js")
    result = discover([tmp_path], exclude=["test/**", "*.spec.js"])
    assert found(result) == ["src/app.js"]
    assert skipped(result) == {
        "test": "excluded by --exclude",
        "src/app.spec.js": "excluded by --exclude",
        "src/deep/util.spec.js": "excluded by --exclude",
    }


def test_exclude_directory_pattern(tmp_path: Path) -> None:
    write(tmp_path, "fixtures/x.js")
    write(tmp_path, "pkg/fixtures/y.js")
    write(tmp_path, "pkg/z.js")
    result = discover([tmp_path], exclude=["fixtures/"])
    assert found(result) == ["pkg/z.js"]
    assert skipped(result) == {"fixtures": "excluded by --exclude", "pkg/fixtures": "excluded by --exclude"}


def test_exclude_applies_to_file_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a.spec.js")
    write(tmp_path, "a.js")
    monkeypatch.chdir(tmp_path)
    result = discover([Path("a.spec.js"), Path("a.js")], exclude=["*.spec.js"])
    assert found(result) == ["a.js"]
    assert skipped(result) == {"a.spec.js": "excluded by --exclude"}


def test_include_restricts_candidates(tmp_path: Path) -> None:
    write(tmp_path, "src/app.ts", "export const x = 1;\n")
    write(tmp_path, "src/app.js")
    write(tmp_path, "scripts/build.js")
    write(tmp_path, "scripts/tool.ts", "export const y = 1;\n")
    result = discover([tmp_path], include=["src/**"])
    assert found(result) == ["src/app.js", "src/app.ts"]
    assert result.skipped == []
    result = discover([tmp_path], include=["*.ts"])
    assert found(result) == ["scripts/tool.ts", "src/app.ts"]


def test_invalid_user_pattern_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.js")
    result = discover([tmp_path], exclude=["\\"])
    assert result.errors == ["invalid --exclude pattern: \\"]
    assert found(result) == ["a.js"]


def test_other_kinds_are_found_only_when_a_scanner_asks_for_them(tmp_path: Path) -> None:
    write(tmp_path, "app.js")
    write(tmp_path, "package-lock.json", "{}")
    write(tmp_path, "Dockerfile", "FROM node:20\n")
    write(tmp_path, "notes.txt", "hello\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\x00\x00" * 10)
    assert [f.display_path for f in discover([tmp_path]).files] == ["app.js"]
    found = discover([tmp_path], kinds=frozenset({FileKind.LOCKFILE, FileKind.DOCKERFILE}))
    assert {f.display_path: f.kind for f in found.files} == {
        "Dockerfile": FileKind.DOCKERFILE, "package-lock.json": FileKind.LOCKFILE,
    }
    everything = discover([tmp_path], kinds=frozenset(FileKind))
    kinds = {f.display_path: f.kind for f in everything.files}
    assert kinds["notes.txt"] is FileKind.TEXT and kinds["app.js"] is FileKind.JAVASCRIPT
    assert "logo.png" not in kinds and "logo.png" not in skipped(everything)


def test_large_lockfiles_are_not_cut_by_the_code_size_limit(tmp_path: Path) -> None:
    write(tmp_path, "package-lock.json", "{" + " " * 5000 + "}")
    write(tmp_path, "big.js", "//" + "x" * 5000 + "\n")
    found = discover([tmp_path], max_file_size=1000, kinds=frozenset({FileKind.LOCKFILE, FileKind.JAVASCRIPT}))
    assert [f.display_path for f in found.files] == ["package-lock.json"]
    assert "too large" in skipped(found)["big.js"]


# -- staying in the tree ------------------------------------------------------------------------


@pytest.fixture
def no_hang() -> Any:
    """Turns a discovery that blocks (opening a FIFO, reading /dev/zero) into a failure instead of a hang."""
    import signal

    def hung(signum: int, frame: Any) -> None:
        raise TimeoutError("discovery blocked")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_links_out_of_the_tree_are_listed_and_not_followed(tmp_path: Path, no_hang: Any) -> None:
    outside = tmp_path / "outside"
    write(outside, "canary.js")
    write(outside, "lib/util.js")
    write(outside, ".env", "TOKEN=x\n")
    root = tmp_path / "root"
    write(root, "app.js")
    (root / "up").symlink_to("../outside", target_is_directory=True)
    (root / "absolute").symlink_to(outside, target_is_directory=True)
    (root / "canary.js").symlink_to("../outside/canary.js")
    (root / "src").mkdir()
    (root / "src" / ".env").symlink_to("../../outside/.env")
    (root / "etc").symlink_to("/etc", target_is_directory=True)
    (root / "slash").symlink_to("/", target_is_directory=True)
    (root / "hop.js").symlink_to("canary.js")  # a link to a link that leaves the tree
    result = discover([root], kinds=frozenset(FileKind))
    assert found(result) == ["app.js"]
    assert all(str(file.path).startswith(str(root)) for file in result.files)
    reasons = skipped(result)
    assert reasons == {
        "up": "symbolic link out of the scanned directory (to ../outside)",
        "absolute": f"symbolic link out of the scanned directory (to {outside})",
        "canary.js": "symbolic link out of the scanned directory (to ../outside/canary.js)",
        "src/.env": "symbolic link out of the scanned directory (to ../../outside/.env)",
        "etc": "symbolic link out of the scanned directory (to /etc)",
        "slash": "symbolic link out of the scanned directory (to /)",
        "hop.js": "symbolic link out of the scanned directory (to canary.js)",
    }


def test_links_inside_the_tree_are_read_where_they_lead(tmp_path: Path) -> None:
    write(tmp_path, "real/app.js")
    (tmp_path / "link.js").symlink_to("real/app.js")
    (tmp_path / "real" / "back.js").symlink_to(tmp_path / "real" / "app.js")  # absolute, still inside
    result = discover([tmp_path])
    assert found(result) == ["link.js", "real/app.js", "real/back.js"]
    assert {file.path for file in result.files} == {tmp_path / "real" / "app.js"}  # no link is opened as such


def test_a_root_given_through_a_link_is_walked_where_it_is(tmp_path: Path) -> None:
    write(tmp_path, "project/app.js")
    (tmp_path / "project" / "self.js").symlink_to("app.js")
    (tmp_path / "alias").symlink_to("project", target_is_directory=True)
    result = discover([tmp_path / "alias"])
    assert found(result) == ["app.js", "self.js"]
    assert result.skipped == []


@pytest.mark.skipif(not Path("/proc/self/fd/0").exists(), reason="needs /proc and /dev")
def test_fifos_devices_sockets_and_proc_are_never_opened_and_always_listed(tmp_path: Path, no_hang: Any) -> None:
    import socket

    write(tmp_path, "app.js")
    os.mkfifo(tmp_path / "fifo.js")
    os.mkfifo(tmp_path / "yarn.lock")
    os.mkfifo(tmp_path / "notes")  # a name no scanner reads: listed all the same
    (tmp_path / "zero.js").symlink_to("/dev/zero")
    (tmp_path / "stdin.js").symlink_to("/proc/self/fd/0")
    (tmp_path / "environ.env").symlink_to("/proc/self/environ")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "s.js"))
        result = discover([tmp_path], kinds=frozenset(FileKind) - {FileKind.TEXT})
    finally:
        server.close()
    assert found(result) == ["app.js"]
    assert skipped(result) == {
        "fifo.js": "not a regular file (named pipe), never opened",
        "yarn.lock": "not a regular file (named pipe), never opened",
        "notes": "not a regular file (named pipe), never opened",
        "s.js": "not a regular file (socket), never opened",
        "zero.js": "symbolic link out of the scanned directory (to /dev/zero)",
        "stdin.js": "symbolic link out of the scanned directory (to /proc/self/fd/0)",
        "environ.env": "symbolic link out of the scanned directory (to /proc/self/environ)",
    }


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc and /dev")
def test_special_files_named_as_arguments_are_not_opened(tmp_path: Path, no_hang: Any) -> None:
    os.mkfifo(tmp_path / "fifo.js")
    result = discover([tmp_path / "fifo.js", Path("/dev/zero"), Path("/proc/self/environ"), Path("/proc")])
    assert result.files == []
    assert skipped(result) == {
        f"{tmp_path.as_posix()}/fifo.js": "not a regular file (named pipe), never opened",
        "/dev/zero": "system pseudo-files (never read)",
        "/proc/self/environ": "system pseudo-files (never read)",
        "/proc": "system pseudo-files (never read)",
    }


def test_read_regular_file_refuses_what_is_not_a_regular_file(tmp_path: Path, no_hang: Any) -> None:
    from nodeward.sources.discover import NotRegularFile, read_regular_file

    target = write(tmp_path, "a.js")
    (tmp_path / "link.js").symlink_to("a.js")
    (tmp_path / "zero").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    assert read_regular_file(target) == CODE
    assert read_regular_file(target, limit=5) == CODE[:5]
    assert read_regular_file(tmp_path / "link.js", follow_links=True) == CODE
    with pytest.raises(NotRegularFile, match="symbolic link"):
        read_regular_file(tmp_path / "link.js")  # a link is followed only when the caller says so
    for special in ("fifo", "zero"):
        with pytest.raises(NotRegularFile):
            read_regular_file(tmp_path / special, follow_links=True)


def test_minified_code_is_still_read_for_secrets(tmp_path: Path) -> None:
    """A key or token written on one long line makes a file look minified; the secrets scanner reads it anyway."""
    write(tmp_path, "keys.js", b"const key = '" + b"QUJD\\n" * 400 + b"';\n")
    write(tmp_path, "public/app.min.js")
    result = discover([tmp_path], kinds=CODE_KINDS | {FileKind.TEXT})
    assert {(f.display_path, f.kind) for f in result.files} == {("keys.js", FileKind.TEXT),
                                                                 ("public/app.min.js", FileKind.TEXT)}
    assert set(skipped(result).values()) == {"minified: scanned for secrets only"}
