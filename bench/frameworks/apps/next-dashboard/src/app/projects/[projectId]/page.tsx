import { db } from "../../../lib/db";

export default async function ProjectPage({ params, searchParams }: {
  params: { projectId: string }; searchParams: { tab?: string };
}) {
  const [rows] = await db.query("SELECT * FROM tasks WHERE project_id = ? AND tab = ?", [params.projectId, searchParams.tab]);
  return <pre>{JSON.stringify(rows)}</pre>;
}
