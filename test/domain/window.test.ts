import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isWindowOpen,
  nextWindowOpen,
  WEEKDAYS,
  windowCloses,
  zonedTimeText,
  type MaintenanceWindow,
  type Weekday,
} from '../../src/domain/index.js';

const at = (iso: string): number => Date.parse(iso);
const win = (start: string, end: string, timeZone: string, days: Weekday[] = [...WEEKDAYS]): MaintenanceWindow => ({
  days,
  start,
  end,
  timeZone,
});

const friNightUtc = win('22:00', '04:00', 'UTC', ['fri']);
const wednesdayUtc = win('00:00', '00:00', 'UTC', ['wed']);
const berlinNight = win('02:00', '04:00', 'Europe/Berlin');
const berlinMonday = win('00:00', '01:00', 'Europe/Berlin', ['mon']);
const newYorkFriday = win('18:00', '20:00', 'America/New_York', ['fri']);

const openCases: { name: string; window: MaintenanceWindow; at: string; open: boolean }[] = [
  { name: 'UTC crossing: Friday before start', window: friNightUtc, at: '2026-03-27T21:59:59.999Z', open: false },
  { name: 'UTC crossing: Friday at start', window: friNightUtc, at: '2026-03-27T22:00:00Z', open: true },
  {
    name: 'UTC crossing: Saturday 01:00 belongs to Friday',
    window: friNightUtc,
    at: '2026-03-28T01:00:00Z',
    open: true,
  },
  { name: 'UTC crossing: Saturday 03:59', window: friNightUtc, at: '2026-03-28T03:59:00Z', open: true },
  { name: 'UTC crossing: end is exclusive', window: friNightUtc, at: '2026-03-28T04:00:00Z', open: false },
  {
    name: 'UTC crossing: Saturday night is not a window day',
    window: friNightUtc,
    at: '2026-03-28T22:30:00Z',
    open: false,
  },
  {
    name: 'UTC crossing: Friday 01:00 belongs to Thursday',
    window: friNightUtc,
    at: '2026-03-27T01:00:00Z',
    open: false,
  },
  { name: 'UTC whole day: Wednesday midnight', window: wednesdayUtc, at: '2026-03-25T00:00:00Z', open: true },
  { name: 'UTC whole day: Wednesday 23:59', window: wednesdayUtc, at: '2026-03-25T23:59:59Z', open: true },
  { name: 'UTC whole day: Thursday midnight', window: wednesdayUtc, at: '2026-03-26T00:00:00Z', open: false },
  { name: 'UTC whole day: Tuesday 23:59', window: wednesdayUtc, at: '2026-03-24T23:59:00Z', open: false },
  { name: 'Berlin winter (UTC+1): 02:00 local', window: berlinNight, at: '2026-01-15T01:00:00Z', open: true },
  { name: 'Berlin winter: 01:59 local', window: berlinNight, at: '2026-01-15T00:59:00Z', open: false },
  { name: 'Berlin winter: 04:00 local', window: berlinNight, at: '2026-01-15T03:00:00Z', open: false },
  { name: 'Berlin summer (UTC+2): 02:00 local', window: berlinNight, at: '2026-07-15T00:00:00Z', open: true },
  { name: 'Berlin summer: 01:59 local', window: berlinNight, at: '2026-07-14T23:59:00Z', open: false },
  {
    name: 'Berlin weekday is local: Sunday UTC is Monday',
    window: berlinMonday,
    at: '2026-07-19T22:30:00Z',
    open: true,
  },
  {
    name: 'Berlin weekday is local: Monday UTC is past',
    window: berlinMonday,
    at: '2026-07-20T00:30:00Z',
    open: false,
  },
  { name: 'New York summer (UTC-4): Friday 18:00', window: newYorkFriday, at: '2026-07-17T22:00:00Z', open: true },
  { name: 'New York summer: Friday 19:59 local', window: newYorkFriday, at: '2026-07-17T23:59:00Z', open: true },
  {
    name: 'New York summer: Friday 20:30 local is Saturday UTC',
    window: newYorkFriday,
    at: '2026-07-18T00:30:00Z',
    open: false,
  },
  { name: 'New York winter (UTC-5): Friday 18:00', window: newYorkFriday, at: '2026-01-16T23:00:00Z', open: true },
  { name: 'New York winter: Friday 17:59 local', window: newYorkFriday, at: '2026-01-16T22:59:00Z', open: false },
];

for (const c of openCases) {
  void test(`isWindowOpen: ${c.name}`, () => {
    assert.equal(isWindowOpen(c.window, at(c.at)), c.open);
  });
}

