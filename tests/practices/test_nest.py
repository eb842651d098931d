"""NestJS applications in the app model: routes from controllers, guards, throttling and main.ts middleware."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nodeward.scan import ScanOptions, run_scan
from tests.conftest import run_cli

MAIN = """import { NestFactory } from "@nestjs/core";
import helmet from "helmet";
import { AppModule } from "./app.module";

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
%s  app.setGlobalPrefix("api");
  await app.listen(3000);
}
bootstrap();
"""
AUTH_CONTROLLER = """import { Body, Controller, Post, UseGuards } from "@nestjs/common";
import { Throttle } from "@nestjs/throttler";
import { Public } from "../common/public.decorator";

@Controller("auth")
export class AuthController {
  @Public()
  @Throttle({ default: { limit: 5, ttl: 60000 } })
  @Post("login")
  login(@Body() body: { username: string; password: string }) {
    return body.username;
  }
}
"""
ORDERS_CONTROLLER = """import { Controller, Delete, Get, Param, Post, UseGuards } from "@nestjs/common";
import { JwtAuthGuard } from "../auth/jwt.guard";

@Controller("orders")
export class OrdersController {
  @UseGuards(JwtAuthGuard)
  @Get()
  list() { return []; }

  @UseGuards(JwtAuthGuard)
  @Post()
  create() { return {}; }

  @Delete(":id")
  remove(@Param("id") id: string) { return id; }
}
"""
GUARD = """import { Injectable } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";

@Injectable()
export class JwtAuthGuard extends AuthGuard("jwt") {}
"""
PUBLIC = """import { SetMetadata } from "@nestjs/common";
export const Public = () => SetMetadata("isPublic", true);
"""


def write_app(root: Path, main_middleware: str, module: str) -> None:
    for folder in ("src/auth", "src/orders", "src/common"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text('{"name": "shop", "private": true}')
    (root / "src/main.ts").write_text(MAIN % main_middleware)
    (root / "src/app.module.ts").write_text(module)
    (root / "src/auth/auth.controller.ts").write_text(AUTH_CONTROLLER)
    (root / "src/auth/jwt.guard.ts").write_text(GUARD)
    (root / "src/common/public.decorator.ts").write_text(PUBLIC)
    (root / "src/orders/orders.controller.ts").write_text(ORDERS_CONTROLLER)


WEAK_MODULE = """import { Module } from "@nestjs/common";
import { AuthController } from "./auth/auth.controller";
import { OrdersController } from "./orders/orders.controller";

@Module({ controllers: [AuthController, OrdersController] })
export class AppModule {}
"""
HARDENED_MODULE = """import { Module } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { ThrottlerGuard, ThrottlerModule } from "@nestjs/throttler";
import { AuthController } from "./auth/auth.controller";
import { OrdersController } from "./orders/orders.controller";
import { JwtAuthGuard } from "./auth/jwt.guard";

