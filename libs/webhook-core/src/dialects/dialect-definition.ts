import { type DeliveryFormat } from '../delivery-format';

/**
 * A setting of one dialect beside its retry schedule, read once from the configuration; the key is
 * the setting's name in the configuration object, and its variable is derived from the key
 * (`secretGraceSeconds` of `platform` → `HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS`).
 */
export type DialectSetting =
  | {
      /** A whole number from `min` to `max`. */
      readonly kind: 'integer';
      readonly min: number;
      readonly max: number;
      readonly default: number;
      readonly description: string;
    }
  | {
      /** 1 to 64 letters, digits, `_` or `-`. */
      readonly kind: 'name';
      readonly default: string;
      readonly description: string;
    };

export type DialectSettings = Readonly<Record<string, DialectSetting>>;

/** The values of a dialect's settings, as the configuration holds them. */
export type SettingValues<S extends DialectSettings> = {
  readonly [K in keyof S]: S[K] extends { readonly kind: 'integer' } ? number : string;
};

/**
 * Everything that is particular to one dialect below its HTTP adapter: its name (the endpoint's
 * `dialect` column), how its endpoints receive a message, the defaults of its endpoints, and its own
 * settings. The registry (`dialect-registry.ts`) lists the definitions; the configuration, the worker
 * and the API derive their per-dialect choices from that list, so none of them names a dialect.
 */
export interface DialectDefinition<
  Name extends string = string,
  Settings extends DialectSettings = DialectSettings,
> {
  readonly name: Name;
  /** The retry schedule when the configuration names none for the dialect. */
  readonly defaultRetrySchedule: string;
  /** What the dialect's retry schedule variable means, for the configuration's documentation. */
  readonly retryScheduleDescription: string;
  /** The request timeout of a new endpoint that names none. */
  readonly defaultTimeoutMs: number;
  /** The dialect's own settings beside its retry schedule. */
  readonly settings: Settings;
  /**
   * The dialect's names for permissions the native API names otherwise (`alias` → `permission`):
   * either name passes wherever one of them is asked for.
   */
  readonly permissionAliases: Readonly<Record<string, string>>;
  /** The format the dialect's endpoints receive, shaped by the dialect's settings. */
  format(settings: SettingValues<Settings>): DeliveryFormat;
}

/** Checks a definition's shape and keeps its literal name and settings for the types derived from it. */
export function defineDialect<const Name extends string, const Settings extends DialectSettings>(
  definition: DialectDefinition<Name, Settings>,
): DialectDefinition<Name, Settings> {
  return definition;
}
