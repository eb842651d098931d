import type { NextApiRequest, NextApiResponse } from "next";
import { readFile } from "fs/promises";

export default async function avatar(req: NextApiRequest, res: NextApiResponse) {
  const image = await readFile(`./public/avatars/${req.query.user}.png`);
  res.setHeader("Content-Type", "image/png");
  res.send(image);
}
