import { NextRequest, NextResponse } from "next/server";
import { db, projectRows } from "../../../../lib/db";

export async function GET(req: NextRequest, { params }: { params: { projectId: string } }) {
  const order = req.nextUrl.searchParams.get("order") ?? "created_at";
  const rows = await projectRows(params.projectId, order);
  return NextResponse.json(rows);
}

export async function PUT(req: NextRequest, { params }: { params: { projectId: string } }) {
  const { name } = await req.json();
  await db.execute("UPDATE projects SET name = ? WHERE id = ?", [name, params.projectId]);
  return NextResponse.json({ ok: true });
}
