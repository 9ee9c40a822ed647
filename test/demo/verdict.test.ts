/** The demo's verdict and its staging: pure functions, no servers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRolloutSpec } from '../../src/domain/spec.js';
import { parseSimulatedNodes } from '../../src/agent/simulated/fleet.js';
import { DemoRole, demoNodes, demoSpec, simulatedNodes } from '../../src/cli/demo/scenario.js';
import { judgeDemo } from '../../src/cli/demo/verdict.js';
import type { NodeStatus, RolloutStatus } from '../../src/workflows/status.js';

const nodes = demoNodes();

function status(overrides: Record<string, Partial<NodeStatus>> = {}, phase: RolloutStatus['phase'] = 'failed') {
  const nodeStatuses: NodeStatus[] = nodes.map((n) => ({
    id: n.id,
    name: n.id,
    zone: n.zone,
    wave: 0,
    replicas: 2,
    state: n.role === DemoRole.Failing ? 'failed' : 'succeeded',
    attempts: 1,
    fallback: n.role === DemoRole.Legacy,
    ...overrides[n.id],
  }));
  return {
    backend: 'llama-cpp',
    phase,
    message: 'finished with failed nodes',
    counts: { total: 12, pending: 0, inFlight: 0, succeeded: 11, failed: 1, skipped: 0, unknown: 0 },
    progressPct: 100,
    currentWave: 1,
    waves: 2,
    maxParallel: 3,
    replicasDown: 0,
    replicaBudget: 12,
    allowedFailures: 1,
    startedAt: 0,
    skippedAtDiscovery: [],
    continueAsNewCount: 0,
    nodes: nodeStatuses,
  } satisfies RolloutStatus;
}

const idOf = (role: DemoRole): string => nodes.find((n) => n.role === role)?.id ?? '';

void test('the staging: 12 nodes in 3 zones, one legacy, one slow, one failing; a valid spec and fleet', () => {
  assert.equal(nodes.length, 12);
  assert.equal(new Set(nodes.map((n) => n.zone)).size, 3);
  for (const role of [DemoRole.Legacy, DemoRole.Slow, DemoRole.Failing]) {
    assert.equal(nodes.filter((n) => n.role === role).length, 1, role);
  }
  const spec = parseRolloutSpec(demoSpec());
  assert.ok(spec.ok, spec.ok ? '' : spec.message);
  const fleet = parseSimulatedNodes(simulatedNodes());
  const slow = fleet.find((n) => n.id === idOf(DemoRole.Slow));
  assert.ok(slow !== undefined && slow.hangMs > spec.spec.upgradeTimeout, 'the slow node outlasts the request timeout');
  assert.ok(
    fleet.every((n) => n.installMs.max < spec.spec.upgradeTimeout),
    'ordinary installs fit in the timeout',
  );
  assert.notEqual(nodes[0]?.role, DemoRole.Failing, 'the canary (first in zone order) is not the failing node');
});

void test('as designed: every node but the failing one succeeded, the legacy one by fallback', () => {
  const verdict = judgeDemo(status(), nodes);
  assert.equal(verdict.asDesigned, true, JSON.stringify(verdict.checks));
});

void test('not as designed: the failing node succeeded, an ordinary node failed, no fallback, a re-send, a halt', () => {
  const cases: [string, RolloutStatus][] = [
    ['failing node succeeded', status({ [idOf(DemoRole.Failing)]: { state: 'succeeded' } }, 'succeeded')],
    ['ordinary node failed', status({ [nodes[0]?.id ?? '']: { state: 'failed', lastError: 'boom' } })],
    ['legacy without fallback', status({ [idOf(DemoRole.Legacy)]: { fallback: false } })],
    ['slow node re-sent', status({ [idOf(DemoRole.Slow)]: { attempts: 2 } })],
    ['halted', status({}, 'halted')],
  ];
  for (const [what, s] of cases) {
    const verdict = judgeDemo(s, nodes);
    assert.equal(verdict.asDesigned, false, what);
    assert.ok(
      verdict.checks.some((c) => !c.ok),
      what,
    );
  }
  const missing = judgeDemo({ ...status(), nodes: status().nodes.slice(1) }, nodes);
  assert.equal(missing.asDesigned, false);
  assert.match(missing.checks.find((c) => !c.ok)?.text ?? '', /missing from the rollout/);
});
