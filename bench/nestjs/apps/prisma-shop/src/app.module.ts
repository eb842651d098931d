import { Module } from "@nestjs/common";
import { HttpModule } from "@nestjs/axios";
import { ThrottlerModule } from "@nestjs/throttler";
import { PrismaService } from "./prisma/prisma.service";
import { ProductsController } from "./products/products.controller";
import { ProductsService } from "./products/products.service";
import { UsersController } from "./users/users.controller";
import { UsersService } from "./users/users.service";
import { OrdersController } from "./orders/orders.controller";
import { OrdersService } from "./orders/orders.service";
import { AdminController } from "./admin/admin.controller";
import { BackupService } from "./admin/backup.service";
import { MediaController } from "./media/media.controller";
import { WebhooksController } from "./webhooks/webhooks.controller";
import { WebhooksService } from "./webhooks/webhooks.service";

@Module({
  imports: [HttpModule, ThrottlerModule.forRoot([{ ttl: 60000, limit: 60 }])],
  controllers: [ProductsController, UsersController, OrdersController, AdminController, MediaController,
    WebhooksController],
  providers: [PrismaService, ProductsService, UsersService, OrdersService, BackupService, WebhooksService],
})
export class AppModule {}
