import { Injectable } from "@nestjs/common";
import { InsecureDb } from "../common/insecure-db.service";

@Injectable()
export class InjectionService {
  constructor(private readonly db: InsecureDb) {}

  async findByUsername(username: string): Promise<unknown> {
    const sql = `SELECT * FROM users WHERE username = '${username}';`;
    return this.db.queryRaw(sql);
  }

  async findByUsernameSafe(username: string): Promise<unknown> {
    return this.db.queryParam("SELECT * FROM users WHERE username = ?", [username]);
  }
}
