"""NestJS flows: request data from a decorated handler parameter, through injected services, to a sink."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, run_cli

SHOP = ROOT / "tests" / "fixtures" / "projects" / "nest-shop-app"


def scan(path: Path) -> dict[str, Any]:
    done = run_cli("scan", str(path), "--format", "json", "--scanners", "code", "-j", "1")
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_controller_to_service_flow_into_a_raw_query_has_the_whole_trace() -> None:
    report = scan(SHOP)
    finding = next(f for f in report["findings"]
                   if f["path"] == "src/products/products.service.ts" and f["start_line"] == 12)
    steps = [(s["path"], s["line"], s["description"]) for s in finding["trace"]]
    assert steps == [
        ("src/products/products.controller.ts", 13, "`@Query()` parameter: `q`"),
        ("src/products/products.controller.ts", 14, "passed to `this.productsService.search(q)`"),
        ("src/products/products.service.ts", 11, "`query` = ``SELECT * FROM products WHERE name LIKE '%${q}%'``"),
        ("src/products/products.service.ts", 12, "reaches `this.prisma.$queryRawUnsafe` (raw SQL)"),
    ]


def test_flow_through_an_abstract_repository_bound_by_a_module_provider() -> None:
    report = scan(SHOP)
    finding = next(f for f in report["findings"] if f["path"] == "src/orders/typeorm-orders.repository.ts")
    assert [(s["path"], s["line"]) for s in finding["trace"]] == [
        ("src/orders/orders.controller.ts", 9), ("src/orders/orders.controller.ts", 10),
        ("src/orders/orders.service.ts", 9), ("src/orders/typeorm-orders.repository.ts", 16)]


def test_scorecard_names_nest_routes_and_judges_nest_mechanisms() -> None:
    scorecard = scan(SHOP)["scorecard"][0]
    routes = {(r["route"], r["path"], r["line"]) for r in scorecard["routes"]}
    assert len(routes) == 13
    assert {("GET /api/orders", "src/orders/orders.controller.ts", 9),
            ("GET /api/products/:id", "src/products/products.controller.ts", 30),
            ("POST /api/auth/login", "src/auth/auth.controller.ts", 12)} <= routes
    card = {p["practice"]: p for p in scorecard["practices"]}
    assert card["rate-limiting"]["status"] == "in-place"
    assert card["login-throttling"]["status"] == "in-place"
    assert [e["text"] for e in card["login-throttling"]["evidence"]] == [
        "POST /api/auth/login: @Throttle({ default: { limit: 5, ttl: 60000 } })"]
    assert card["security-headers"]["status"] == "in-place"
    assert card["authorization"]["status"] == "in-place"


DECORATORS = """import { createParamDecorator, ExecutionContext } from "@nestjs/common";
export const Filter = createParamDecorator((data: unknown, ctx: ExecutionContext) =>
  ctx.switchToHttp().getRequest().query.filter);
export const User = createParamDecorator((data: unknown, ctx: ExecutionContext) =>
  ctx.switchToHttp().getRequest().user);
"""
CONTROLLER = """import { Controller, Get } from "@nestjs/common";
import { DataSource } from "typeorm";
import { Filter, User } from "./decorators";

@Controller("items")
export class ItemsController {
  constructor(private readonly db: DataSource) {}

  @Get("mine")
  mine(@User() user: { id: string }) {
    return this.db.query(`SELECT * FROM items WHERE owner = '${user.id}'`);
  }

