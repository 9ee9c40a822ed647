import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRolloutSpec, WEEKDAYS } from '../../src/domain/index.js';

const base = { backend: 'llama-cpp', nodes: ['node-1'] };

void test('parseRolloutSpec: applies every default', () => {
  const result = parseRolloutSpec(base);
  assert.ok(result.ok, result.ok ? '' : result.message);
  assert.deepEqual(result.spec, {
    backend: 'llama-cpp',
    nodes: ['node-1'],
    maxParallel: 1,
    maxUnavailable: { kind: 'percent', value: 25 },
    healthyDeadline: 30 * 60_000,
    minHealthyTime: 10_000,
    progressDeadline: 60 * 60_000,
    maxFailures: { kind: 'count', value: 0 },
    onFailure: 'halt',
    upgradeTimeout: 15 * 60_000,
    startCheck: true,
    replicaReadyTimeout: 5 * 60_000,
    unreachableGrace: 3 * 60_000,
    drainGrace: 30_000,
    maxAttempts: 3,
  });
});

const acceptedCases: { name: string; input: Record<string, unknown>; check: Record<string, unknown> }[] = [
  {
    name: 'durations as strings become milliseconds',
    input: { healthyDeadline: '1h30m', minHealthyTime: '500ms', unreachableGrace: '45s' },
    check: { healthyDeadline: 5_400_000, minHealthyTime: 500, unreachableGrace: 45_000 },
  },
  {
    name: 'a frontend with its drain grace',
    input: { frontend: { url: 'http://localai:8080' }, drainGrace: '5s' },
    check: { frontend: { url: 'http://localai:8080' }, drainGrace: 5_000 },
  },
  {
    name: 'durations as numbers are milliseconds',
    input: { upgradeTimeout: 90_000 },
    check: { upgradeTimeout: 90_000 },
  },
  {
    name: 'counts and percentages',
    input: { maxUnavailable: 2, maxFailures: '10%', batches: [1, '10%', '50%'] },
    check: {
      maxUnavailable: { kind: 'count', value: 2 },
      maxFailures: { kind: 'percent', value: 10 },
      batches: [
        { kind: 'count', value: 1 },
        { kind: 'percent', value: 10 },
        { kind: 'percent', value: 50 },
      ],
    },
  },
  {
    name: 'canary promote defaults to manual',
    input: { canary: { nodes: 2 } },
    check: { canary: { nodes: 2, promote: 'manual' } },
  },
  {
    name: 'canary promote as a duration',
    input: { canary: { nodes: 1, promote: '30m' } },
    check: { canary: { nodes: 1, promote: 1_800_000 } },
  },
  {
    name: 'window defaults: every day, UTC',
    input: { window: { start: '22:00', end: '04:00' } },
    check: { window: { days: [...WEEKDAYS], start: '22:00', end: '04:00', timeZone: 'UTC' } },
  },
  {
    name: 'window with a time zone',
    input: { window: { days: ['sat'], start: '02:00', end: '02:00', timeZone: 'America/New_York' } },
    check: { window: { days: ['sat'], start: '02:00', end: '02:00', timeZone: 'America/New_York' } },
  },
  {
    name: 'inventory with a selector instead of nodes',
    input: { nodes: undefined, inventory: [{ id: 'a', labels: { zone: 'eu' } }], selector: { zone: 'eu' } },
    check: { inventory: [{ id: 'a', labels: { zone: 'eu' } }], selector: { zone: 'eu' } },
  },
];

for (const c of acceptedCases) {
  void test(`parseRolloutSpec accepts: ${c.name}`, () => {
    const result = parseRolloutSpec({ ...base, ...c.input });
    assert.ok(result.ok, result.ok ? '' : result.message);
    for (const [key, value] of Object.entries(c.check)) {
      assert.deepEqual((result.spec as Record<string, unknown>)[key], value, key);
    }
  });
}

const refusedCases: { name: string; input: Record<string, unknown>; mentions: RegExp[] }[] = [
  { name: 'maxParallel of 0', input: { maxParallel: 0 }, mentions: [/maxParallel/] },
  {
    name: 'unknown time zone',
    input: { window: { start: '02:00', end: '04:00', timeZone: 'Mars/Olympus' } },
    mentions: [/window\.timeZone/, /time zone/],
  },
  {
    name: 'malformed clock',
    input: { window: { start: '2:00', end: '24:00' } },
    mentions: [/window\.start/, /window\.end/],
  },
  { name: 'empty days', input: { window: { days: [], start: '02:00', end: '04:00' } }, mentions: [/window\.days/] },
  { name: 'malformed duration', input: { healthyDeadline: '5 minutes' }, mentions: [/healthyDeadline/, /5 minutes/] },
  { name: 'negative duration', input: { upgradeTimeout: -5 }, mentions: [/upgradeTimeout/] },
  { name: 'malformed grace', input: { unreachableGrace: 'a while' }, mentions: [/unreachableGrace/, /a while/] },
  { name: 'malformed drain grace', input: { drainGrace: '30 secs' }, mentions: [/drainGrace/, /30 secs/] },
  { name: 'frontend URL not a URL', input: { frontend: { url: 'localai' } }, mentions: [/frontend\.url/, /URL/] },
  { name: 'percentage over 100', input: { maxUnavailable: '150%' }, mentions: [/maxUnavailable/, /150%/] },
  { name: 'malformed batch', input: { batches: ['abc'] }, mentions: [/batches\[0\]/] },
  { name: 'canary of 0 nodes', input: { canary: { nodes: 0 } }, mentions: [/canary\.nodes/] },
  { name: 'malformed canary promote', input: { canary: { nodes: 1, promote: 'soon' } }, mentions: [/canary\.promote/] },
  { name: 'backend with a space', input: { backend: 'llama cpp' }, mentions: [/backend/] },
  { name: 'galleries not a JSON array', input: { galleries: '{}' }, mentions: [/galleries/] },
  { name: 'name without uri', input: { name: 'x' }, mentions: [/uri/] },
  { name: 'no targets', input: { nodes: undefined }, mentions: [/no targets/] },
  { name: 'selector without inventory', input: { selector: { zone: 'eu' } }, mentions: [/selector/] },
  { name: 'unknown field', input: { maxParalel: 2 }, mentions: [/maxParalel/] },
  { name: 'maxAttempts over 10', input: { maxAttempts: 11 }, mentions: [/maxAttempts/] },
  { name: 'onFailure outside the choices', input: { onFailure: 'ignore' }, mentions: [/onFailure/] },
];

for (const c of refusedCases) {
  void test(`parseRolloutSpec refuses: ${c.name}`, () => {
    const result = parseRolloutSpec({ ...base, ...c.input });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.match(result.message, /^invalid rollout spec: /);
      for (const pattern of c.mentions) assert.match(result.message, pattern);
    }
  });
}

void test('parseRolloutSpec: refuses input that is not an object', () => {
  for (const input of [undefined, null, 'llama-cpp', 42, []]) assert.equal(parseRolloutSpec(input).ok, false);
});
