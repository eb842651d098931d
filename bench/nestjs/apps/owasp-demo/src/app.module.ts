import { Module } from "@nestjs/common";
import { InjectionModule } from "./injection/injection.module";
import { XssController } from "./xss/xss.controller";
import { XssService } from "./xss/xss.service";
import { DeserializationController } from "./deserialization/deserialization.controller";
import { DeserializationService } from "./deserialization/deserialization.service";
import { ComponentsController } from "./components/components.controller";
import { ComponentsService } from "./components/components.service";
import { XxeController } from "./xxe/xxe.controller";
import { AuthController } from "./auth/auth.controller";
import { AuthService } from "./auth/auth.service";
import { FilesController } from "./files/files.controller";
import { InsecureDb } from "./common/insecure-db.service";

@Module({
  imports: [InjectionModule],
  controllers: [XssController, DeserializationController, ComponentsController, XxeController, AuthController,
    FilesController],
  providers: [XssService, DeserializationService, ComponentsService, AuthService, InsecureDb],
})
export class AppModule {}
