import { allowsEverything, parseOutboundAllow } from '@hookyard/webhook-core';
import { ErrorCode, type FieldError } from '../common/api-error';

export const MAX_OUTBOUND_ALLOW = 50;

/**
 * One field error per entry of an organization's `outboundAllow` that `HOOKYARD_OUTBOUND_ALLOW`
 * would not take (a CIDR with zero host bits, an IP address or a host name), named by its index. An
 * entry that opens a whole address family (`0.0.0.0/0`, `::/0`) is refused too: it would switch the
 * SSRF guard off for the organization.
 */
export function outboundAllowErrors(entries: readonly string[]): FieldError[] {
  return entries.flatMap((entry, index) => {
    const problem = entryProblem(entry);
    return problem === null
      ? []
      : [{ path: `outboundAllow[${index}]`, message: problem, code: ErrorCode.VALIDATION_FAILED }];
  });
}

function entryProblem(entry: string): string | null {
  if (entry.trim() === '') return 'must not be blank';
  try {
    if (allowsEverything(parseOutboundAllow([entry])))
      return 'must not open every address (0.0.0.0/0, ::/0)';
  } catch (error) {
    return error instanceof RangeError ? error.message : String(error);
  }
  return null;
}