const nextCases: { name: string; window: MaintenanceWindow; at: string; opens: string }[] = [
  {
    name: 'open now returns the same instant',
    window: friNightUtc,
    at: '2026-03-28T01:23:45.678Z',
    opens: '2026-03-28T01:23:45.678Z',
  },
  {
    name: 'UTC crossing: later the same day',
    window: friNightUtc,
    at: '2026-03-27T12:00:00.500Z',
    opens: '2026-03-27T22:00:00Z',
  },
  {
    name: 'UTC crossing: just after it closed, next week',
    window: friNightUtc,
    at: '2026-03-28T04:00:00Z',
    opens: '2026-04-03T22:00:00Z',
  },
  {
    name: 'UTC whole day: next Wednesday midnight',
    window: wednesdayUtc,
    at: '2026-03-26T00:00:00Z',
    opens: '2026-04-01T00:00:00Z',
  },
  {
    name: 'Berlin winter: tomorrow 02:00 local',
    window: berlinNight,
    at: '2026-01-15T03:00:00Z',
    opens: '2026-01-16T01:00:00Z',
  },
  {
    name: 'Berlin summer: tomorrow 02:00 local',
    window: berlinNight,
    at: '2026-07-15T02:00:00Z',
    opens: '2026-07-16T00:00:00Z',
  },
  {
    name: 'Berlin: Monday local starts Sunday UTC',
    window: berlinMonday,
    at: '2026-07-15T12:00:00Z',
    opens: '2026-07-19T22:00:00Z',
  },
  {
    name: 'New York: Friday evening local',
    window: newYorkFriday,
    at: '2026-07-13T00:00:00Z',
    opens: '2026-07-17T22:00:00Z',
  },
  {
    name: 'New York: one minute before',
    window: newYorkFriday,
    at: '2026-01-16T22:59:00Z',
    opens: '2026-01-16T23:00:00Z',
  },
];

for (const c of nextCases) {
  void test(`nextWindowOpen: ${c.name}`, () => {
    const opens = nextWindowOpen(c.window, at(c.at));
    assert.equal(new Date(opens).toISOString(), new Date(at(c.opens)).toISOString());
    assert.equal(isWindowOpen(c.window, opens), true);
  });
}

const closeCases: { name: string; window: MaintenanceWindow; at: string; closes: string | undefined }[] = [
  { name: 'closed now', window: friNightUtc, at: '2026-03-28T04:00:00Z', closes: undefined },
  {
    name: 'UTC crossing: at 04:00 the next day',
    window: friNightUtc,
    at: '2026-03-27T22:00:00Z',
    closes: '2026-03-28T04:00:00Z',
  },
  {
    name: 'UTC whole day: at midnight',
    window: wednesdayUtc,
    at: '2026-03-25T10:00:00Z',
    closes: '2026-03-26T00:00:00Z',
  },
  {
    name: 'consecutive whole days close once',
    window: win('09:00', '09:00', 'UTC', ['sat', 'sun']),
    at: '2026-03-28T10:00:00Z',
    closes: '2026-03-30T00:00:00Z',
  },
  {
    name: 'Berlin summer: 04:00 local',
    window: berlinNight,
    at: '2026-07-15T00:10:00Z',
    closes: '2026-07-15T02:00:00Z',
  },
  {
    name: 'New York winter: 20:00 local',
    window: newYorkFriday,
    at: '2026-01-16T23:30:00Z',
    closes: '2026-01-17T01:00:00Z',
  },
];

for (const c of closeCases) {
  void test(`windowCloses: ${c.name}`, () => {
    assert.equal(windowCloses(c.window, at(c.at)), c.closes === undefined ? undefined : at(c.closes));
  });
}

void test('windowCloses: a whole-day window on every day never closes', () => {
  assert.equal(windowCloses(win('00:00', '00:00', 'Europe/Berlin'), at('2026-03-29T01:30:00Z')), Infinity);
});

void test('nextWindowOpen: computes instead of scanning minute by minute', () => {
  const weekly = win('23:00', '23:30', 'America/New_York', ['sat']);
  const startedAt = performance.now();
  for (let i = 0; i < 100; i++) nextWindowOpen(weekly, at('2026-03-01T05:00:00Z') + i * 3_600_000);
  assert.ok(performance.now() - startedAt < 1_000, '100 look-ups a week ahead take well under a second');
});

void test('zonedTimeText: the wall clock in the window’s zone, across a DST change', () => {
  // 2026-12-05 21:00 UTC is Saturday 22:00 in Berlin (CET, +1); 2026-07-04 20:00 UTC is 22:00 CEST (+2).
  assert.equal(zonedTimeText(Date.UTC(2026, 11, 5, 21), 'Europe/Berlin'), 'Sat 2026-12-05 22:00 Europe/Berlin');
  assert.equal(zonedTimeText(Date.UTC(2026, 6, 4, 20), 'Europe/Berlin'), 'Sat 2026-07-04 22:00 Europe/Berlin');
  assert.equal(
    zonedTimeText(Date.UTC(2026, 11, 6, 3, 30), 'America/New_York'),
    'Sat 2026-12-05 22:30 America/New_York',
  );
  assert.equal(zonedTimeText(Date.UTC(2026, 11, 7, 0, 0, 59), 'UTC'), 'Mon 2026-12-07 00:00 UTC');
});
