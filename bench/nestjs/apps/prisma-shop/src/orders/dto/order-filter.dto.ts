import { IsEnum, IsOptional, IsString, IsUUID } from "class-validator";

export enum OrderStatus { Pending = "pending", Paid = "paid", Shipped = "shipped" }

export class OrderFilterDto {
  @IsOptional()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @IsOptional()
  @IsUUID()
  customer?: string;

  @IsOptional()
  @IsString()
  note?: string;
}
