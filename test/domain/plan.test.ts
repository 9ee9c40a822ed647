import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildPlan,
  DiscoverySkip,
  isUpToDate,
  parseRolloutSpec,
  selectTargets,
  TargetSource,
  type DiscoveryAnswers,
  type RolloutSpec,
  type RolloutSpecInput,
  type UpgradeTarget,
} from '../../src/domain/index.js';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const TARGET: UpgradeTarget = { source: TargetSource.Explicit, digest: NEW, resolvedAt: '2026-12-01T00:00:00.000Z' };

function specOf(input: Partial<RolloutSpecInput>): RolloutSpec {
  const parsed = parseRolloutSpec({ backend: 'llama-cpp', ...input });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.spec;
}

function plan(input: Partial<RolloutSpecInput>, discovered: DiscoveryAnswers, target?: UpgradeTarget) {
  const spec = specOf(input);
  return buildPlan({ spec, ...selectTargets(spec), discovered, target });
}

const inventory = [
  { id: 'c', labels: { zone: 'b' }, replicas: 2 },
  { id: 'a', labels: { zone: 'a' }, replicas: 1 },
  { id: 'b', labels: { zone: 'a' } },
  { id: 'd', labels: { zone: 'b' }, replicas: 3 },
  { id: 'e', labels: { zone: 'c' }, replicas: 1 },
];

void test('buildPlan keeps the nodes that report the backend, in planning order, and plans their waves', () => {
  const got = plan(
    { inventory, canary: { nodes: 1 }, batches: [2] },
    {
      found: [
        { id: 'd', installed: { digest: OLD } },
        { id: 'b', installed: { digest: OLD }, replicas: 4 },
        { id: 'a', installed: { digest: OLD } },
        { id: 'c', installed: { digest: OLD } },
      ],
      skipped: [],
    },
  );
  assert.deepEqual(
    got.nodes.map((n) => [n.id, n.replicas]),
    [
      ['a', 1],
      ['b', 4],
      ['c', 2],
      ['d', 3],
    ],
  );
  assert.deepEqual(got.waves, [
    { kind: 'canary', ids: ['a'] },
    { kind: 'batch', ids: ['b', 'c'] },
    { kind: 'batch', ids: ['d'] },
  ]);
  assert.equal(got.totalReplicas, 10);
});

void test('buildPlan lists the excluded first, then what discovery left out, each in planning order', () => {
  const got = plan(
    { inventory, exclude: ['c'] },
    {
      found: [{ id: 'a', installed: {} }],
      skipped: [
        { id: 'e', kind: DiscoverySkip.Unreachable, reason: 'no responders' },
        { id: 'b', kind: DiscoverySkip.NotInstalled, reason: 'llama-cpp is not installed on this node' },
        { id: 'd', kind: DiscoverySkip.BadReply, reason: 'backend.list failed on the node: boom' },
      ],
    },
  );
  assert.deepEqual(got.skipped, [
    { id: 'c', reason: 'excluded' },
    { id: 'b', reason: 'not-installed: llama-cpp is not installed on this node' },
    { id: 'd', reason: 'bad-reply: backend.list failed on the node: boom' },
    { id: 'e', reason: 'unreachable: no responders' },
  ]);
});

void test('buildPlan leaves nodes on the target out of the waves and the budgets, unless forced', () => {
  const discovered: DiscoveryAnswers = {
    found: [
      { id: 'a', installed: { digest: NEW } },
      { id: 'c', installed: { digest: OLD } },
      { id: 'd', installed: { digest: OLD } },
    ],
    skipped: [],
  };
  const got = plan({ inventory, maxUnavailable: '50%', maxFailures: 1 }, discovered, TARGET);
  assert.deepEqual(
    got.nodes.filter(isUpToDate).map((n) => n.id),
    ['a'],
  );
  assert.deepEqual(got.waves, [{ kind: 'batch', ids: ['c', 'd'] }]);
  assert.equal(got.totalReplicas, 5);
  assert.equal(got.replicaBudget, 2);
  assert.equal(got.allowedFailures, 1);
  assert.equal(got.nodes[0]?.comparison?.target?.digest, NEW);
  assert.equal(got.drift.majorityCount, 2);

  const forced = plan({ inventory, force: true }, discovered, TARGET);
  assert.deepEqual(forced.nodes.filter(isUpToDate), []);
  assert.deepEqual(forced.waves, [{ kind: 'batch', ids: ['a', 'c', 'd'] }]);
  assert.equal(forced.nodes[0]?.comparison?.matches, true);
});

void test('buildPlan marks a node of unknown replica count only when the inventory does not say', () => {
  const got = plan(
    { inventory },
    {
      found: [
        { id: 'a', installed: {}, replicasUnknown: true },
        { id: 'b', installed: {}, replicasUnknown: true, legacy: true },
      ],
      skipped: [],
    },
  );
  assert.deepEqual(
    got.nodes.map((n) => [n.id, n.replicas, n.replicasUnknown, n.legacy]),
    [
      ['a', 1, undefined, undefined],
      ['b', 0, true, true],
    ],
  );
});
