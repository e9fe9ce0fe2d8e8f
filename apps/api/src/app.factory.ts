import { type INestApplication } from '@nestjs/common';
import { type OpenAPIObject } from '@nestjs/swagger';
import { type HookyardConfig } from '@hookyard/config';
import {
  ApiModule,
  type AppOptions,
  type CoreDependencies,
  createApp as createApiApp,
  type DialectRegistration,
} from '@hookyard/api';
import { FEATUREBASE_DIALECT } from '@hookyard/dialect-featurebase';
import { PLATFORM_DIALECT } from '@hookyard/dialect-platform';

/** The dialects this app mounts beside the native `/v1` API. */
export const DIALECTS: readonly DialectRegistration[] = [FEATUREBASE_DIALECT, PLATFORM_DIALECT];

/** The HTTP application with every dialect (not yet listening). */
export function createApp(
  config: HookyardConfig,
  deps: CoreDependencies,
  options: Omit<AppOptions, 'dialects'> = {},
): Promise<{ app: INestApplication; document: OpenAPIObject }> {
  return createApiApp(config, deps, { ...options, dialects: DIALECTS });
}

/** The root module of this app, for tests that read its routes. */
export function appModule(config: HookyardConfig, deps: CoreDependencies) {
  return ApiModule.forRoot(
    config,
    deps,
    DIALECTS.map((d) => d.module),
  );
}
