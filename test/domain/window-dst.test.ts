import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isWindowOpen,
  nextWindowOpen,
  WEEKDAYS,
  windowCloses,
  type MaintenanceWindow,
  type Weekday,
} from '../../src/domain/index.js';

const at = (iso: string): number => Date.parse(iso);
const show = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();
const win = (start: string, end: string, timeZone: string, days: Weekday[] = [...WEEKDAYS]): MaintenanceWindow => ({
  days,
  start,
  end,
  timeZone,
});
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/*
 * Transitions used below (all on Sundays):
 * Europe/Berlin    2026-03-29 01:00Z: 02:00 CET  → 03:00 CEST;  2026-10-25 01:00Z: 03:00 CEST → 02:00 CET.
 * America/New_York 2026-03-08 07:00Z: 02:00 EST  → 03:00 EDT;   2026-11-01 06:00Z: 02:00 EDT  → 01:00 EST.
 */
type Case = { name: string; window: MaintenanceWindow; at: string; expected: string };

const nextCases: Case[] = [
  {
    name: 'Berlin spring: start in the gap opens right after it',
    window: win('02:30', '05:00', BERLIN, ['sun']),
    at: '2026-03-29T00:00:00Z',
    expected: '2026-03-29T01:00:00Z',
  },
  {
    name: 'Berlin spring: window wholly in the gap skips to next week',
    window: win('02:00', '02:30', BERLIN, ['sun']),
    at: '2026-03-29T00:00:00Z',
    expected: '2026-04-05T00:00:00Z',
  },
  {
    name: 'Berlin spring: daily window in the gap opens next day',
    window: win('02:15', '02:45', BERLIN),
    at: '2026-03-28T23:00:00Z',
    expected: '2026-03-30T00:15:00Z',
  },
  {
    name: 'Berlin fall: first occurrence of 02:00',
    window: win('02:00', '02:30', BERLIN),
    at: '2026-10-24T23:00:00Z',
    expected: '2026-10-25T00:00:00Z',
  },
  {
    name: 'Berlin fall: repeated hour opens again',
    window: win('02:00', '02:30', BERLIN),
    at: '2026-10-25T00:40:00Z',
    expected: '2026-10-25T01:00:00Z',
  },
  {
    name: 'Berlin fall: clock falls back into the window',
    window: win('01:30', '02:30', BERLIN),
    at: '2026-10-25T00:45:00Z',
    expected: '2026-10-25T01:00:00Z',
  },
  {
    name: 'Berlin fall: second pass of 02:30',
    window: win('02:30', '04:00', BERLIN),
    at: '2026-10-25T01:00:00Z',
    expected: '2026-10-25T01:30:00Z',
  },
  {
    name: 'New York spring: start in the gap',
    window: win('02:00', '03:30', NEW_YORK, ['sun']),
    at: '2026-03-08T06:00:00Z',
    expected: '2026-03-08T07:00:00Z',
  },
  {
    name: 'New York spring: window in the gap opens next day',
    window: win('02:15', '02:45', NEW_YORK),
    at: '2026-03-08T06:00:00Z',
    expected: '2026-03-09T06:15:00Z',
  },
  {
    name: 'New York fall: first occurrence of 01:00',
    window: win('01:00', '01:30', NEW_YORK),
    at: '2026-11-01T04:30:00Z',
    expected: '2026-11-01T05:00:00Z',
  },
  {
    name: 'New York fall: second occurrence of 01:00',
    window: win('01:00', '01:30', NEW_YORK),
    at: '2026-11-01T05:45:00Z',
    expected: '2026-11-01T06:00:00Z',
  },
  {
    name: 'New York fall: next week is back to EST',
    window: win('01:00', '01:30', NEW_YORK, ['sun']),
    at: '2026-11-01T06:30:00Z',
    expected: '2026-11-08T06:00:00Z',
  },
];

for (const c of nextCases) {
  void test(`nextWindowOpen across DST: ${c.name}`, () => {
    assert.equal(show(nextWindowOpen(c.window, at(c.at))), show(at(c.expected)));
  });
}

