import { Injectable } from "@nestjs/common";
import * as jwt from "jsonwebtoken";

@Injectable()
export class AuthService {
  private readonly secret = "my-awesome-secret";
  private readonly users = [{ username: "alice", password: "password123", role: "user" }];

  async login(username: string, password: string): Promise<string | null> {
    const user = this.users.find((u) => u.username === username && u.password === password);
    return user ? jwt.sign({ username: user.username, role: user.role }, this.secret) : null;
  }

  async verify(token: string): Promise<unknown> {
    try {
      return jwt.verify(token, this.secret);
    } catch {
      return null;
    }
  }
}
