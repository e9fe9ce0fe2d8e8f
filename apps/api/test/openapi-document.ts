/**
 * The parts of the OpenAPI document the API serves that the e2e suites walk: its operations, their
 * parameters, request bodies and declared responses, and schema references resolved.
 */

export interface Schema {
  readonly $ref?: string;
  readonly allOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly type?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly example?: unknown;
  readonly properties?: Record<string, Schema>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxLength?: number;
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema?: Schema;
}

/** A declared response: its description and, per media type, the schema of its body. */
export interface DeclaredResponse {
  readonly description?: string;
  readonly content?: Record<string, { schema?: Schema }>;
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly body: Schema | null;
  /** By status code (`'200'`) or `'default'`. */
  readonly responses: Readonly<Record<string, DeclaredResponse>>;
}

export interface Document {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: Schema }> };
        responses?: Record<string, DeclaredResponse>;
      }
    >
  >;
  readonly components: { schemas: Record<string, Schema> };
}

export function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      parameters: operation.parameters ?? [],
      body: operation.requestBody?.content['application/json']?.schema ?? null,
      responses: operation.responses ?? {},
    })),
  );
}

/**
 * `schema` with its reference followed and its `allOf` merged; of a `oneOf` or `anyOf` (a nullable
 * reference: the object or null) the first choice, the one a request that means something sends.
 */
export function resolveSchema(document: Document, schema: Schema): Schema {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    return resolveSchema(document, document.components.schemas[name] ?? {});
  }
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return Object.assign({}, ...allOf.map((s) => resolveSchema(document, s)), rest) as Schema;
  }
  const [first] = schema.oneOf ?? schema.anyOf ?? [];
  if (first) {
    const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
    return { ...resolveSchema(document, first), ...rest };
  }
  return schema;
}