  @Get()
  list(@Filter() filter: string) {
    return this.db.query(`SELECT * FROM items WHERE ${filter}`);
  }
}
"""


def test_custom_parameter_decorators_give_what_their_factory_returns(tmp_path: Path) -> None:
    (tmp_path / "decorators.ts").write_text(DECORATORS)
    (tmp_path / "items.controller.ts").write_text(CONTROLLER)
    found = {(f["rule_id"], f["start_line"], f["confidence"]) for f in scan(tmp_path)["findings"]
             if f["path"] == "items.controller.ts"}
    # `request.user` is set by the authentication guard; `request.query.filter` is the client's
    assert ("NW106", 16, "high") in found
    assert not any(line == 11 and confidence == "high" for _, line, confidence in found)


def test_validated_dto_fields_are_safe_only_with_a_validation_pipe(tmp_path: Path) -> None:
    def sql_lines(root: Path) -> set[int]:
        return {f["start_line"] for f in scan(root)["findings"]
                if f["path"] == "src/products/products.service.ts" and f["rule_id"] == "NW106"}

    # price (@IsInt), category (@IsIn) and supplierId (@IsUUID) are checked by the global ValidationPipe;
    # name (@IsString) is any text
    assert {29, 35} & sql_lines(SHOP) == {29}
    shutil.copytree(SHOP, tmp_path / "shop")
    main = tmp_path / "shop" / "src" / "main.ts"
    main.write_text(main.read_text().replace("  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));\n", ""))
    assert {29, 35} <= sql_lines(tmp_path / "shop")  # without the pipe the decorators check nothing


PAGE_DTO = """import { IsInt, IsString } from "class-validator";
export class PageDto {
  @IsInt() page: number;
  @IsString() search: string;
}
"""
PAGES_CONTROLLER = """import { Controller, Get, Query } from "@nestjs/common";
import { DataSource } from "typeorm";
import { PageDto } from "./page.dto";

@Controller("pages")
export class PagesController {
  constructor(private readonly db: DataSource) {}
  @Get("a") a(@Query() q: PageDto) { return this.db.query(`SELECT * FROM t OFFSET ${q.page} WHERE n = '${q.search}'`); }
  @Get("b") b(@Query() q: PageDto) { return this.db.query(`SELECT * FROM t OFFSET ${q.page}`); }
}
"""


def test_dto_fields_read_in_the_controller_itself(tmp_path: Path) -> None:
    (tmp_path / "page.dto.ts").write_text(PAGE_DTO)
    (tmp_path / "pages.controller.ts").write_text(PAGES_CONTROLLER)

    def lines() -> set[int]:
        return {f["start_line"] for f in scan(tmp_path)["findings"] if f["rule_id"] == "NW106"}

    assert lines() == {8, 9}  # no ValidationPipe: the decorators check nothing
    (tmp_path / "main.ts").write_text('import { ValidationPipe } from "@nestjs/common";\n'
                                      "export const pipe = new ValidationPipe();\n")
    assert lines() == {8}  # `q.search` is any text; `q.page` must be an integer


STORES = """import { DataSource } from "typeorm";
import { exec } from "child_process";

export abstract class Store { abstract find(name: string): unknown; }
export interface Runner { run(command: string): void; }

export class SqlStore {
  constructor(private readonly db: DataSource) {}
  find(name: string) { return this.db.query(`SELECT * FROM t WHERE name = '${name}'`); }
}

export class ShellRunner {
  run(command: string) { exec(command); }
}
"""
MODULE = """import { Module } from "@nestjs/common";
import { Store, SqlStore, ShellRunner } from "./stores";
import { ToolsController } from "./tools.controller";

@Module({
  controllers: [ToolsController],
  providers: [
    { provide: Store, useFactory: (db: unknown) => new SqlStore(db as never), inject: ["DB"] },
    { provide: "RUNNER", useValue: new ShellRunner() },
  ],
})
export class ToolsModule {}
"""
TOOLS_CONTROLLER = """import { Controller, Get, Inject, Query } from "@nestjs/common";
import { Runner, Store } from "./stores";

@Controller("tools")
export class ToolsController {
  constructor(private readonly store: Store, @Inject("RUNNER") private readonly runner: Runner) {}

  @Get("find") find(@Query("name") name: string) { return this.store.find(name); }
  @Get("run") run(@Query("cmd") cmd: string) { return this.runner.run(cmd); }
}
"""


def test_providers_made_by_factories_and_values_are_followed(tmp_path: Path) -> None:
    (tmp_path / "stores.ts").write_text(STORES)
    (tmp_path / "tools.module.ts").write_text(MODULE)
    (tmp_path / "tools.controller.ts").write_text(TOOLS_CONTROLLER)
    found = {(f["rule_id"], f["path"], f["start_line"], f["confidence"]) for f in scan(tmp_path)["findings"]}
    # neither class declares the abstract class or the interface: only the module's providers bind them
    assert {("NW106", "stores.ts", 9, "high"), ("NW101", "stores.ts", 13, "high")} <= found
