import { Controller, Get, Query } from "@nestjs/common";
import { InjectionService } from "./injection.service";

@Controller("injection")
export class InjectionController {
  constructor(private readonly injectionService: InjectionService) {}

  @Get("users")
  async byUsername(@Query("username") username: string) {
    return this.injectionService.findByUsername(username);
  }

  @Get("users-safe")
  async byUsernameSafe(@Query("username") username: string) {
    return this.injectionService.findByUsernameSafe(username);
  }
}
