/** The documented `status --json` document, and live progress decoded from heartbeat details. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPayloadConverter } from '@temporalio/common';
import { liveProgressOf, type PendingActivity, type RolloutSnapshot } from '../../src/client/status.js';
import { StatusJsonSchema, toStatusJson } from '../../src/client/status-json.js';
import type { RolloutStatus } from '../../src/workflows/status.js';

const status: RolloutStatus = {
  backend: 'llama-cpp',
  phase: 'running',
  message: 'upgrading wave 1/2',
  counts: { total: 2, pending: 1, inFlight: 1, succeeded: 0, failed: 0, skipped: 0, unknown: 0 },
  progressPct: 0,
  currentWave: 0,
  waves: 2,
  maxParallel: 1,
  replicasDown: 2,
  replicaBudget: 2,
  allowedFailures: 0,
  startedAt: Date.UTC(2025, 0, 1),
  skippedAtDiscovery: [{ id: 'gpu-9', reason: 'excluded' }],
  continueAsNewCount: 0,
  nodes: [
    {
      id: 'gpu-1',
      name: 'gpu-1',
      zone: 'eu',
      wave: 0,
      replicas: 2,
      state: 'upgrading',
      attempts: 1,
      fallback: true,
      opId: 'op-1',
      startedAt: Date.UTC(2025, 0, 1, 0, 0, 1),
      before: { version: 'v1.0.0' },
      steps: ['attempt 1'],
    },
    { id: 'gpu-2', name: 'gpu-2', zone: 'eu', wave: 1, replicas: 0, state: 'pending', attempts: 0, fallback: false },
  ],
};

void test('a snapshot renders to a document that parses against the schema, with nulls for unknowns', () => {
  const snapshot: RolloutSnapshot = {
    workflowId: 'rollout:llama-cpp',
    runId: 'run-1',
    execution: 'RUNNING',
    status,
    live: { 'gpu-1': { nodeId: 'gpu-1', activity: 'upgradeNode', pct: 40, at: 1 } },
  };
  const doc = StatusJsonSchema.parse(toStatusJson(snapshot, 'http://ui/x'));
  assert.equal(doc.execution, 'running');
  assert.deepEqual(doc.wave, { current: 1, total: 2 });
  assert.equal(doc.waiting, null);
  assert.equal(doc.finishedAt, null);
  assert.equal(doc.startedAt, '2025-01-01T00:00:00.000Z');
  const [first, second] = doc.nodes;
  assert.deepEqual(
    [first?.wave, first?.live, first?.fallback, first?.installedBefore, first?.durationMs],
    [1, true, true, 'v1.0.0', null],
  );
  assert.deepEqual(
    [second?.live, second?.pct, second?.error, second?.startedAt, second?.steps],
    [false, null, null, null, []],
  );
  assert.deepEqual(doc.replicas, { down: 2, budget: status.replicaBudget, total: 2 }, 'total: every targeted replica');
  assert.equal(second?.replicasRestored, null);
});

void test('the target renders with where it came from; a rollout without one has target null', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const withTarget: RolloutStatus = {
    ...status,
    counts: { ...status.counts, upToDate: 2 },
    target: {
      source: 'gallery',
      gallery: 'file:///srv/index.yaml',
      entry: 'cpu-llama-cpp',
      uri: 'quay.io/go-skynet/local-ai-backends:latest-cpu-llama-cpp',
      digest,
      resolvedAt: '2025-01-01T00:00:00.000Z',
    },
    nodes: status.nodes.map((n) => ({ ...n, target: { digest, uri: 'quay.io/x:latest' } })),
  };
  const doc = StatusJsonSchema.parse(
    toStatusJson({ workflowId: 'w', runId: 'r', execution: 'RUNNING', status: withTarget, live: {} }),
  );
  assert.deepEqual(doc.target, {
    version: null,
    digest,
    uri: 'quay.io/go-skynet/local-ai-backends:latest-cpu-llama-cpp',
    source: 'gallery',
    description: `digest sha256:abababababab, uri quay.io/go-skynet/local-ai-backends:latest-cpu-llama-cpp (gallery entry cpu-llama-cpp of file:///srv/index.yaml)`,
    gallery: 'file:///srv/index.yaml',
    entry: 'cpu-llama-cpp',
    concretes: null,
    resolvedAt: '2025-01-01T00:00:00.000Z',
  });
  assert.equal(doc.counts.upToDate, 2);
  assert.deepEqual(
    doc.nodes.map((n) => n.target),
    [digest, digest],
  );
  const meta = toStatusJson({
    workflowId: 'w',
    runId: 'r',
    execution: 'RUNNING',
    status: {
      ...status,
      target: { source: 'gallery', entry: 'llama-cpp', concretes: { 'cpu-llama-cpp': { digest } } },
    },
    live: {},
  });
  assert.deepEqual(StatusJsonSchema.parse(meta).target?.concretes, {
    'cpu-llama-cpp': { version: null, digest, uri: null },
  });

  const none = StatusJsonSchema.parse(
    toStatusJson({ workflowId: 'w', runId: 'r', execution: 'RUNNING', status, live: {} }),
  );
  assert.equal(none.target, null);
  assert.equal(none.counts.upToDate, 0, 'rollouts older than the up-to-date count show 0');
  assert.deepEqual(
    none.nodes.map((n) => n.target),
    [null, null],
  );
  assert.equal(StatusJsonSchema.safeParse({ ...doc, target: { ...doc.target, extra: 1 } }).success, false);
});

void test('the schema refuses unknown keys and phases', () => {
  const doc = toStatusJson({ workflowId: 'w', runId: 'r', execution: 'COMPLETED', status, live: {} });
  assert.equal(StatusJsonSchema.safeParse({ ...doc, extra: 1 }).success, false);
  assert.equal(StatusJsonSchema.safeParse({ ...doc, phase: 'done' }).success, false);
});

void test('heartbeat details decode into live progress per node; undecodable details are ignored', () => {
  const pending = (details: unknown, name = 'upgradeNode'): PendingActivity => ({
    activityType: { name },
    heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload(details)] },
  });
  const live = liveProgressOf([
    pending({ nodeId: 'gpu-1', pct: 10, phase: 'downloading', at: 1 }),
    pending({ nodeId: 'gpu-1', pct: 55, phase: 'extracting', at: 2 }, 'verifyNode'),
    pending({ nodeId: 'gpu-2', at: 3 }),
    pending({ discovered: 50 }, 'discoverTargets'),
    { activityType: { name: 'upgradeNode' } },
  ]);
  assert.deepEqual(live, {
    'gpu-1': { nodeId: 'gpu-1', activity: 'verifyNode', pct: 55, phase: 'extracting', at: 2 },
    'gpu-2': { nodeId: 'gpu-2', activity: 'upgradeNode', at: 3 },
  });
});
