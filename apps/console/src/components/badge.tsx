import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

/** A short status word in a coloured pill; the word carries the meaning, the colour only repeats it. */
export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** The tone of an endpoint or delivery status as the API spells it. */
export function statusTone(status: string): Tone {
  switch (status) {
    case 'active':
    case 'succeeded':
      return 'ok';
    case 'paused':
    case 'pending':
      return 'warn';
    case 'suspended':
    case 'disabled':
    case 'failed':
      return 'bad';
    default:
      return 'neutral';
  }
}
