import { type OpenAPIObject } from '@nestjs/swagger';
import { truthfulNullableReferences } from './openapi-nullable.util';

function documentWith(properties: Record<string, unknown>): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {},
    components: { schemas: { Holder: { type: 'object', properties } } },
  } as OpenAPIObject;
}

describe('truthfulNullableReferences', () => {
  it('rewrites a nullable allOf reference to oneOf the reference or null, keeping its description', () => {
    const document = truthfulNullableReferences(
      documentWith({
        last: {
          nullable: true,
          description: 'The last one.',
          type: 'object',
          allOf: [{ $ref: '#/components/schemas/Last' }],
        },
      }),
    );
    expect(document.components?.schemas?.['Holder']).toEqual({
      type: 'object',
      properties: {
        last: {
          description: 'The last one.',
          oneOf: [
            { $ref: '#/components/schemas/Last' },
            { type: 'object', nullable: true, enum: [null] },
          ],
        },
      },
    });
  });

  it('leaves references that are not nullable, and nullable scalars, as they are', () => {
    const properties = {
      health: { description: 'Health.', allOf: [{ $ref: '#/components/schemas/Health' }] },
      name: { type: 'string', nullable: true },
      both: { nullable: true, allOf: [{ $ref: '#/a' }, { $ref: '#/b' }] },
    };
    const document = truthfulNullableReferences(documentWith(structuredClone(properties)));
    expect(document.components?.schemas?.['Holder']).toEqual({ type: 'object', properties });
  });
});
