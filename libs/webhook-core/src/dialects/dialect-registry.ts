import { type DeliveryFormat } from '../delivery-format';
import { type DialectSetting, type SettingValues } from './dialect-definition';
import { FEATUREBASE_DEFINITION } from './featurebase.dialect';
import { NATIVE_DEFINITION } from './native.dialect';
import { PLATFORM_DEFINITION } from './platform.dialect';

/**
 * Every dialect, one line each. The endpoint's `dialect` column, the configuration's per-dialect
 * variables, the worker's formats and retry policies and the API's permission aliases all derive from
 * this list; the first entry is the installation's own dialect, whose variables carry no dialect name.
 */
export const DIALECTS = [NATIVE_DEFINITION, FEATUREBASE_DEFINITION, PLATFORM_DEFINITION] as const;

type AnyDefinition = (typeof DIALECTS)[number];
type DefinitionOf<Name extends DeliveryDialect> = Extract<AnyDefinition, { readonly name: Name }>;

/** The dialect an endpoint was made through; it fixes the format of what the endpoint receives. */
export type DeliveryDialect = AnyDefinition['name'];

/** The dialects' names, in the registry's order. */
export const DIALECT_NAMES: readonly DeliveryDialect[] = DIALECTS.map((dialect) => dialect.name);

/** What the configuration holds for one dialect: its retry schedule and its own settings. */
export type DialectConfig<Name extends DeliveryDialect> = {
  readonly retryScheduleMs: readonly number[];
} & SettingValues<DefinitionOf<Name>['settings']>;

/** What the configuration holds for every dialect, by name. */
export type DialectConfigs = { readonly [Name in DeliveryDialect]: DialectConfig<Name> };

/** Whether `value` names a dialect of the registry. */
export function isDeliveryDialect(value: unknown): value is DeliveryDialect {
  return (DIALECT_NAMES as readonly unknown[]).includes(value);
}

/** The definition of the dialect named `name`. */
export function dialectDefinition<Name extends DeliveryDialect>(name: Name): DefinitionOf<Name> {
  const found = DIALECTS.find((dialect) => dialect.name === name);
  if (found === undefined) throw new RangeError(`No dialect is named "${String(name)}"`);
  return found as DefinitionOf<Name>;
}

/** One value per dialect, in the registry's order: `pick` is called with each dialect's name. */
export function byDialect<T>(
  pick: (name: DeliveryDialect) => T,
): Readonly<Record<DeliveryDialect, T>> {
  return Object.fromEntries(DIALECT_NAMES.map((name) => [name, pick(name)])) as Record<
    DeliveryDialect,
    T
  >;
}

/** Each of a dialect's settings at its default. */
function defaultValues(name: DeliveryDialect): Record<string, string | number> {
  const settings: Readonly<Record<string, DialectSetting>> = dialectDefinition(name).settings;
  return Object.fromEntries(Object.entries(settings).map(([key, spec]) => [key, spec.default]));
}

/**
 * The format an endpoint of `dialect` receives. `settings` shape it (the configuration's
 * `dialects[dialect]`); a setting left out is at its default.
 */
export function deliveryFormat<Name extends DeliveryDialect>(
  dialect: Name,
  settings: Partial<SettingValues<DefinitionOf<Name>['settings']>> = {},
): DeliveryFormat {
  const definition: { format(values: Record<string, string | number>): DeliveryFormat } =
    dialectDefinition(dialect);
  return definition.format({ ...defaultValues(dialect), ...settings });
}

/** The installation's own dialect: its settings are read from variables without a dialect name. */
export const INSTALLATION_DIALECT: DeliveryDialect = DIALECTS[0].name;

/**
 * The variable of one of a dialect's settings: `HOOKYARD_<DIALECT>_<SETTING>` with the setting's
 * camel-case key in upper snake case (`retrySchedule` of `platform` →
 * `HOOKYARD_PLATFORM_RETRY_SCHEDULE`); the installation's own dialect drops `<DIALECT>_`
 * (`HOOKYARD_RETRY_SCHEDULE`).
 */
export function dialectVariable(dialect: DeliveryDialect, setting: string): string {
  const snake = setting.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return dialect === INSTALLATION_DIALECT
    ? `HOOKYARD_${snake}`
    : `HOOKYARD_${dialect.toUpperCase()}_${snake}`;
}

/**
 * Permissions under a dialect's name and the permission each stands for, from every dialect
 * (`WEBHOOK.VIEW` → `WEBHOOK.READ`).
 */
export const PERMISSION_ALIASES: Readonly<Record<string, string>> = Object.assign(
  {},
  ...DIALECTS.map((dialect) => dialect.permissionAliases),
) as Record<string, string>;
