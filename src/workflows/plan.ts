/**
 * Discovery and planning inside the workflow: select targets (pure), refuse colliding subject
 * tokens, ask the nodes (`discoverTargets`, in chunks so no payload grows past Temporal's limits),
 * then plan the waves (pure).
 */
import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import { allowedFailures, replicaBudget } from '../domain/budget.js';
import { FailureType } from '../domain/failures.js';
import { NodeState } from '../domain/node-state.js';
import { planWaves } from '../domain/planner.js';
import type { RolloutSpec } from '../domain/spec.js';
import { describeTokenCollision, findTokenCollisions, selectTargets } from '../domain/targets.js';
import { buildFor, compareNodes, type UpgradeTarget } from '../domain/upgrade-target.js';
import { nodeToken, SubjectTokenError } from '../protocol/subjects.js';
import type { DiscoveredNode, DiscoverOutput, RolloutActivities, TargetCheck } from '../activities/index.js';
import type { NodeStatus } from './status.js';
import { summarised } from './summaries.js';

/**
 * Patch id of the rule for nodes of unknown replica count (no `models.running`, no inventory
 * value): they start only while no replica is down, and nothing starts while one is down.
 * Histories recorded before it counted such nodes as serving 0 replicas.
 */
export const UNKNOWN_REPLICAS_PATCH = 'unknown-replicas-alone';

/** Node ids per `discoverTargets` call. */
export const DISCOVERY_CHUNK = 500;
/** Discovery calls in flight at once. */
const DISCOVERY_PARALLEL = 4;

export interface Plan {
  nodes: NodeStatus[];
  waves: { kind: string; ids: string[] }[];
  skipped: { id: string; reason: string }[];
  replicaBudget: number;
  allowedFailures: number;
}

/** Refuses ids that cannot be subject tokens and ids that would address the same subscriber. */
export function checkTokens(ids: readonly string[]): void {
  for (const id of ids) {
    try {
      nodeToken(id);
    } catch (err) {
      if (err instanceof SubjectTokenError) {
        throw ApplicationFailure.nonRetryable(
          `node id ${JSON.stringify(id)} cannot be a NATS subject token: ${err.message}`,
          FailureType.InvalidTargets,
        );
      }
      throw err;
    }
  }
  const collisions = findTokenCollisions(ids, nodeToken);
  if (collisions.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `refusing the plan: ${collisions.map(describeTokenCollision).join('; ')}`,
      FailureType.InvalidTargets,
    );
  }
}

export async function discoverAndPlan(spec: RolloutSpec): Promise<Plan> {
  const { targets, excluded } = selectTargets(spec);
  checkTokens(targets.map((t) => t.id));
  const discoverTargets = summarised(
    proxyActivities<RolloutActivities>({
      startToCloseTimeout: 10 * 60_000,
      heartbeatTimeout: 60_000,
      retry: { maximumAttempts: 3, initialInterval: 1_000 },
    }).discoverTargets,
    (i) => `discover ${i.nodeIds.length} nodes (${i.nodeIds[0] ?? ''}${i.nodeIds.length > 1 ? ' …' : ''})`,
  );
  const chunks: string[][] = [];
  for (let i = 0; i < targets.length; i += DISCOVERY_CHUNK)
    chunks.push(targets.slice(i, i + DISCOVERY_CHUNK).map((t) => t.id));
  const knownReplicas = new Map(
    targets.filter((t) => t.replicas !== undefined).map((t) => [t.id, t.replicas as number]),
  );
  const results: DiscoverOutput[] = [];
  for (let i = 0; i < chunks.length; i += DISCOVERY_PARALLEL) {
    const batch = chunks.slice(i, i + DISCOVERY_PARALLEL);
    results.push(
      ...(await Promise.all(
        batch.map((ids) =>
          discoverTargets({
            backend: spec.backend,
            nodeIds: ids,
            askReplicas: ids.filter((id) => !knownReplicas.has(id)),
            ...(spec.target?.concretes !== undefined ? { concretes: Object.keys(spec.target.concretes) } : {}),
          }),
        ),
      )),
    );
  }
  const found = new Map(results.flatMap((r) => r.found).map((f) => [f.id, f]));
  const skipped = [
    ...excluded.map((e) => ({ id: e.id, reason: e.reason })),
    ...results.flatMap((r) => r.skipped).map((s) => ({ id: s.id, reason: `${s.kind}: ${s.reason}` })),
  ];
  const kept = targets.filter((t) => found.has(t.id));
  // With a known target, nodes that already run it are not upgraded (unless forced).
  const comparisons = new Map(
    spec.target === undefined
      ? []
      : compareNodes(
          kept.map((t) => found.get(t.id) as DiscoveredNode),
          spec.target,
          spec.force === true,
        ).map((c) => [c.id, c]),
  );
  const toUpgrade = kept.filter((t) => comparisons.get(t.id)?.upgrade !== false);
  const waves = planWaves(
    toUpgrade.map((t) => t.id),
    { canaryNodes: spec.canary?.nodes, batches: spec.batches },
  );
  const waveOf = new Map<string, number>();
  waves.forEach((w, index) => w.nodeIds.forEach((id) => waveOf.set(id, index)));
  const nodes: NodeStatus[] = kept.map((t) => {
    const discovered = found.get(t.id);
    const node: NodeStatus = {
      id: t.id,
      name: t.name,
      zone: t.zone,
      wave: waveOf.get(t.id) ?? 0,
      replicas: knownReplicas.get(t.id) ?? discovered?.replicas ?? 0,
      state: NodeState.Pending,
      attempts: 0,
      fallback: false,
      before: discovered?.installed ?? {},
    };
    const comparison = comparisons.get(t.id);
    if (spec.target !== undefined && comparison !== undefined) {
      const build = buildFor(spec.target, discovered?.concrete);
      if (build !== undefined) node.target = build;
      if (discovered?.concrete !== undefined) node.concrete = discovered.concrete;
      if (!comparison.upgrade) node.state = NodeState.UpToDate;
      node.steps = [
        `${comparison.upgrade ? (comparison.matches ? 'forced: ' : 'to upgrade: ') : 'up to date: '}${comparison.detail}`,
      ];
    }
    if (discovered?.replicasUnknown === true && !knownReplicas.has(t.id) && patched(UNKNOWN_REPLICAS_PATCH)) {
      node.replicasUnknown = true;
      node.steps = [
        ...(node.steps ?? []),
        'replica count unknown (no models.running, no inventory value): upgraded only while no other replica is down',
      ];
    }
    return node;
  });
  const totalReplicas = nodes.reduce((sum, n) => sum + (n.state === NodeState.UpToDate ? 0 : n.replicas), 0);
  return {
    nodes,
    waves: waves.map((w) => ({ kind: w.kind, ids: w.nodeIds })),
    skipped,
    replicaBudget: replicaBudget(totalReplicas, spec.maxUnavailable),
    allowedFailures: allowedFailures(toUpgrade.length, spec.maxFailures),
  };
}

