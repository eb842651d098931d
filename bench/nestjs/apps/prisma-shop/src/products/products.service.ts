import { Injectable } from "@nestjs/common";
import { PrismaService } from "../prisma/prisma.service";
import { ListProductsDto } from "./dto/list-products.dto";

@Injectable()
export class ProductsService {
  constructor(private readonly prisma: PrismaService) {}

  list(query: ListProductsDto) {
    const where = query.search ? `WHERE name ILIKE '%${query.search}%'` : "";
    return this.prisma.$queryRawUnsafe(`SELECT * FROM "Product" ${where} LIMIT 50`);
  }

  byCategory(slug: string) {
    return this.prisma.$queryRaw`SELECT * FROM "Product" WHERE category = ${slug}`;
  }

  one(id: number) {
    return this.prisma.$queryRawUnsafe(`SELECT * FROM "Product" WHERE id = ${id}`);
  }

  related(id: string, tag: string) {
    const sql = "SELECT * FROM \"Product\" WHERE id <> $1 AND tags @> ARRAY['" + tag + "']";
    return this.prisma.$queryRawUnsafe(sql, id);
  }
}
