/**
 * The node's replica set around its upgrade: recorded from `models.running` before the upgrade is
 * sent, and compared once the upgrade verified, so the replicas it stopped are restored even when
 * the reply that named them was lost (a timeout, a worker that died mid-request, a node that
 * restarted) and, after the legacy forced install, restarted on the new build.
 */
import { isCancellation } from '@temporalio/workflow';
import { replicasToRestore } from '../domain/replica-set.js';
import type { RolloutActivities } from '../activities/index.js';
import { addStep } from './rollout-state.js';
import type { NodeStatus } from './status.js';
import type { RolloutSpec } from '../domain/spec.js';

type ReplicaActivities = Pick<RolloutActivities, 'runningReplicas' | 'stopBackendProcesses'>;

function messageOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

function listOf(keys: readonly string[]): string {
  return keys.length === 0 ? 'none' : keys.join(', ');
}

/**
 * Records `models.running` in `node.replicasBefore`. A node that does not serve it (a legacy
 * worker) or does not answer is upgraded all the same: only a reply can then say what stopped.
 */
export async function recordReplicasBefore(
  node: NodeStatus,
  changed: () => void,
  acts: ReplicaActivities,
): Promise<void> {
  try {
    const out = await acts.runningReplicas({ nodeId: node.id });
    if (out.keys === undefined) addStep(node, 'replicas before the upgrade unknown: the node serves no models.running');
    else {
      node.replicasBefore = out.keys;
      addStep(node, `replicas before the upgrade: ${out.keys.length} (${listOf(out.keys)})`);
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    addStep(node, `replicas before the upgrade unknown: models.running failed: ${messageOf(err)}`);
  }
  changed();
}

/**
 * The keys to restore once the upgrade verified (`undefined`: nobody can say). After the legacy
 * forced install, which leaves other models' processes on the old build, the backend is stopped by
 * name first, so that every replica it ran before starts again from the new build.
 */
export async function replicasOfUpgrade(
  node: NodeStatus,
  spec: RolloutSpec,
  acts: ReplicaActivities,
): Promise<string[] | undefined> {
  const before = node.replicasBefore;
  if (before === undefined) return node.fallback ? undefined : node.stoppedProcessKeys;
  if (node.fallback) {
    addStep(node, `stopping ${spec.backend} by name: the legacy install left its other replicas on the old build`);
    const out = await acts.stopBackendProcesses({
      nodeId: node.id,
      backend: spec.backend,
      readyTimeoutMs: spec.replicaReadyTimeout,
    });
    const plan = replicasToRestore({ stopped: undefined, before, runningNow: out.keys });
    if (plan.keys !== undefined) addStep(node, `replicas to start on the new build: ${listOf(plan.keys)}`);
    return plan.keys;
  }
  const out = await acts.runningReplicas({ nodeId: node.id });
  const plan = replicasToRestore({ stopped: node.stoppedProcessKeys, before, runningNow: out.keys });
  if (plan.fromBefore > 0)
    addStep(
      node,
      `${plan.fromBefore} replicas that ran before the upgrade are gone and no reply named them: restoring them too`,
    );
  return plan.keys;
}