/** Resolves the rollout's target (gallery index + registry, or explicit flags) before discovery. */
export async function resolveTarget(spec: RolloutSpec): Promise<UpgradeTarget | undefined> {
  const names = spec.index !== undefined || spec.galleries !== undefined || spec.uri !== undefined;
  if (!names && spec.targetVersion === undefined && spec.targetDigest === undefined) return undefined;
  const resolveRolloutTarget = summarised(
    proxyActivities<RolloutActivities>({
      startToCloseTimeout: 5 * 60_000,
      retry: { maximumAttempts: 3, initialInterval: 2_000, nonRetryableErrorTypes: [FailureType.TargetUnresolved] },
    }).resolveRolloutTarget,
    () => `resolve the target of ${spec.backend}`,
  );
  const out = await resolveRolloutTarget({
    backend: spec.backend,
    galleries: spec.galleries,
    index: spec.index,
    uri: spec.uri,
    targetVersion: spec.targetVersion,
    targetDigest: spec.targetDigest,
  });
  return out.target;
}

/**
 * The end of a rollout that upgraded nothing: every node already ran the target ("nothing to
 * do", a success) or every candidate was left out (a failure, with the reasons). `undefined` otherwise.
 */
export function finishMessage(
  s: { nodes: readonly NodeStatus[]; skippedAtDiscovery: readonly { id: string; reason: string }[] },
  spec: RolloutSpec,
): { failed: boolean; message: string } | undefined {
  const upToDate = s.nodes.filter((n) => n.state === NodeState.UpToDate).length;
  if (s.nodes.length > 0 && upToDate === s.nodes.length) {
    return { failed: false, message: `nothing to do: all ${upToDate} nodes already run the target` };
  }
  if (s.nodes.length === 0 && s.skippedAtDiscovery.length > 0) {
    const reasons = s.skippedAtDiscovery
      .slice(0, 5)
      .map((k) => `${k.id}: ${k.reason}`)
      .join('; ');
    const more = s.skippedAtDiscovery.length > 5 ? ` (and ${s.skippedAtDiscovery.length - 5} more)` : '';
    return {
      failed: true,
      message: `nothing upgraded: every candidate of ${spec.backend} was left out: ${reasons}${more}`,
    };
  }
  return undefined;
}

/** What verification compares a node against: its target build, the explicit uri, its concrete backend. */
export function targetCheckOf(node: NodeStatus, spec: RolloutSpec): TargetCheck {
  const check: TargetCheck = {};
  if (node.target !== undefined) check.target = node.target;
  if (spec.uri !== undefined) check.uri = spec.uri;
  if (node.concrete !== undefined) check.concrete = node.concrete;
  return check;
}
