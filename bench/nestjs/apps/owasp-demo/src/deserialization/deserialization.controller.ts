import { Body, Controller, Post } from "@nestjs/common";
import { DeserializationService } from "./deserialization.service";

@Controller("deserialization")
export class DeserializationController {
  constructor(private readonly service: DeserializationService) {}

  @Post("run")
  run(@Body("script") script: string) {
    return { result: this.service.runScript(script) };
  }
}
