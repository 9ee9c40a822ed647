/** Days, windows, calendar times and time zones as operators write them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCalendarFlag, parseDays, parseWindowFlag, timeZoneFlag } from '../../src/cli/time-flags.js';

void test('days: lists, ranges (wrapping the week), full names and *', () => {
  assert.deepEqual(parseDays('--window', 'mon-fri'), ['mon', 'tue', 'wed', 'thu', 'fri']);
  assert.deepEqual(parseDays('--window', 'fri-mon'), ['sun', 'mon', 'fri', 'sat']);
  assert.deepEqual(parseDays('--window', 'Saturday,sun,sat'), ['sun', 'sat']);
  assert.equal(parseDays('--window', '*').length, 7);
  assert.throws(() => parseDays('--window', 'mon-'), /--window: "mon-" is not a day or a range/);
});

void test('windows: days, clock range and zone; the zone defaults to the one given', () => {
  assert.deepEqual(parseWindowFlag('sat,sun 02:00-06:00 Europe/Berlin'), {
    days: ['sun', 'sat'],
    start: '02:00',
    end: '06:00',
    timeZone: 'Europe/Berlin',
  });
  assert.deepEqual(parseWindowFlag('22:00-4:00', 'America/New_York'), {
    days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    start: '22:00',
    end: '04:00',
    timeZone: 'America/New_York',
  });
  assert.throws(() => parseWindowFlag('sat'), /--window: "sat" is not a window; expected/);
  assert.throws(() => parseWindowFlag('02:00'), /--window: "02:00" is not a time range/);
  assert.throws(() => parseWindowFlag('sat 02:00-06:00 UTC extra'), /is not a window/);
});

void test('calendar times become Temporal calendar specs, keeping the text as the comment', () => {
  assert.deepEqual(parseCalendarFlag('sat 02:30'), {
    dayOfWeek: ['SATURDAY'],
    hour: 2,
    minute: 30,
    comment: 'sat 02:30',
  });
  assert.deepEqual(parseCalendarFlag('03:00'), { dayOfWeek: '*', hour: 3, minute: 0, comment: '03:00' });
  assert.throws(() => parseCalendarFlag('sat 2pm'), /--calendar: "2pm" is not a 24-hour time/);
  assert.throws(() => parseCalendarFlag('every sat 02:00'), /--calendar: "every sat 02:00" is not a calendar time/);
});

void test('time zones are checked', () => {
  assert.equal(timeZoneFlag('--timezone', 'Asia/Tokyo'), 'Asia/Tokyo');
  assert.throws(
    () => timeZoneFlag('--timezone', 'Europe/Atlantis'),
    /--timezone: unknown time zone "Europe\/Atlantis"/,
  );
});
