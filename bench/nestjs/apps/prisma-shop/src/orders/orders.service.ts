import { Injectable } from "@nestjs/common";
import { PrismaService } from "../prisma/prisma.service";
import { OrderFilterDto } from "./dto/order-filter.dto";

@Injectable()
export class OrdersService {
  constructor(private readonly prisma: PrismaService) {}

  list(filter: OrderFilterDto) {
    return this.prisma.$queryRawUnsafe(
      `SELECT * FROM "Order" WHERE status = '${filter.status}' AND customer = '${filter.customer}'`);
  }

  withNote(filter: OrderFilterDto) {
    return this.prisma.$queryRawUnsafe(`SELECT * FROM "Order" WHERE note LIKE '%${filter.note}%'`);
  }

  remove(id: string) {
    return this.prisma.$executeRawUnsafe(`DELETE FROM "Order" WHERE id = '${id}'`);
  }
}
