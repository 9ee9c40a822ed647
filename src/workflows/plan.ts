/**
 * Discovery and planning inside the workflow: select targets (pure), refuse colliding subject
 * tokens, ask the nodes (`discoverTargets`, in chunks so no payload grows past Temporal's limits),
 * then plan with the domain's `buildPlan`, the same plan `fleet-rollout plan` shows.
 */
import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import { FailureType } from '../domain/failures.js';
import { NodeState } from '../domain/node-state.js';
import { chunk } from '../domain/planner.js';
import type { RolloutSpec } from '../domain/spec.js';
import { selectTargets, tokenProblems } from '../domain/targets.js';
import { namesTarget, targetRequestOf, type UpgradeTarget } from '../domain/upgrade-target.js';
import type { TargetCheck } from '../domain/verification.js';
import { nodeToken } from '../protocol/subjects.js';
import type { DiscoverOutput, RolloutActivities } from '../activities/index.js';
import { planFromDiscovery, type Plan } from './plan-nodes.js';
import type { NodeStatus } from './status.js';
import { summarised } from './summaries.js';

export type { Plan } from './plan-nodes.js';

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

/** Refuses ids that cannot be subject tokens and ids that would address the same subscriber. */
export function checkTokens(ids: readonly string[]): void {
  const problems = tokenProblems(ids, nodeToken);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`refusing the plan: ${problems.join('; ')}`, FailureType.InvalidTargets);
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
  const chunks = chunk(
    targets.map((t) => t.id),
    DISCOVERY_CHUNK,
  );
  const unknownReplicas = new Set(targets.filter((t) => t.replicas === undefined).map((t) => t.id));
  const results: DiscoverOutput[] = [];
  for (const batch of chunk(chunks, DISCOVERY_PARALLEL)) {
    results.push(
      ...(await Promise.all(
        batch.map((ids) =>
          discoverTargets({
            backend: spec.backend,
            nodeIds: ids,
            askReplicas: ids.filter((id) => unknownReplicas.has(id)),
            ...(spec.target?.concretes !== undefined ? { concretes: Object.keys(spec.target.concretes) } : {}),
          }),
        ),
      )),
    );
  }
  const discovered = { found: results.flatMap((r) => r.found), skipped: results.flatMap((r) => r.skipped) };
  return planFromDiscovery(spec, { targets, excluded }, discovered, () => patched(UNKNOWN_REPLICAS_PATCH));
}

/** Resolves the rollout's target (gallery index + registry, or explicit flags) before discovery. */
export async function resolveTarget(spec: RolloutSpec): Promise<UpgradeTarget | undefined> {
  if (!namesTarget(spec)) return undefined;
  const resolveRolloutTarget = summarised(
    proxyActivities<RolloutActivities>({
      startToCloseTimeout: 5 * 60_000,
      retry: { maximumAttempts: 3, initialInterval: 2_000, nonRetryableErrorTypes: [FailureType.TargetUnresolved] },
    }).resolveRolloutTarget,
    () => `resolve the target of ${spec.backend}`,
  );
  const out = await resolveRolloutTarget(targetRequestOf(spec));
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
