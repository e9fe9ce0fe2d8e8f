import { isIP } from 'node:net';

/**
 * The small value readers `loadConfig` applies to one trimmed, non-empty variable each. A reader
 * returns the parsed value or throws an Error whose message completes "<NAME>: ..." in the one
 * line a bad value earns at start-up.
 */

/** An integer within [min, max]: ports, counts, and durations in whole seconds or milliseconds. */
export const int =
  (min: number, max: number) =>
  (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`must be an integer from ${min} to ${max}`);
    return value;
  };

/** A switch: true, 1 or yes; false, 0 or no (any case). */
export const bool = (raw: string): boolean => {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new Error('must be true or false');
};

/** A name that goes into delivery envelopes verbatim, so kept to a safe alphabet. */
export const environmentName = (raw: string): string => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw))
    throw new Error('must be 1 to 64 letters, digits, _ or -');
  return raw;
};

/** A shared secret long enough not to be guessed (API keys, the metrics token). */
export const atLeast16 = (raw: string): string => {
  if (raw.length < 16) throw new Error('must be at least 16 characters');
  return raw;
};

/** One of a fixed set of words. */
export const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string): T => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

/** A PostgreSQL connection URL, passed to the driver as given. */
export const postgresUrl = (raw: string): string => {
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error('must be a postgres:// URL');
  return raw;
};

/** An http(s) base URL without its trailing slashes, so paths can be appended to it. */
export const httpBaseUrl = (raw: string): string => {
  if (!/^https?:\/\/[^/\s]+/.test(raw)) throw new Error('must be an http:// or https:// URL');
  return raw.replace(/\/+$/, '');
};

/**
 * Express's `trust proxy`: a hop count (0 = none), or a comma list of IP addresses and CIDRs of the
 * proxies whose `X-Forwarded-For` is believed.
 */
export const trustProxy = (raw: string): number | string[] => {
  if (/^\d+$/.test(raw)) return int(0, 100)(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !validPrefix || rest.length > 0)
      throw new Error(
        `must be a hop count or a comma list of IP addresses or CIDRs; ${JSON.stringify(entry)} is neither`,
      );
  }
  return entries;
};
