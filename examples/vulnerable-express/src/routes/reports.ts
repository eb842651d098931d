import { Router, Request, Response } from "express";
import { execSync } from "node:child_process";

const router = Router();

// BUG: catastrophic backtracking on long inputs of word characters followed by "!"
const EMAIL = /^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$/;

router.post("/subscribe", (req: Request, res: Response) => {
  const email = String(req.body.email);
  if (!EMAIL.test(email)) {
    return res.status(400).json({ error: "invalid e-mail" });
  }
  res.json({ ok: true });
});

router.get("/disk", (req: Request, res: Response) => {
  const volume = req.query.volume as string;
  // BUG: command injection in TypeScript
  res.send(execSync("df -h " + volume).toString());
});

router.get("/uptime", (_req: Request, res: Response) => {
  // fine: a constant command
  res.send(execSync("uptime").toString());
});

export default router;
