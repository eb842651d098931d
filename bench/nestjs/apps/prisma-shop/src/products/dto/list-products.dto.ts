import { IsIn, IsInt, IsOptional, IsString, Max, Min } from "class-validator";

export class ListProductsDto {
  @IsOptional()
  @IsString()
  search?: string;

  @IsOptional()
  @IsIn(["name", "price", "created_at"])
  sort?: string;

  @IsOptional()
  @IsString()
  direction?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
