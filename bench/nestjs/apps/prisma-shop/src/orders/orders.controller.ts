import { Controller, Delete, Get, Param, ParseUUIDPipe, Query } from "@nestjs/common";
import { OrdersService } from "./orders.service";
import { OrderFilterDto } from "./dto/order-filter.dto";

@Controller("orders")
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  list(@Query() filter: OrderFilterDto) {
    return this.orders.list(filter);
  }

  @Get("notes")
  notes(@Query() filter: OrderFilterDto) {
    return this.orders.withNote(filter);
  }

  @Delete(":id")
  remove(@Param("id", new ParseUUIDPipe()) id: string) {
    return this.orders.remove(id);
  }
}
