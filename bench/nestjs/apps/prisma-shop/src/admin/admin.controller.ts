import { Body, Controller, Post, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { BackupService } from "./backup.service";

@UseGuards(AuthGuard("jwt"))
@Controller("admin")
export class AdminController {
  constructor(private readonly backups: BackupService) {}

  @Post("backup")
  backup(@Body("table") table: string) {
    return this.backups.dump(table);
  }
}
