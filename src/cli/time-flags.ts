/**
 * The time-shaped flags: days of the week, maintenance windows (`--window`), calendar times of a
 * schedule (`--calendar`) and time zones, each refused with the flag and the expected form.
 */
import type { CalendarSpec, DayOfWeek } from '@temporalio/client';
import { isTimeZone } from '../client/index.js';
import { WEEKDAYS, type Weekday } from '../domain/spec.js';
import { UsageError } from './exit.js';

const DAY_OF_WEEK: Readonly<Record<Weekday, DayOfWeek>> = {
  sun: 'SUNDAY',
  mon: 'MONDAY',
  tue: 'TUESDAY',
  wed: 'WEDNESDAY',
  thu: 'THURSDAY',
  fri: 'FRIDAY',
  sat: 'SATURDAY',
};

const CLOCK_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function dayIndex(flag: string, name: string): number {
  const index = WEEKDAYS.findIndex(
    (d) => name.toLowerCase() === d || DAY_OF_WEEK[d].toLowerCase() === name.toLowerCase(),
  );
  if (index < 0) throw new UsageError(`${flag}: "${name}" is not a day; use sun, mon, tue, wed, thu, fri or sat`);
  return index;
}

/**
 * Parses days such as `*`, `sat,sun`, `mon-fri` or `fri-mon` (ranges may wrap around the week).
 * @returns the days in week order, each once.
 */
export function parseDays(flag: string, text: string): Weekday[] {
  if (text === '*') return [...WEEKDAYS];
  const chosen = new Set<number>();
  for (const item of text.split(',')) {
    const [from, to, extra] = item.split('-');
    if (from === undefined || from === '' || extra !== undefined || to === '') {
      throw new UsageError(`${flag}: "${item}" is not a day or a range such as mon-fri`);
    }
    const start = dayIndex(flag, from);
    const end = to === undefined ? start : dayIndex(flag, to);
    for (let d = start; ; d = (d + 1) % 7) {
      chosen.add(d);
      if (d === end) break;
    }
  }
  return WEEKDAYS.filter((_, i) => chosen.has(i));
}

function clock(flag: string, text: string, form: string): string {
  const match = CLOCK_RE.exec(text);
  if (match === null) throw new UsageError(`${flag}: "${text}" is not a 24-hour time; expected ${form}`);
  return `${(match[1] ?? '').padStart(2, '0')}:${match[2] ?? '00'}`;
}

/**
 * Checks an IANA time zone.
 * @throws UsageError naming the flag.
 */
export function timeZoneFlag(flag: string, zone: string): string {
  if (!isTimeZone(zone))
    throw new UsageError(`${flag}: unknown time zone "${zone}"; use an IANA name such as Europe/Berlin or UTC`);
  return zone;
}

/** A maintenance window as the spec takes it. */
export interface WindowInput {
  days: Weekday[];
  start: string;
  end: string;
  timeZone: string;
}

const WINDOW_FORM = '"[DAYS ]HH:MM-HH:MM[ ZONE]" such as "sat,sun 02:00-06:00 Europe/Berlin" or "22:00-04:00"';

/** Parses `--window "[DAYS ]HH:MM-HH:MM[ ZONE]"`; the zone defaults to `defaultZone`. */
export function parseWindowFlag(text: string, defaultZone = 'UTC'): WindowInput {
  const parts = text.trim().split(/\s+/);
  const rangeAt = parts.findIndex((p) => p.includes(':'));
  if (rangeAt < 0 || rangeAt > 1 || parts.length > rangeAt + 2)
    throw new UsageError(`--window: "${text}" is not a window; expected ${WINDOW_FORM}`);
  const [from = '', to, extra] = (parts[rangeAt] ?? '').split('-');
  if (to === undefined || extra !== undefined)
    throw new UsageError(`--window: "${parts[rangeAt] ?? ''}" is not a time range; expected ${WINDOW_FORM}`);
  return {
    days: rangeAt === 1 ? parseDays('--window', parts[0] ?? '') : [...WEEKDAYS],
    start: clock('--window', from, WINDOW_FORM),
    end: clock('--window', to, WINDOW_FORM),
    timeZone: timeZoneFlag('--window', parts[rangeAt + 1] ?? defaultZone),
  };
}

/** Parses `--calendar "[DAYS ]HH:MM"` (e.g. `sat 02:00`, `mon-fri 22:30`, `03:00` for every day). */
export function parseCalendarFlag(text: string): CalendarSpec {
  const form = '"[DAYS ]HH:MM" such as "sat 02:00" or "mon-fri 22:30"';
  const parts = text.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '')
    throw new UsageError(`--calendar: "${text}" is not a calendar time; expected ${form}`);
  const time = clock('--calendar', parts[parts.length - 1] ?? '', form);
  const days = parts.length === 2 ? parseDays('--calendar', parts[0] ?? '') : [...WEEKDAYS];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return {
    dayOfWeek: days.length === 7 ? '*' : days.map((d) => DAY_OF_WEEK[d]),
    hour,
    minute,
    comment: text.trim(),
  };
}
