import { Body, Controller, Post } from "@nestjs/common";
import { WebhooksService } from "./webhooks.service";

@Controller("webhooks")
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post("test")
  test(@Body("url") url: string) {
    return this.webhooks.ping(url);
  }
}
