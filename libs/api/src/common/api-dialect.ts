import { type ExceptionFilter, type Type } from '@nestjs/common';

/**
 * What the shared HTTP layer needs to know of an API dialect (Featurebase, platform): where it is
 * mounted and how it shapes an error. Its routes, DTOs and version handling stay in its adapter.
 */
export interface ApiDialect {
  readonly name: string;
  /** The path prefix of every route of the dialect, with both slashes (`/featurebase/`). */
  readonly mountPath: string;
  /** Answers an error on the dialect's paths, also one raised before routing (malformed JSON, 404). */
  readonly errorFilter: ExceptionFilter;
}

/** An adapter's contribution to the app: its NestJS module and its dialect. */
export interface DialectRegistration {
  readonly module: Type<unknown>;
  readonly dialect: ApiDialect;
}
