/**
 * Durations and "count or percent" quantities as operators write them.
 *
 * Durations use Go's notation (`500ms`, `2s`, `15m`, `1h30m`) because Temporal, NATS and LocalAI
 * operators already write them that way; a bare number is milliseconds.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/** Parses `1h30m`, `15m`, `2s`, `500ms`, `0` into milliseconds; returns `undefined` when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) <= MAX_DURATION_MS ? Number(trimmed) : undefined;
  let rest = trimmed;
  let total = 0;
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = DURATION_RE.exec(rest);
    if (!match) return undefined;
    const [whole, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
    total += Number(amount) * UNIT_MS[unit];
    rest = rest.slice(whole.length);
  }
  return Number.isFinite(total) && total <= MAX_DURATION_MS ? Math.round(total) : undefined;
}

/** Longest duration accepted anywhere (one year): beyond it a value is a typo, not a policy. */
export const MAX_DURATION_MS = 365 * 86_400_000;

/** Renders milliseconds compactly (`1h5m`, `2.5s`, `300ms`) for status lines and tables. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1_000) return `${Math.round(ms)}ms`;
  if (Math.round(ms / 100) < 600) return `${Math.round(ms / 100) / 10}s`;
  const totalSeconds = Math.round(ms / 1_000);
  const h = Math.floor(totalSeconds / 3_600);
  const m = Math.floor((totalSeconds % 3_600) / 60);
  const s = totalSeconds % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`;
}

/** A quantity given either as an absolute count or as a percentage of some total. */
export type CountOrPercent =
  { readonly kind: 'count'; readonly value: number } | { readonly kind: 'percent'; readonly value: number };

/** Parses `3` or `25%`; returns `undefined` when malformed (negative, fractional count, over 100%). */
export function parseCountOrPercent(input: string | number): CountOrPercent | undefined {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0 ? { kind: 'count', value: input } : undefined;
  }
  const text = input.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) {
    const value = Number(pct[1]);
    return value <= 100 ? { kind: 'percent', value } : undefined;
  }
  if (/^\d+$/.test(text)) return { kind: 'count', value: Number(text) };
  return undefined;
}

/** `3` or `25%`: the form {@link parseCountOrPercent} reads. */
export function formatCountOrPercent(quantity: CountOrPercent): string {
  return quantity.kind === 'percent' ? `${quantity.value}%` : String(quantity.value);
}

/** How a percentage of a whole number of things becomes a whole number. */
export const Rounding = { Down: 'down', Up: 'up' } as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];

/**
 * Resolves a count or percentage against `total`. Percentages round as asked (`down`: floor,
 * `up`: ceil); counts are used as given. Floating error is absorbed before rounding, so 10% of 30 is 3.
 */
export function resolveCountOrPercent(quantity: CountOrPercent, total: number, rounding: Rounding): number {
  if (quantity.kind === 'count') return quantity.value;
  const exact = Math.round(((quantity.value * total) / 100) * 1e9) / 1e9;
  return rounding === Rounding.Up ? Math.ceil(exact) : Math.floor(exact);
}
