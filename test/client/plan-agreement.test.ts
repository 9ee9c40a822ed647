import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dryRunPlan } from '../../src/client/plan.js';
import {
  DiscoverySkip,
  NodeState,
  parseRolloutSpec,
  selectTargets,
  TargetSource,
  type DiscoveryAnswers,
  type RolloutSpecInput,
  type UpgradeTarget,
} from '../../src/domain/index.js';
import { planFromDiscovery } from '../../src/workflows/plan-nodes.js';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const TARGET: UpgradeTarget = { source: TargetSource.Explicit, digest: NEW, resolvedAt: '2026-12-01T00:00:00.000Z' };

const zones = ['eu', 'us', 'ap'];
const inventory = Array.from({ length: 24 }, (_, i) => ({
  id: `gpu-${String(i).padStart(2, '0')}`,
  labels: { zone: zones[i % 3] ?? '' },
  ...(i % 5 === 0 ? {} : { replicas: 1 + (i % 4) }),
}));

/** One fleet's discovery answers, in the scrambled order replies arrive in. */
const discovered: DiscoveryAnswers = {
  found: inventory
    .filter((_, i) => i % 7 !== 3)
    .map((n, i) => ({
      id: n.id,
      installed: { digest: i % 4 === 1 ? NEW : OLD, installedAt: '2026-11-01T00:00:00Z' },
      ...(n.replicas === undefined ? (i % 2 === 0 ? { replicas: 2 } : { replicasUnknown: true }) : {}),
    }))
    .reverse(),
  skipped: inventory
    .filter((_, i) => i % 7 === 3)
    .map((n, i) =>
      i % 2 === 0
        ? { id: n.id, kind: DiscoverySkip.Unreachable, reason: 'no responders' }
        : { id: n.id, kind: DiscoverySkip.NotInstalled, reason: 'llama-cpp is not installed on this node' },
    )
    .reverse(),
};

const cases: { name: string; input: Partial<RolloutSpecInput>; target?: UpgradeTarget }[] = [
  { name: 'canary and a ramp, with a target', input: { canary: { nodes: 2 }, batches: [1, '25%'] }, target: TARGET },
  { name: 'a target and force', input: { batches: ['50%'], force: true }, target: TARGET },
  {
    name: 'no target, exclusions and budgets',
    input: { exclude: ['gpu-04', 'gpu-09'], batches: [3], maxUnavailable: '30%', maxFailures: '10%' },
  },
];

for (const c of cases) {
  void test(`plan and the rollout workflow plan the same fleet alike: ${c.name}`, () => {
    const parsed = parseRolloutSpec({
      backend: 'llama-cpp',
      inventory,
      ...c.input,
      ...(c.target ? { target: c.target } : {}),
    });
    if (!parsed.ok) throw new Error(parsed.message);
    const spec = parsed.spec;
    const selection = selectTargets(spec);

    const dry = dryRunPlan(spec, selection, discovered, spec.target, Date.parse('2026-12-01T00:00:00Z'));
    const run = planFromDiscovery(spec, selection, discovered, () => true);

    assert.deepEqual(
      dry.waves.map((w) => ({ kind: w.kind, ids: w.nodes.map((n) => n.id) })),
      run.waves,
    );
    assert.ok(run.waves.length > 1, 'the case plans more than one wave');
    assert.deepEqual(
      dry.upToDate.map((n) => n.id),
      run.nodes.filter((n) => n.state === NodeState.UpToDate).map((n) => n.id),
    );
    assert.deepEqual(dry.skipped, run.skipped);
    assert.ok(dry.skipped.length >= 3, 'the case leaves nodes out');
    assert.equal(dry.replicaBudget, run.replicaBudget);
    assert.equal(dry.allowedFailures, run.allowedFailures);
    assert.equal(
      dry.totalReplicas,
      run.nodes.filter((n) => n.state !== NodeState.UpToDate).reduce((sum, n) => sum + n.replicas, 0),
    );
    const dryNodes = dry.waves.flatMap((w) => w.nodes);
    assert.deepEqual(
      dryNodes.map((n) => [n.id, n.replicas, n.replicasUnknown === true]),
      run.nodes
        .filter((n) => n.state !== NodeState.UpToDate)
        .map((n) => [n.id, n.replicas, n.replicasUnknown === true]),
    );
    for (const node of run.nodes)
      assert.equal(run.waves[node.wave]?.ids.includes(node.id) ?? false, node.state === NodeState.Pending);
  });
}
