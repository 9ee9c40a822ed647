/**
 * Opt-in revert (`onFailure: revert`): after the failure budget is exceeded, nodes that were
 * upgraded are sent back to the install they had before, by `uri` when discovery recorded one.
 * Nodes without a recorded uri cannot be reverted and say so. With a LocalAI frontend each node is
 * drained around its revert like around its upgrade, and nodes held drained after a failed start
 * check are reverted too, then resumed (the old build can serve).
 */
import { proxyActivities, uuid4 } from '@temporalio/workflow';
import { NodeState } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { RolloutActivities } from '../activities/index.js';
import { DrainRefused, drainNode, drainsNodes, holdDrained, resumeOrHold, type DrainContext } from './node-drain.js';
import { upgradeActivityOptions } from './activity-options.js';
import { addStep, type RolloutState } from './rollout-state.js';

/** Reverts the succeeded nodes; returns the rollout's message saying how many were reverted. */
export async function revertNodes(state: RolloutState, spec: RolloutSpec): Promise<string> {
  const { upgradeNode } = proxyActivities<RolloutActivities>(upgradeActivityOptions(spec));
  const drains = drainsNodes(spec);
  const drainCtx: DrainContext = {
    spec,
    now: () => Date.now(),
    changed: () => void (state.version += 1),
    peers: () => state.nodes,
  };
  const upgraded = state.nodes.filter(
    (n) => n.state === NodeState.Succeeded || (drains && n.heldDrained !== undefined),
  );
  let reverted = 0;
  for (let i = 0; i < upgraded.length; i += state.maxParallel) {
    await Promise.all(
      upgraded.slice(i, i + state.maxParallel).map(async (node) => {
        const uri = node.before?.uri;
        if (uri === undefined) {
          addStep(node, 'revert impossible: discovery recorded no uri for the previous install');
          return;
        }
        const wasHeld = node.heldDrained !== undefined;
        let ok = false;
        if (drains) {
          try {
            await drainNode(node, () => undefined, drainCtx);
          } catch (err) {
            if (!(err instanceof DrainRefused)) throw err;
            addStep(node, `revert skipped: ${err.message}`);
            return;
          }
        }
        try {
          await upgradeNode({
            nodeId: node.id,
            backend: spec.backend,
            opId: uuid4(),
            timeoutMs: spec.upgradeTimeout,
            uri,
            name: spec.backend,
          });
          reverted += 1;
          ok = true;
          addStep(node, `reverted to ${node.before?.version ?? uri}`);
        } catch (err) {
          addStep(node, `revert failed: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          // A held node whose revert failed still runs the build that does not start: keep it drained.
          if (wasHeld && !ok) holdDrained(node, drainCtx);
          else await resumeOrHold(node, drainCtx, 'reverted');
        }
      }),
    );
  }
  return `failure budget exceeded: reverted ${reverted} of ${upgraded.length} upgraded nodes`;
}
