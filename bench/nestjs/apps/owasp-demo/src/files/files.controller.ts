import { Controller, Get, Param, Res } from "@nestjs/common";
import { Response } from "express";
import { join } from "path";

@Controller("files")
export class FilesController {
  @Get(":name")
  download(@Param("name") name: string, @Res() res: Response) {
    return res.sendFile(join(process.cwd(), "uploads", name));
  }
}
