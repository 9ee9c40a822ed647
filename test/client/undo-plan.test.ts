/** `planUndo`: which nodes an undo sends back, to what, under which policy, and when it refuses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planUndo, type UndoInput } from '../../src/client/undo-plan.js';
import type { NodeStatus } from '../../src/workflows/status.js';

const DIGEST_OLD = `sha256:${'a'.repeat(64)}`;
const URI_OLD = 'oci://quay.io/x/llama-cpp:v1.0.0';

function node(id: string, state: NodeStatus['state'], before?: NodeStatus['before']): NodeStatus {
  const n: NodeStatus = { id, name: id, zone: 'eu', wave: 0, replicas: 1, state, attempts: 1, fallback: false };
  if (before !== undefined) n.before = before;
  if (state === 'succeeded') n.after = { version: 'v1.0.1' };
  return n;
}

const old = { version: 'v1.0.0', digest: DIGEST_OLD, uri: URI_OLD };

function input(nodes: NodeStatus[], over: Partial<UndoInput> = {}): UndoInput {
  return {
    runId: 'run-1',
    status: { backend: 'llama-cpp', phase: 'succeeded', nodes },
    spec: {
      backend: 'llama-cpp',
      nodes: nodes.map((n) => n.id),
      targetVersion: 'v1.0.1',
      index: 'file:///gallery/index.yaml',
      maxParallel: 3,
      maxUnavailable: '50%',
      canary: { nodes: 1, promote: '5m' },
      window: { start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' },
      inventory: nodes.map((n) => ({ id: n.id, labels: { zone: 'eu' }, replicas: 2 })),
      reason: 'upgrade to v1.0.1',
    },
    requestedBy: 'ops@host',
    ...over,
  };
}

void test('the nodes the run changed go back to their earlier uri, pinned by its digest, under the same policy', () => {
  const decision = planUndo(
    input(
      [node('a', 'succeeded', old), node('b', 'unknown', old), node('c', 'skipped', old), node('d', 'failed', old)],
      {
        reason: 'leaks memory',
      },
    ),
  );
  assert.ok(decision.ok, decision.ok ? '' : decision.message);
  const { plan } = decision;
  assert.deepEqual(
    plan.nodeIds,
    ['a', 'b'],
    'succeeded and caught mid-upgrade; skipped and failed nodes were not changed',
  );
  assert.deepEqual([plan.to, plan.from], ['v1.0.0', ['v1.0.1', '?']]);
  assert.deepEqual(plan.spec, {
    backend: 'llama-cpp',
    nodes: ['a', 'b'],
    uri: URI_OLD,
    name: 'llama-cpp',
    targetDigest: DIGEST_OLD,
    maxParallel: 3,
    maxUnavailable: '50%',
    canary: { nodes: 1, promote: '5m' },
    window: { start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' },
    inventory: [
      { id: 'a', labels: { zone: 'eu' }, replicas: 2 },
      { id: 'b', labels: { zone: 'eu' }, replicas: 2 },
    ],
    requestedBy: 'ops@host',
    reason: 'undo of run run-1: leaks memory',
  });
});

void test('a digest that is not a registry manifest digest is not pinned', () => {
  const decision = planUndo(input([node('a', 'succeeded', { uri: URI_OLD, digest: 'sha256:short' })]));
  assert.ok(decision.ok);
  assert.equal(decision.plan.spec.targetDigest, undefined);
  assert.equal(decision.plan.to, 'sha256:short');
});

void test('refusals say why and what to do', () => {
  const cases: [string, UndoInput, RegExp][] = [
    [
      'still running',
      input([node('a', 'upgrading', old)], { status: { backend: 'llama-cpp', phase: 'paused', nodes: [] } }),
      /^cannot undo run run-1 of llama-cpp: it is still paused; abort it first \('fleet-rollout abort llama-cpp'\)$/,
    ],
    [
      'nothing changed',
      input([node('a', 'failed', old), node('b', 'pending', old)]),
      /it changed no node \(none succeeded or was caught mid-upgrade\)$/,
    ],
    [
      'no uri recorded',
      input([node('a', 'succeeded', old), node('b', 'succeeded', { version: 'v0.9.0' }), node('c', 'succeeded')]),
      /discovery recorded no uri for the earlier install of b \(v0\.9\.0\), c \(nothing recorded\), so it cannot be named to install again; reinstall it with 'fleet-rollout start --backend llama-cpp --uri URI --nodes b,c'$/,
    ],
    [
      'different earlier installs',
      input([node('a', 'succeeded', old), node('b', 'succeeded', { version: 'v0.9.0', uri: 'oci://q/l:v0.9.0' })]),
      /its nodes had 2 different installs before it and one rollout installs one; run 'fleet-rollout start --backend llama-cpp --uri oci:\/\/quay\.io\/x\/llama-cpp:v1\.0\.0 --nodes a', then 'fleet-rollout start --backend llama-cpp --uri oci:\/\/q\/l:v0\.9\.0 --nodes b'$/,
    ],
  ];
  for (const [what, given, expected] of cases) {
    const decision = planUndo(given);
    assert.ok(!decision.ok, `${what}: refused`);
    assert.match(decision.message, expected, what);
  }
});
