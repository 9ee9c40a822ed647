/**
 * Opt-in revert (`onFailure: revert`): after the failure budget is exceeded, nodes that were
 * upgraded are sent back to the install they had before, by `uri` when discovery recorded one.
 * Nodes without a recorded uri cannot be reverted and say so.
 */
import { proxyActivities, uuid4 } from '@temporalio/workflow';
import { NodeState } from '../domain/node-state.js';
import type { RolloutSpec } from '../domain/spec.js';
import type { RolloutActivities } from '../activities/index.js';
import { upgradeActivityOptions } from './activity-options.js';
import { addStep, type RolloutState } from './rollout-state.js';

/** Reverts the succeeded nodes; returns the rollout's message saying how many were reverted. */
export async function revertNodes(state: RolloutState, spec: RolloutSpec): Promise<string> {
  const { upgradeNode } = proxyActivities<RolloutActivities>(upgradeActivityOptions(spec));
  const upgraded = state.nodes.filter((n) => n.state === NodeState.Succeeded);
  let reverted = 0;
  for (let i = 0; i < upgraded.length; i += state.maxParallel) {
    await Promise.all(
      upgraded.slice(i, i + state.maxParallel).map(async (node) => {
        const uri = node.before?.uri;
        if (uri === undefined) {
          addStep(node, 'revert impossible: discovery recorded no uri for the previous install');
          return;
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
          addStep(node, `reverted to ${node.before?.version ?? uri}`);
        } catch (err) {
          addStep(node, `revert failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  return `failure budget exceeded: reverted ${reverted} of ${upgraded.length} upgraded nodes`;
}
