import { Injectable } from "@nestjs/common";
import { exec } from "child_process";
import { promisify } from "util";

const run = promisify(exec);

@Injectable()
export class BackupService {
  async dump(table: string) {
    return run(`pg_dump --table=${table} shop > /backups/${table}.sql`);
  }
}
