import { NestFactory } from "@nestjs/core";
import { ValidationPipe } from "@nestjs/common";
import * as helmet from "helmet";
import * as rateLimit from "express-rate-limit";
import * as cors from "cors";
import { AppModule } from "./app.module";

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  app.use(helmet.default());
  app.use(cors({ origin: process.env.NODE_ENV === "development" ? true : ["https://shop.example"], credentials: true }));
  app.use(rateLimit.default({ windowMs: 60_000, max: 100 }));
  await app.listen(process.env.PORT ?? 3000);
}
bootstrap();
