import { Body, Controller, Get, Headers, Post, UnauthorizedException } from "@nestjs/common";
import { AuthService } from "./auth.service";

@Controller("broken-auth")
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post("login")
  async login(@Body() body: { username: string; password: string }) {
    const token = await this.auth.login(body.username, body.password);
    if (!token) throw new UnauthorizedException();
    return { token };
  }

  @Get("profile")
  async profile(@Headers("authorization") authorization: string) {
    return this.auth.verify(authorization.replace("Bearer ", ""));
  }
}
