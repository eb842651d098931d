import { Injectable, UnauthorizedException } from "@nestjs/common";
import { JwtService } from "@nestjs/jwt";
import * as bcrypt from "bcrypt";
import { PrismaService } from "../prisma/prisma.service";

@Injectable()
export class UsersService {
  constructor(private readonly prisma: PrismaService, private readonly jwt: JwtService) {}

  async login(email: string, password: string) {
    const sql = `SELECT id, hash FROM "User" WHERE email = '${email}'`;
    const rows: { id: number; hash: string }[] = await this.prisma.$queryRawUnsafe(sql);
    if (!rows.length || !(await bcrypt.compare(password, rows[0].hash))) throw new UnauthorizedException();
    return { token: this.jwt.sign({ sub: rows[0].id }) };
  }

  rename(id: number, displayName: string) {
    return this.prisma.$executeRawUnsafe(`UPDATE "User" SET "displayName" = '${displayName}' WHERE id = ${id}`);
  }
}
