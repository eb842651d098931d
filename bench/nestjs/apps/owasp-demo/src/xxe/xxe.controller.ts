import { Body, Controller, Post } from "@nestjs/common";
import { parseStringPromise } from "xml2js";

// xml2js does not resolve external entities: the demo's "XXE" is not one.
@Controller("xxe")
export class XxeController {
  @Post("parse")
  parse(@Body("xml") xml: string) {
    return parseStringPromise(xml, { explicitCharkey: true });
  }
}
