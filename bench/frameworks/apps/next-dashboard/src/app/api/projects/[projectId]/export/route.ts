import { spawnSync } from "child_process";

export async function POST(request: Request, context: { params: { projectId: string } }) {
  const form = await request.formData();
  const format = form.get("format");
  const out = spawnSync(`pandoc projects/${context.params.projectId}.md -t ${format}`, { shell: true });
  return new Response(out.stdout);
}
