import { Body, Controller, Get, HttpException, Post } from "@nestjs/common";
import { UserService } from "./user.service";
import { User } from "./user.decorator";

@Controller()
export class UserController {
  constructor(private readonly userService: UserService) {}

  @Get("user")
  findMe(@User("email") email: string) {
    return { email };
  }

  @Post("users")
  create(@Body("user") userData: { username: string; email: string; password: string }) {
    return this.userService.create(userData.username, userData.email, userData.password);
  }

  @Post("users/login")
  async login(@Body("user") loginUserDto: { email: string; password: string }) {
    const user = await this.userService.findOne(loginUserDto.email, loginUserDto.password);
    if (!user) throw new HttpException({ errors: { User: " not found" } }, 401);
    return { user: { email: user.email, token: this.userService.generateJWT(user) } };
  }
}
