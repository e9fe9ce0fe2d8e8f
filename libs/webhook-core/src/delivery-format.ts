/** What is being delivered, whatever the dialect: an event, or a synthetic test message. */
export interface OutboundMessage {
  /** The `webhook-id`: the event id, the same on every retry. */
  readonly id: string;
  readonly topic: string;
  readonly data: unknown;
  readonly previousData: unknown;
  readonly createdAt: Date;
}

/** The endpoint facts a format reads. */
export interface FormatEndpoint {
  readonly id: string;
  readonly organizationId: string;
  readonly includePreviousData: boolean;
}

/** The exact bytes being sent, the secrets that sign them (current first) and the signing time. */
export interface SignatureInput {
  readonly body: Buffer;
  readonly secrets: readonly string[];
  /** The `webhook-timestamp` value: Unix seconds. */
  readonly timestamp: string;
}

/**
 * How one dialect's endpoints receive a message: the body and the headers it signs beside the
 * Standard Webhooks ones. The worker picks the format by the endpoint's dialect (through the dialect
 * registry), so it never needs the dialect's adapter.
 */
export interface DeliveryFormat {
  /** The body, serialised once: these exact bytes are signed and sent. */
  body(endpoint: FormatEndpoint, message: OutboundMessage): Buffer;
  /** Headers added beside `webhook-id`, `webhook-timestamp` and `webhook-signature`. */
  extraSignatureHeaders(input: SignatureInput): Record<string, string>;
}

/** Whether the body carries the previous data: the endpoint asks for it and the message has some. */
export function carriesPreviousData(endpoint: FormatEndpoint, message: OutboundMessage): boolean {
  return (
    endpoint.includePreviousData &&
    message.previousData !== null &&
    message.previousData !== undefined
  );
}

/** One changed top-level field; a field present on one side only has `null` on the other. */
export interface FieldChange {
  readonly field: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
}

/** The top-level fields whose values differ (deeply), in the new object's key order, then removed ones. */
export function changesBetween(previous: unknown, current: unknown): FieldChange[] {
  if (!isPlainObject(previous) || !isPlainObject(current)) return [];
  const fields = [...new Set([...Object.keys(current), ...Object.keys(previous)])];
  return fields
    .filter((field) => !deepEqual(previous[field], current[field]))
    .map((field) => ({
      field,
      oldValue: previous[field] ?? null,
      newValue: current[field] ?? null,
    }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}
