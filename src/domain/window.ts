/**
 * Maintenance windows in a time zone, across midnight and daylight-saving transitions.
 *
 * Only `Intl.DateTimeFormat` (with `timeZone`) is used to learn the wall clock of an instant, so
 * this runs unchanged in Temporal's workflow sandbox; the caller passes the instant (the workflow's
 * `Date.now()`), never a hidden clock.
 *
 * Wall-clock semantics: a window is open when the local weekday is one of `days` and the local time
 * is in `[start, end)`. When `end < start` the window crosses midnight and belongs to the day it
 * started on (a Friday 22:00–04:00 window is open early on Saturday). `start == end` is the whole
 * calendar day. On a spring-forward day a window that starts in the skipped hour opens at the first
 * instant after the gap (a window lying wholly inside the gap does not happen that day); on a
 * fall-back day a window over the repeated hour is open in both passes.
 */
import { WEEKDAYS, type MaintenanceWindow } from './spec.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Offsets are sampled this far apart; no zone changes its offset twice within six hours. */
const SAMPLE_MS = 6 * 3_600_000;
/** A weekly window recurs within 8 days; the longer horizon covers a week whose only window fell into a DST gap. */
const HORIZONS_MS = [8 * DAY_MS, 36 * DAY_MS] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The wall clock of `atMs` in `timeZone`, as milliseconds since 1970-01-01T00:00 *local*: the
 * wall-clock date and time read as if they were UTC. `wall - atMs` is the zone's offset.
 */
function wallClock(timeZone: string, atMs: number): number {
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(atMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const wholeSecond = Math.floor(atMs / SECOND_MS) * SECOND_MS;
  const local = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour % 24, fields.minute, fields.second);
  return local + (atMs - wholeSecond);
}

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** `Sat 2026-12-05 22:00 Europe/Berlin`: the wall clock of `atMs` in `timeZone`, to the minute. */
export function zonedTimeText(atMs: number, timeZone: string): string {
  const wall = new Date(wallClock(timeZone, atMs));
  const day = WEEKDAY_NAMES[wall.getUTCDay()] ?? '';
  return `${day} ${wall.toISOString().slice(0, 16).replace('T', ' ')} ${timeZone}`;
}

function offsetAt(timeZone: string, atMs: number): number {
  return wallClock(timeZone, atMs) - atMs;
}

function clockMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Whether the local calendar day `day` (days since 1970-01-01, a Thursday) is one of the window's days. */
function isWindowDay(window: MaintenanceWindow, day: number): boolean {
  const weekday = WEEKDAYS[(((day + 4) % 7) + 7) % 7];
  return weekday !== undefined && window.days.includes(weekday);
}

function isOpenAtWall(window: MaintenanceWindow, wall: number): boolean {
  const day = Math.floor(wall / DAY_MS);
  const minute = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
  const start = clockMinutes(window.start);
  const end = clockMinutes(window.end);
  if (start === end) return isWindowDay(window, day);
  if (start < end) return minute >= start && minute < end && isWindowDay(window, day);
  return (minute >= start && isWindowDay(window, day)) || (minute < end && isWindowDay(window, day - 1));
}

/**
 * Whether nodes may be started at `atMs`: the wall clock in `window.timeZone` is inside the window
 * (minute resolution: a 02:00–04:00 window is open from 02:00:00.000 to 03:59:59.999).
 */
export function isWindowOpen(window: MaintenanceWindow, atMs: number): boolean {
  return isOpenAtWall(window, wallClock(window.timeZone, atMs));
}

/** A stretch of time `[from, to)` with one UTC offset. */
interface OffsetSpan {
  from: number;
  to: number;
  offset: number;
}

