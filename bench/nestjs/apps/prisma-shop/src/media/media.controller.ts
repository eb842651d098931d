import { Controller, Get, Param, Res, StreamableFile } from "@nestjs/common";
import { createReadStream } from "fs";
import { basename, join } from "path";

@Controller("media")
export class MediaController {
  @Get("raw/:file")
  raw(@Param("file") file: string) {
    return new StreamableFile(createReadStream(join(__dirname, "../../media", file)));
  }

  @Get("safe/:file")
  safe(@Param("file") file: string) {
    return new StreamableFile(createReadStream(join(__dirname, "../../media", basename(file))));
  }
}
