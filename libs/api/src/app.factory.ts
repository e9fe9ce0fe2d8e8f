import 'reflect-metadata';
import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type NextFunction, type Request, type Response } from 'express';
import { ApiModule, type ProcessObservability } from './api.module';
import { type DialectRegistration } from './common/api-dialect';
import { DOCS_SECURITY_HEADERS } from './common/docs-headers.util';
import { httpMetricsMiddleware } from './common/http-metrics.middleware';
import { MAX_JSON_DEPTH, verifyJsonBody } from './common/json-depth.util';
import { JSON_MEDIA_TYPES, requireJsonBody } from './common/json-content-type.middleware';
import { type CoreDependencies } from './common/core.module';
import { truthfulNullableReferences } from './common/openapi-nullable.util';
import { ProblemFilter } from './common/problem.filter';
import { assignRequestId, requestLogModule } from './common/request-log.module';
import { refuseUnsupportedText } from './common/unsupported-text.util';
import { createValidationPipe } from './common/validation';
import { type HookyardConfig } from '@hookyard/config';
import { Metrics } from '@hookyard/observability';
import { type Logger as PinoLogger } from 'pino';
import { OrganizationsService } from './organizations/organizations.service';

export interface AppOptions extends ProcessObservability {
  readonly logger?: LoggerService | false;
  /** The dialects the app mounts beside the native API. */
  readonly dialects?: readonly DialectRegistration[];
  /** Writes one line per request (nestjs-pino) through this pino logger; unset: no request lines. */
  readonly requestLogger?: PinoLogger;
}

/** Builds the HTTP application (not yet listening): pipes, filters, docs, bootstrap key. */
export async function createApp(
  config: HookyardConfig,
  deps: CoreDependencies,
  options: AppOptions = {},
): Promise<{ app: INestApplication; document: OpenAPIObject }> {
  const dialects = options.dialects ?? [];
  const root = ApiModule.forRoot(
    config,
    deps,
    dialects.map((d) => d.module),
    { metrics: options.metrics, worker: options.worker },
  );
  const module = options.requestLogger
    ? { ...root, imports: [...(root.imports ?? []), requestLogModule(options.requestLogger)] }
    : root;
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: options.logger ?? false,
    bodyParser: false,
    abortOnError: false,
  });
  // `request.ip` (the per-address rate limit, the request log) believes X-Forwarded-For only from
  // the proxies HOOKYARD_TRUST_PROXY names; by default, no one's.
  app.set(
    'trust proxy',
    typeof config.trustProxy === 'number' ? config.trustProxy : [...config.trustProxy],
  );
  app.use(httpMetricsMiddleware(app.get(Metrics)));
  // Larger bodies answer 413 and deeper ones 400 `JSON_TOO_DEEP`, both before the JSON is parsed;
  // the same byte scan marks a body holding text PostgreSQL cannot store, which is refused once parsed.
  // Nest types `verify` out because its `rawBody` option sets one; this app does not use that option.
  const jsonOptions = {
    limit: config.limits.maxBodyBytes,
    type: JSON_MEDIA_TYPES,
    verify: verifyJsonBody(MAX_JSON_DEPTH),
  };
  app.useBodyParser('json', jsonOptions);
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    next();
  });
  app.use(requireJsonBody);
  app.use(refuseUnsupportedText);
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(dialects.map((d) => d.dialect)));
  // No enableShutdownHooks: main.ts owns SIGTERM (the worker must drain before the process ends).
  const document = buildOpenApiDocument(app);
  app.use('/docs', (_request: Request, response: Response, next: NextFunction) => {
    response.set(DOCS_SECURITY_HEADERS);
    next();
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  const organizations = app.get(OrganizationsService);
  if (config.bootstrapApiKey) await organizations.ensureBootstrapKey(config.bootstrapApiKey);
  if (config.bootstrapOperatorKey)
    await organizations.ensureBootstrapOperatorKey(config.bootstrapOperatorKey);
  return { app, document };
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Hookyard')
    .setDescription('Self-hostable, multi-tenant webhook platform: the native /v1 API.')
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-KEY' }, 'apiKey')
    .build();
  return truthfulNullableReferences(SwaggerModule.createDocument(app, options));
}
