/** Cron expressions and time zones, checked before they reach a Temporal Schedule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem, isTimeZone } from '../../src/client/cron.js';

const VALID = [
  '0 3 * * sat',
  '*/15 * * * *',
  '0 22 * * mon-fri',
  '30 2 1,15 * *',
  '0 0 1 jan *',
  '0 4 * * 0',
  '0 4 * * 7',
  '5-10/5 * * * *',
  '@daily',
  '@weekly',
  '@HOURLY',
];

void test('accepts classic five-field expressions and shorthands', () => {
  for (const expression of VALID) assert.equal(cronProblem(expression), undefined, expression);
});

const INVALID: [string, RegExp][] = [
  ['61 * * * *', /^minute field: 61 is outside 0-59$/],
  ['0 24 * * *', /^hour field: 24 is outside 0-23$/],
  ['0 3 0 * *', /^day-of-month field: 0 is outside 1-31$/],
  ['0 3 * 13 *', /^month field: 13 is outside 1-12$/],
  ['0 3 * * funday', /^day-of-week field: "funday" is not a number or a name$/],
  ['0 3 *', /^expected 5 fields .* got 3$/],
  ['0 3 * * * 2025', /got 6$/],
  ['*/0 * * * *', /^minute field: bad step/],
  ['10-5 * * * *', /^minute field: range "10-5" ends before it starts$/],
  ['1--2 * * * *', /^minute field: "1--2" is not a value or range/],
  ['@fortnightly', /is not a known shorthand/],
  ['', /expected 5 fields/],
];

void test('refuses malformed expressions naming the field', () => {
  for (const [expression, problem] of INVALID) assert.match(cronProblem(expression) ?? 'accepted', problem, expression);
});

void test('time zones are IANA names the runtime knows', () => {
  assert.equal(isTimeZone('Europe/Berlin'), true);
  assert.equal(isTimeZone('UTC'), true);
  assert.equal(isTimeZone('Mars/Olympus'), false);
  assert.equal(isTimeZone(''), false);
});
