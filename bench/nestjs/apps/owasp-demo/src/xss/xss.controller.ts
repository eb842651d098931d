import { Controller, Get, Header, Query } from "@nestjs/common";
import { XssService } from "./xss.service";

@Controller("xss")
export class XssController {
  constructor(private readonly xssService: XssService) {}

  @Get("echo")
  @Header("Content-Type", "text/html")
  echo(@Query("msg") msg: string) {
    return this.xssService.wrapHtml(msg);
  }
}
