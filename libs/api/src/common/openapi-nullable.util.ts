import { type OpenAPIObject } from '@nestjs/swagger';

/**
 * `@ApiProperty({ type: Dto, nullable: true })` comes out of @nestjs/swagger as
 * `{ nullable: true, type: 'object', allOf: [{ $ref }] }`, and OpenAPI 3.0 validators do not apply
 * `nullable` across `allOf`: the referenced schema refuses the `null` the server sends. This rewrites
 * every such property, in place, to `oneOf: [{ $ref }, { type: 'object', nullable: true, enum: [null] }]`,
 * which JSON Schema validators (ajv with `nullable`) and the SDK generator both read as "the object or
 * null". Other members (`description`, `example`) are kept.
 */
export function truthfulNullableReferences(document: OpenAPIObject): OpenAPIObject {
  visit(document);
  return document;
}

function visit(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const child of Object.values(node)) visit(child);
  if (Array.isArray(node)) return;
  const schema = node as Record<string, unknown>;
  const { allOf } = schema;
  if (schema['nullable'] !== true || !Array.isArray(allOf) || allOf.length !== 1) return;
  const [reference] = allOf as unknown[];
  if (typeof reference !== 'object' || reference === null || !('$ref' in reference)) return;
  delete schema['nullable'];
  delete schema['type'];
  delete schema['allOf'];
  // OpenAPI 3.0 takes `null` only where `nullable` sits beside a `type`; `enum` keeps it to null.
  schema['oneOf'] = [reference, { type: 'object', nullable: true, enum: [null] }];
}
