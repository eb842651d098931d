import { MiddlewareConsumer, Module, NestModule, RequestMethod } from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import { ArticleController } from "./article/article.controller";
import { ArticleService } from "./article/article.service";
import { UserController } from "./user/user.controller";
import { UserService } from "./user/user.service";
import { ProfileController } from "./profile/profile.controller";
import { ProfileService } from "./profile/profile.service";
import { AuthMiddleware } from "./user/auth.middleware";
import { ArticleEntity } from "./article/article.entity";
import { UserEntity } from "./user/user.entity";

@Module({
  imports: [TypeOrmModule.forRoot(), TypeOrmModule.forFeature([ArticleEntity, UserEntity])],
  controllers: [ArticleController, UserController, ProfileController],
  providers: [ArticleService, UserService, ProfileService],
})
export class ApplicationModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AuthMiddleware).forRoutes(
      { path: "user", method: RequestMethod.GET },
      { path: "articles/feed", method: RequestMethod.GET },
      { path: "articles", method: RequestMethod.POST },
      { path: "articles/:slug", method: RequestMethod.DELETE },
    );
  }
}
