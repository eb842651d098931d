import { Body, Controller, Delete, Get, Param, Post, Query } from "@nestjs/common";
import { ArticleQuery, ArticleService } from "./article.service";
import { User } from "../user/user.decorator";

@Controller("articles")
export class ArticleController {
  constructor(private readonly articleService: ArticleService) {}

  @Get()
  findAll(@Query() query: ArticleQuery) {
    return this.articleService.findAll(query);
  }

  @Get(":slug")
  findOne(@Param("slug") slug: string) {
    return this.articleService.findOne(slug);
  }

  @Post()
  create(@User("id") userId: number, @Body("article") articleData: { title: string; body: string; tagList: string[] }) {
    return this.articleService.create(userId, articleData);
  }

  @Delete(":slug")
  delete(@Param("slug") slug: string) {
    return this.articleService.delete(slug);
  }
}
