/**
 * Checks cron expressions before they reach a Temporal Schedule, so a typo is refused with the
 * field and the expected form instead of a server error. Accepted: the five classic fields
 * (minute hour day-of-month month day-of-week) with `*`, lists, ranges, steps and names, and the
 * shorthands `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`.
 */
import { WindowSchema } from '../domain/spec.js';

const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names accepted for the values `nameBase`, `nameBase + 1`, … */
  names?: readonly string[];
  nameBase?: number;
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

function valueOf(text: string, field: CronField): number | string {
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + (field.nameBase ?? 0);
  if (!/^\d+$/.test(text)) return `"${text}" is not a number${field.names !== undefined ? ' or a name' : ''}`;
  const value = Number(text);
  if (value < field.min || value > field.max) return `${value} is outside ${field.min}-${field.max}`;
  return value;
}

function itemProblem(item: string, field: CronField): string | undefined {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step)))
    return `bad step in "${item}"; write it like */15`;
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2 || bounds.some((b) => b === '')) return `"${item}" is not a value or range such as 5 or 1-5`;
  const values = bounds.map((b) => valueOf(b, field));
  const bad = values.find((v) => typeof v === 'string');
  if (typeof bad === 'string') return bad;
  const [lo, hi] = values as number[];
  if (hi !== undefined && lo !== undefined && hi < lo) return `range "${item}" ends before it starts`;
  return undefined;
}

/**
 * Why `expression` is not an accepted cron expression, or `undefined` when it is.
 * The answer names the field, e.g. `minute field: 61 is outside 0-59`.
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return SHORTHANDS.has(text.toLowerCase())
      ? undefined
      : `"${text}" is not a known shorthand (${[...SHORTHANDS].join(', ')})`;
  }
  const parts = text.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== FIELDS.length) {
    return `expected 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * sat", got ${parts.length}`;
  }
  for (const [index, part] of parts.entries()) {
    const field = FIELDS[index] as CronField;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem !== undefined) return `${field.name} field: ${problem}`;
    }
  }
  return undefined;
}

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`), by the spec's own window rule. */
export function isTimeZone(zone: string): boolean {
  return zone.trim() !== '' && WindowSchema.shape.timeZone.safeParse(zone).success;
}
