import { IsInt, IsObject, IsOptional } from 'class-validator';

/**
 * The rules of `requestConfig` on create and update, the same in every dialect (the bounds are the
 * core's, checked by the endpoint service). Each dialect's DTO extends it and documents the fields
 * in its own words.
 */
export abstract class RequestConfigBaseDto {
  @IsOptional()
  @IsInt()
  timeoutMs?: number;

  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;
}
