import { carriesPreviousData, type DeliveryFormat } from '../delivery-format';
import { DEFAULT_RETRY_SCHEDULE } from '../retry-policy';
import { DEFAULT_TIMEOUT_MS } from '../validation';
import { defineDialect } from './dialect-definition';

/** The native body: `{type, timestamp, data, previous?}`; the Standard Webhooks headers only. */
export const NATIVE_FORMAT: DeliveryFormat = {
  body(endpoint, message) {
    const envelope: Record<string, unknown> = {
      type: message.topic,
      timestamp: message.createdAt.toISOString(),
      data: message.data,
    };
    if (carriesPreviousData(endpoint, message)) {
      envelope['previous'] = message.previousData;
    }
    return Buffer.from(JSON.stringify(envelope), 'utf8');
  },
  extraSignatureHeaders: () => ({}),
};

/** The native `/v1` API's endpoints. Its settings are the installation's (`HOOKYARD_RETRY_SCHEDULE`). */
export const NATIVE_DEFINITION = defineDialect({
  name: 'native',
  defaultRetrySchedule: DEFAULT_RETRY_SCHEDULE,
  retryScheduleDescription: `Comma list of retry delays (default ${DEFAULT_RETRY_SCHEDULE}).`,
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
  settings: {},
  permissionAliases: {},
  format: () => NATIVE_FORMAT,
});
