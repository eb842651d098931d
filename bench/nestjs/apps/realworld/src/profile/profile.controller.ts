import { Controller, Get, Param } from "@nestjs/common";
import { ProfileService } from "./profile.service";

@Controller("profiles")
export class ProfileController {
  constructor(private readonly profileService: ProfileService) {}

  @Get(":username")
  getProfile(@Param("username") username: string) {
    return this.profileService.findProfile(username);
  }
}
