import { NextRequest, NextResponse } from "next/server";

export async function GET(request: NextRequest) {
  const target = request.nextUrl.searchParams.get("url") as string;
  const page = await fetch(target);
  return new NextResponse(await page.text(), { headers: { "content-type": "text/html" } });
}
