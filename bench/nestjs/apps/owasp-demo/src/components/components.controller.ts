import { Body, Controller, Post } from "@nestjs/common";
import { ComponentsService } from "./components.service";

@Controller("vulnerable-components")
export class ComponentsController {
  constructor(private readonly service: ComponentsService) {}

  @Post("merge")
  merge(@Body() input: Record<string, unknown>) {
    return this.service.mergeObjects(input);
  }
}