const closeCases: Case[] = [
  {
    name: 'Berlin spring: window shortened by the gap',
    window: win('01:00', '03:00', BERLIN),
    at: '2026-03-29T00:30:00Z',
    expected: '2026-03-29T01:00:00Z',
  },
  {
    name: 'Berlin spring: window opened at the gap',
    window: win('02:30', '05:00', BERLIN, ['sun']),
    at: '2026-03-29T01:00:00Z',
    expected: '2026-03-29T03:00:00Z',
  },
  {
    name: 'Berlin spring: midnight crossing lasts 5 hours',
    window: win('22:00', '04:00', BERLIN, ['sat']),
    at: '2026-03-28T21:00:00Z',
    expected: '2026-03-29T02:00:00Z',
  },
  {
    name: 'Berlin fall: first pass closes at 02:30 CEST',
    window: win('02:00', '02:30', BERLIN),
    at: '2026-10-25T00:00:00Z',
    expected: '2026-10-25T00:30:00Z',
  },
  {
    name: 'Berlin fall: second pass closes at 02:30 CET',
    window: win('02:00', '02:30', BERLIN),
    at: '2026-10-25T01:00:00Z',
    expected: '2026-10-25T01:30:00Z',
  },
  {
    name: 'Berlin fall: clock falls back out of the window',
    window: win('02:30', '04:00', BERLIN),
    at: '2026-10-25T00:45:00Z',
    expected: '2026-10-25T01:00:00Z',
  },
  {
    name: 'New York spring: closes at 03:30 EDT',
    window: win('02:00', '03:30', NEW_YORK, ['sun']),
    at: '2026-03-08T07:00:00Z',
    expected: '2026-03-08T07:30:00Z',
  },
  {
    name: 'New York fall: second pass',
    window: win('01:00', '01:30', NEW_YORK),
    at: '2026-11-01T06:10:00Z',
    expected: '2026-11-01T06:30:00Z',
  },
  {
    name: 'New York fall: midnight crossing lasts 5 hours',
    window: win('23:00', '03:00', NEW_YORK, ['sat']),
    at: '2026-11-01T03:00:00Z',
    expected: '2026-11-01T08:00:00Z',
  },
  {
    name: 'New York fall: whole day lasts 25 hours',
    window: win('12:00', '12:00', NEW_YORK, ['sun']),
    at: '2026-11-01T04:00:00Z',
    expected: '2026-11-02T05:00:00Z',
  },
];

for (const c of closeCases) {
  void test(`windowCloses across DST: ${c.name}`, () => {
    assert.equal(show(windowCloses(c.window, at(c.at))), show(at(c.expected)));
  });
}

const openCases: { name: string; window: MaintenanceWindow; at: string; open: boolean }[] = [
  {
    name: 'Berlin spring: last second before the gap',
    window: win('02:30', '05:00', BERLIN, ['sun']),
    at: '2026-03-29T00:59:59Z',
    open: false,
  },
  {
    name: 'Berlin spring: crossing window still open at 03:59 CEST',
    window: win('22:00', '04:00', BERLIN, ['sat']),
    at: '2026-03-29T01:59:00Z',
    open: true,
  },
  { name: 'Berlin fall: 02:15 CEST', window: win('02:00', '02:30', BERLIN), at: '2026-10-25T00:15:00Z', open: true },
  { name: 'Berlin fall: 02:15 CET', window: win('02:00', '02:30', BERLIN), at: '2026-10-25T01:15:00Z', open: true },
  {
    name: 'New York fall: crossing window at 02:59 EST',
    window: win('23:00', '03:00', NEW_YORK, ['sat']),
    at: '2026-11-01T07:59:00Z',
    open: true,
  },
];

for (const c of openCases) {
  void test(`isWindowOpen across DST: ${c.name}`, () => {
    assert.equal(isWindowOpen(c.window, at(c.at)), c.open);
  });
}

/** The reference answer: the first whole minute after `from` at which the window is `open` (for whole-minute zones). */
function scan(window: MaintenanceWindow, from: number, open: boolean): number | undefined {
  for (let t = Math.floor(from / 60_000) * 60_000 + 60_000; t < from + 40 * 86_400_000; t += 60_000) {
    if (isWindowOpen(window, t) === open) return t;
  }
  return undefined;
}

const scanWindows: MaintenanceWindow[] = [
  win('02:00', '02:30', BERLIN),
  win('22:00', '04:00', BERLIN, ['sat']),
  win('02:30', '02:30', NEW_YORK, ['sat', 'sun']),
  win('01:00', '01:30', NEW_YORK, ['sun', 'mon']),
  win('09:15', '17:45', 'Asia/Kolkata', ['mon', 'wed']),
  win('23:30', '00:30', 'America/Santiago', ['sat']),
];
const scanStarts = [
  '2026-03-27T12:00:00Z',
  '2026-03-29T00:45:30Z',
  '2026-10-25T00:40:00Z',
  '2026-11-01T05:45:00Z',
  '2026-04-04T12:00:00Z',
];

for (const window of scanWindows) {
  void test(`matches a minute-by-minute scan: ${window.start}–${window.end} ${window.timeZone} ${window.days.join(',')}`, () => {
    for (const start of scanStarts) {
      const from = at(start);
      const open = isWindowOpen(window, from);
      assert.equal(nextWindowOpen(window, from), open ? from : scan(window, from, true), `opens after ${start}`);
      assert.equal(windowCloses(window, from), open ? scan(window, from, false) : undefined, `closes after ${start}`);
    }
  });
}