@Module({
  imports: [ThrottlerModule.forRoot([{ ttl: 60000, limit: 100 }])],
  controllers: [AuthController, OrdersController],
  providers: [
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AppModule {}
"""


def findings(root: Path) -> set[tuple[str, str, int]]:
    outcome = run_scan([root], ScanOptions(jobs=1, scanners=frozenset({"code"})))
    return {(f.rule_id, f.path, f.line) for f in outcome.result.findings if f.rule_id.startswith("NW3")}


def scorecard(root: Path) -> dict[str, Any]:
    done = run_cli("scan", str(root), "--format", "json", "-j", "1", "--scanners", "code")
    assert done.returncode in (0, 1), done.stderr
    cards = json.loads(done.stdout)["scorecard"]
    assert len(cards) == 1 and cards[0]["framework"] == "nestjs"
    return {p["practice"]: p for p in cards[0]["practices"]}


def test_weak_nest_app_is_judged_on_its_controllers(tmp_path: Path) -> None:
    write_app(tmp_path, "", WEAK_MODULE)
    found = findings(tmp_path)
    assert ("NW351", "src/main.ts", 6) in found  # routes, no ThrottlerGuard anywhere (@Throttle alone does nothing)
    assert ("NW352", "src/auth/auth.controller.ts", 10) in found  # POST /api/auth/login
    assert ("NW353", "src/main.ts", 6) in found  # no helmet
    # DELETE /api/orders/:id has no guard while its siblings use JwtAuthGuard
    assert ("NW359", "src/orders/orders.controller.ts", 15) in found
    assert ("NW359", "src/orders/orders.controller.ts", 11) not in found


def test_hardened_nest_app_has_its_controls_in_place_with_nest_evidence(tmp_path: Path) -> None:
    write_app(tmp_path, "  app.use(helmet());\n", HARDENED_MODULE)
    found = findings(tmp_path)
    assert not {rule for rule, _, _ in found} & {"NW351", "NW352", "NW353", "NW359"}, found
    card = scorecard(tmp_path)
    assert card["rate-limiting"]["status"] == "in-place"
    assert {(e["path"], e["line"]) for e in card["rate-limiting"]["evidence"]} == {("src/app.module.ts", 12)}
    assert card["login-throttling"]["status"] == "in-place"
    assert any("POST /api/auth/login" in e["text"] and e["path"] == "src/auth/auth.controller.ts"
               for e in card["login-throttling"]["evidence"])  # the route's own @Throttle
    assert card["security-headers"]["status"] == "in-place"
    assert card["authorization"]["status"] == "in-place"
    assert {(e["path"], e["line"]) for e in card["authorization"]["evidence"]} == {("src/app.module.ts", 13)}


def test_public_route_and_skip_throttle_leave_the_global_guards(tmp_path: Path) -> None:
    write_app(tmp_path, "  app.use(helmet());\n", HARDENED_MODULE)
    controller = tmp_path / "src/auth/auth.controller.ts"
    controller.write_text(AUTH_CONTROLLER.replace('import { Throttle } from "@nestjs/throttler";',
                                                  'import { SkipThrottle } from "@nestjs/throttler";')
                          .replace("@Throttle({ default: { limit: 5, ttl: 60000 } })", "@SkipThrottle()"))
    found = findings(tmp_path)
    assert ("NW352", "src/auth/auth.controller.ts", 10) in found  # the login route skips the global limiter


AUTH_MIDDLEWARE = """import { Injectable, NestMiddleware, UnauthorizedException } from "@nestjs/common";
import * as jwt from "jsonwebtoken";

@Injectable()
export class AuthMiddleware implements NestMiddleware {
  use(req: any, res: any, next: () => void) {
    req.user = jwt.verify(String(req.headers.authorization), process.env.SECRET as string);
    next();
  }
}
"""
CONSUMER_MODULE = """import { MiddlewareConsumer, Module, NestModule, RequestMethod } from "@nestjs/common";
import { AuthController } from "./auth/auth.controller";
import { OrdersController } from "./orders/orders.controller";
import { AuthMiddleware } from "./auth/auth.middleware";

@Module({ controllers: [AuthController, OrdersController] })
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AuthMiddleware).forRoutes({ path: "orders/:id", method: RequestMethod.DELETE });
  }
}
"""


def test_middleware_applied_by_a_module_covers_the_routes_it_names(tmp_path: Path) -> None:
    write_app(tmp_path, "", CONSUMER_MODULE)
    (tmp_path / "src/auth/auth.middleware.ts").write_text(AUTH_MIDDLEWARE)
    found = findings(tmp_path)
    # DELETE /api/orders/:id is behind AuthMiddleware now; the other routes use JwtAuthGuard
    assert not any(rule == "NW359" for rule, _, _ in found), found
    card = scorecard(tmp_path)
    assert ("src/app.module.ts", 9) in {(e["path"], e["line"]) for e in card["authorization"]["evidence"]}
