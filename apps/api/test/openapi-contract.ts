import Ajv from 'ajv';
import { type Document, type Operation } from './openapi-document';

/** The key the document is added to ajv under; response schemas are reached by pointer into it. */
const DOCUMENT_KEY = 'openapi.json';

/**
 * Checks answers against the OpenAPI document, as a validating proxy in front of the API would: the
 * status is one the operation declares, the media type one its response declares, and the body
 * matches that response's schema (ajv, with OpenAPI 3.0's `nullable`). Objects are closed: a field
 * the document does not name is a violation too, so the document cannot fall behind the DTOs.
 */
export class ContractChecker {
  private readonly ajv: Ajv.Ajv;

  constructor(document: Document) {
    this.ajv = new Ajv({
      nullable: true,
      allErrors: true,
      jsonPointers: true,
      unknownFormats: 'ignore',
      validateSchema: false,
    });
    this.ajv.addSchema(forValidation(structuredClone(document)) as object, DOCUMENT_KEY);
  }

  /** What the answer gets wrong against `operation`'s declared responses; empty when nothing. */
  violations(operation: Operation, status: number, contentType: string, text: string): string[] {
    const declared = operation.responses[String(status)] ?? operation.responses['default'];
    if (!declared) return [`status ${status} is not declared`];
    const media = contentType.split(';')[0]?.trim() ?? '';
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      return text === '' ? [] : [`status ${status} declares no body, answered ${media}`];
    }
    if (!(media in content)) {
      return [
        `status ${status} answered ${media || 'no content type'}, declared ${Object.keys(content).join(', ')}`,
      ];
    }
    if (!content[media]?.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`status ${status} answered a body that is not JSON: ${text.slice(0, 80)}`];
    }
    const pointer = [
      'paths',
      operation.path,
      operation.method.toLowerCase(),
      'responses',
      declared === operation.responses['default'] ? 'default' : String(status),
      'content',
      media,
      'schema',
    ]
      .map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1')))
      .join('/');
    const validate = this.ajv.getSchema(`${DOCUMENT_KEY}#/${pointer}`);
    if (!validate) return [`no schema at ${pointer}`];
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `status ${status} body${error.dataPath} ${error.message}` +
        (error.keyword === 'additionalProperties'
          ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
          : ''),
    );
  }
}

/**
 * `node` made ready for ajv, in place: `additionalProperties: false` on every object schema that
 * names its properties and says nothing else of others, and no `example` (ajv would read an `id` in
 * one as a schema id).
 */
function forValidation(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as Record<string, unknown>;
  if (!Array.isArray(node)) delete schema['example'];
  for (const child of Object.values(node)) forValidation(child);
  if (
    !Array.isArray(node) &&
    typeof schema['properties'] === 'object' &&
    !('additionalProperties' in schema)
  )
    schema['additionalProperties'] = false;
  return node;
}
