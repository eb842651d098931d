import { Controller, Get, Param, ParseIntPipe, Query } from "@nestjs/common";
import { ProductsService } from "./products.service";
import { ListProductsDto } from "./dto/list-products.dto";

@Controller("products")
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  list(@Query() query: ListProductsDto) {
    return this.products.list(query);
  }

  @Get("category/:slug")
  byCategory(@Param("slug") slug: string) {
    return this.products.byCategory(slug);
  }

  @Get(":id")
  one(@Param("id", ParseIntPipe) id: number) {
    return this.products.one(id);
  }

  @Get(":id/related")
  related(@Param("id") id: string, @Query("tag") tag: string) {
    return this.products.related(id, tag);
  }
}