/** First whole second in `(lo, hi]` whose offset differs from `offset` (the one at `lo`); tz transitions fall on whole seconds. */
function offsetChange(timeZone: string, lo: number, hi: number, offset: number): number {
  let before = Math.floor(lo / SECOND_MS);
  let after = Math.ceil(hi / SECOND_MS);
  while (after - before > 1) {
    const mid = Math.floor((before + after) / 2);
    if (offsetAt(timeZone, mid * SECOND_MS) === offset) before = mid;
    else after = mid;
  }
  return after * SECOND_MS;
}

/** Splits `[from, to)` at the zone's offset transitions, found by sampling and bisection. */
function offsetSpans(timeZone: string, from: number, to: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  let spanStart = from;
  let offset = offsetAt(timeZone, from);
  let t = from;
  while (t < to) {
    const next = Math.min(t + SAMPLE_MS, to);
    if (offsetAt(timeZone, next) === offset) {
      t = next;
      continue;
    }
    const change = offsetChange(timeZone, t, next, offset);
    spans.push({ from: spanStart, to: change, offset });
    spanStart = change;
    offset = offsetAt(timeZone, change);
    t = change;
  }
  spans.push({ from: spanStart, to, offset });
  return spans;
}

/**
 * The earliest instant in `(atMs, atMs + horizon)` at which `isWindowOpen` becomes `wantOpen`.
 *
 * The window's state only changes where the local clock reaches midnight, `start` or `end`, or
 * where the offset changes. Those instants are computed per offset span (a local time inside a
 * span maps to exactly one instant, `wall - offset`), which gives the first occurrence on a
 * fall-back day and the transition instant for a time skipped by a spring-forward gap.
 */
function firstInstant(window: MaintenanceWindow, atMs: number, horizon: number, wantOpen: boolean): number | undefined {
  const minutes = [0, clockMinutes(window.start), clockMinutes(window.end)];
  const candidates: number[] = [];
  for (const span of offsetSpans(window.timeZone, atMs, atMs + horizon)) {
    candidates.push(span.from);
    const lastDay = Math.floor((span.to + span.offset) / DAY_MS);
    for (let day = Math.floor((span.from + span.offset) / DAY_MS); day <= lastDay; day++) {
      for (const minute of minutes) {
        const instant = day * DAY_MS + minute * MINUTE_MS - span.offset;
        if (instant >= span.from && instant < span.to) candidates.push(instant);
      }
    }
  }
  return candidates
    .filter((instant) => instant > atMs)
    .sort((a, b) => a - b)
    .find((instant) => isWindowOpen(window, instant) === wantOpen);
}

/**
 * When nodes may next be started: `atMs` itself when the window is open, otherwise the earliest
 * later instant at which it is open (exact, not rounded to a scan step). The workflow sleeps until
 * then. Throws a `RangeError` if the window does not open within five weeks, which only a window
 * lying wholly inside DST gaps could cause.
 */
export function nextWindowOpen(window: MaintenanceWindow, atMs: number): number {
  if (isWindowOpen(window, atMs)) return atMs;
  for (const horizon of HORIZONS_MS) {
    const opens = firstInstant(window, atMs, horizon, true);
    if (opens !== undefined) return opens;
  }
  throw new RangeError(`maintenance window ${window.start}–${window.end} ${window.timeZone} never opens`);
}

/**
 * When the window that is open at `atMs` closes (the first instant at which it is closed), e.g.
 * for status output; `undefined` when it is closed at `atMs`, and `Infinity` for a whole-day window
 * on every day of the week. Consecutive whole-day windows (`days: [sat, sun]`, `start == end`)
 * close once, at the end of the last day.
 */
export function windowCloses(window: MaintenanceWindow, atMs: number): number | undefined {
  if (!isWindowOpen(window, atMs)) return undefined;
  if (window.start === window.end && WEEKDAYS.every((day) => window.days.includes(day))) {
    return Number.POSITIVE_INFINITY;
  }
  for (const horizon of HORIZONS_MS) {
    const closes = firstInstant(window, atMs, horizon, false);
    if (closes !== undefined) return closes;
  }
  return Number.POSITIVE_INFINITY;
}
