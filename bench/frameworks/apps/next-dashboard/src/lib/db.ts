import mysql from "mysql2/promise";

export const db = mysql.createPool(process.env.DATABASE_URL as string);

export async function projectRows(owner: string, orderBy: string) {
  const [rows] = await db.query(`SELECT * FROM projects WHERE owner = ? ORDER BY ${orderBy}`, [owner]);
  return rows;
}
