import { Body, Controller, Post, Put, Req, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { UsersService } from "./users.service";

@Controller("users")
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post("login")
  login(@Body() body: { email: string; password: string }) {
    return this.users.login(body.email, body.password);
  }

  @UseGuards(AuthGuard("jwt"))
  @Put("me")
  update(@Req() req: { user: { id: number }; body: { displayName: string } }) {
    return this.users.rename(req.user.id, req.body.displayName);
  }
}
