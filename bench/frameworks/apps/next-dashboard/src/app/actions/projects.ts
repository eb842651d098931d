"use server";
import { redirect } from "next/navigation";
import { db } from "../../lib/db";

export async function renameProject(projectId: string, formData: FormData) {
  const name = formData.get("name");
  await db.query("UPDATE projects SET name = '" + name + "' WHERE id = " + projectId);
  redirect(String(formData.get("returnTo")));
}
