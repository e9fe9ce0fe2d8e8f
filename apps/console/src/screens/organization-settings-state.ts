import type { UpdateAdminOrganization } from '@hookyard/sdk';
import type {
  Organization,
  OrganizationSettings,
  RateLimit,
  SettingsPatch,
  Thresholds,
} from '../api/organizations';

/*
 * The organization settings form's state and its mapping to and from the API's body: pure, no
 * React, so the screen (`organization-detail.tsx`) holds only the controls and the save. Every
 * number is kept as typed; an empty box means the installation's default (null).
 */

export const THRESHOLDS: readonly { key: keyof Thresholds; label: string; hint: string }[] = [
  {
    key: 'penaltyAfter',
    label: 'Penalty box after (failures)',
    hint: 'Failures in a row before deliveries are held back and the endpoint is probed.',
  },
  { key: 'pauseAfter', label: 'Pause after (failures)', hint: 'Failures in a row that pause it.' },
  {
    key: 'pauseAfterSeconds',
    label: 'Pause after (seconds failing)',
    hint: 'How long an endpoint may keep failing before it is paused.',
  },
  {
    key: 'suspendAfterSeconds',
    label: 'Suspend after (seconds paused)',
    hint: 'How long a paused endpoint waits before it is suspended.',
  },
  {
    key: 'penaltyCooldownSeconds',
    label: 'Penalty cooldown (seconds)',
    hint: 'The wait between probes of an endpoint in the penalty box.',
  },
];

export type RateLimitKind = 'management' | 'publishing';
export const RATE_LIMIT_KINDS: readonly RateLimitKind[] = ['management', 'publishing'];

export interface SettingsState {
  readonly name: string;
  readonly endpointLimit: string;
  readonly rateLimits: Record<RateLimitKind, { perSecond: string; burst: string }>;
  /** Seconds between tries, comma-separated (`10, 60, 300`). */
  readonly retrySchedule: string;
  readonly thresholds: Record<keyof Thresholds, string>;
  /** One entry a line. */
  readonly outboundAllow: string;
  readonly portalAllowedOrigins: string;
}

const text = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

export function initialSettings(organization: Organization): SettingsState {
  const { settings } = organization;
  const rate = (limit: RateLimit | null) => ({
    perSecond: text(limit?.perSecond),
    burst: text(limit?.burst),
  });
  return {
    name: organization.name,
    endpointLimit: text(settings.endpointLimit),
    rateLimits: {
      management: rate(settings.rateLimits.management),
      publishing: rate(settings.rateLimits.publishing),
    },
    retrySchedule: settings.retryScheduleSeconds?.join(', ') ?? '',
    thresholds: Object.fromEntries(
      THRESHOLDS.map(({ key }) => [key, text(settings.thresholds[key])]),
    ) as Record<keyof Thresholds, string>,
    outboundAllow: settings.outboundAllow.join('\n'),
    portalAllowedOrigins: settings.portalAllowedOrigins.join('\n'),
  };
}

/** The API's path of a setting's field (`settings.rateLimits.management.burst`). */
export const settingPath = (...keys: string[]) => ['settings', ...keys].join('.');

type Parsed<T> = { value: T } | { error: string };

function parseNumber(raw: string): Parsed<number | null> {
  const trimmed = raw.trim();
  if (trimmed === '') return { value: null };
  const value = Number(trimmed);
  return Number.isFinite(value) ? { value } : { error: 'Enter a number, or leave it empty.' };
}

function parseList(raw: string): string[] {
  return raw
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * The settings the form describes, or the problems that keep it from being sent, by the API's
 * field paths.
 */
export function settingsOf(
  state: SettingsState,
): { settings: OrganizationSettings } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const number = (raw: string, path: string): number | null => {
    const parsed = parseNumber(raw);
    if ('error' in parsed) {
      errors[path] = parsed.error;
      return null;
    }
    return parsed.value;
  };

  const endpointLimit = number(state.endpointLimit, settingPath('endpointLimit'));
  const rateLimit = (kind: RateLimitKind): RateLimit | null => {
    const { perSecond, burst } = state.rateLimits[kind];
    const rate = number(perSecond, settingPath('rateLimits', kind, 'perSecond'));
    const size = number(burst, settingPath('rateLimits', kind, 'burst'));
    if (rate === null && size === null) return null;
    if (rate === null || size === null) {
      errors[settingPath('rateLimits', kind)] =
        'Give both the rate and the burst, or neither for the default.';
      return null;
    }
    return { perSecond: rate, burst: size };
  };
  const rateLimits = { management: rateLimit('management'), publishing: rateLimit('publishing') };

  let retryScheduleSeconds: number[] | null = null;
  if (state.retrySchedule.trim() !== '') {
    const steps = state.retrySchedule.split(',').map((step) => step.trim());
    retryScheduleSeconds = steps.map(Number);
    if (steps.some((step) => step === '') || !retryScheduleSeconds.every(Number.isFinite)) {
      errors[settingPath('retryScheduleSeconds')] =
        'Enter seconds separated by commas (10, 60, 300), or leave it empty.';
    }
  }

  const thresholds = Object.fromEntries(
    THRESHOLDS.map(({ key }) => [
      key,
      number(state.thresholds[key], settingPath('thresholds', key)),
    ]),
  ) as unknown as Thresholds;

  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: {
      endpointLimit,
      portalAllowedOrigins: parseList(state.portalAllowedOrigins),
      outboundAllow: parseList(state.outboundAllow),
      rateLimits,
      retryScheduleSeconds,
      thresholds,
    },
  };
}

/** Only what changed: the name if it did, and each setting that differs from the stored one. */
export function updateBody(
  name: string,
  settings: OrganizationSettings,
  organization: Organization,
): UpdateAdminOrganization {
  const patch: SettingsPatch = {};
  for (const key of Object.keys(settings) as (keyof OrganizationSettings)[]) {
    if (JSON.stringify(settings[key]) !== JSON.stringify(organization.settings[key])) {
      Object.assign(patch, { [key]: settings[key] });
    }
  }
  return {
    ...(name.trim() !== organization.name ? { name: name.trim() } : {}),
    ...(Object.keys(patch).length > 0 ? { settings: patch } : {}),
  };
}
