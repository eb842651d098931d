import { Injectable, Logger, OnModuleDestroy } from "@nestjs/common";
import { createPool, Pool } from "mysql2/promise";

@Injectable()
export class InsecureDb implements OnModuleDestroy {
  private readonly pool: Pool;
  private readonly logger = new Logger(InsecureDb.name);

  constructor() {
    this.pool = createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, database: "demo" });
  }

  async queryRaw(sql: string): Promise<unknown> {
    this.logger.debug(`raw SQL: ${sql}`);
    const [rows] = await this.pool.query(sql);
    return rows;
  }

  async queryParam(sql: string, params: unknown[] = []): Promise<unknown> {
    const [rows] = await this.pool.execute(sql, params);
    return rows;
  }

  async onModuleDestroy() {
    await this.pool.end();
  }
}
