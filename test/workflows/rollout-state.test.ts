import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carryState, restoreNodes, type RolloutState } from '../../src/workflows/rollout-state.js';
import type { NodeStatus } from '../../src/workflows/status.js';

function stateWith(nodes: NodeStatus[]): RolloutState {
  return {
    backend: 'llama-cpp',
    discovering: false,
    outcome: undefined,
    reverting: false,
    waiting: undefined,
    message: '',
    nodes,
    byId: new Map(nodes.map((n) => [n.id, n])),
    waves: [{ kind: 'batch', ids: nodes.map((n) => n.id) }],
    currentWave: 0,
    maxParallel: 200,
    replicaBudget: 0,
    allowedFailures: 0,
    acceptedFailures: 0,
    paused: undefined,
    halted: undefined,
    aborted: false,
    promoted: false,
    promotedFull: false,
    canaryGateOpen: false,
    gateReachedAt: undefined,
    startedAt: 1,
    finishedAt: undefined,
    lastProgressAt: 1,
    skippedAtDiscovery: [],
    continueAsNewCount: 0,
    visibility: { publishedAt: -Infinity, key: '' },
    version: 0,
  };
}

function node(i: number, state: NodeStatus['state']): NodeStatus {
  return {
    id: `node-${i}`,
    name: `node-${i}`,
    zone: 'eu',
    wave: 0,
    replicas: 2,
    state,
    attempts: state === 'pending' ? 0 : 1,
    fallback: false,
    before: {
      installedAt: `2026-08-20T10:11:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}Z`,
      digest: 'sha256:38dae6ff0038dae6ff0038dae6ff0038dae6ff0038dae6ff0038dae6ff00aaaa',
      version: 'v3.5.0',
      uri: 'quay.io/go-skynet/local-ai-backends:latest-cpu-llama-cpp',
    },
  };
}

void test('carried state round-trips every node, baseline included', () => {
  const nodes = [node(1, 'succeeded'), node(2, 'failed'), node(3, 'pending')];
  nodes[1]!.lastError = 'rejected';
  const carried = carryState(stateWith(nodes));
  assert.equal(carried.records.length, 1, 'one shared install record for three nodes');
  const restored = restoreNodes(carried.nodes, carried.records);
  assert.deepEqual(
    restored.map((n) => [n.id, n.state, n.before, n.lastError]),
    nodes.map((n) => [n.id, n.state, n.before, n.lastError]),
  );
});

void test('10,000 carried nodes stay well under Temporal’s 2 MB payload limit', () => {
  const nodes = Array.from({ length: 10_000 }, (_, i) => node(i, i < 4_000 ? 'succeeded' : 'pending'));
  const bytes = JSON.stringify(carryState(stateWith(nodes))).length;
  assert.ok(bytes < 1_200_000, `${bytes} bytes`);
});

void test('a pending node of unknown replica count stays unknown across continue-as-new', () => {
  const nodes = [node(1, 'pending'), node(2, 'pending')];
  nodes[0]!.replicasUnknown = true;
  const carried = carryState(stateWith(nodes));
  const restored = restoreNodes(carried.nodes, carried.records);
  assert.deepEqual(
    restored.map((n) => [n.id, n.replicasUnknown]),
    [
      ['node-1', true],
      ['node-2', undefined],
    ],
  );
});
