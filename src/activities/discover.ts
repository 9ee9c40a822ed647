/**
 * `discoverTargets`: discovery (`src/nats/discovery.ts`) as an activity, heartbeating as nodes
 * answer, and asking a node that does not answer again for {@link DISCOVERY_GRACE_MS}.
 */
import { Context } from '@temporalio/activity';
import { discoverNodes } from '../nats/discovery.js';
import type { ActivityDeps } from './deps.js';
import type { DiscoverInput, DiscoverOutput } from './types.js';

/** How long the `discoverTargets` activity keeps asking a node that does not answer. */
export const DISCOVERY_GRACE_MS = 60_000;

export function makeDiscoverTargets(deps: ActivityDeps) {
  return async function discoverTargets(input: DiscoverInput): Promise<DiscoverOutput> {
    const activity = Context.current();
    return await discoverNodes(
      {
        nc: deps.nc,
        log: deps.log,
        ...(deps.listTimeoutMs !== undefined ? { listTimeoutMs: deps.listTimeoutMs } : {}),
        unreachableGraceMs: deps.discoveryGraceMs ?? DISCOVERY_GRACE_MS,
        onProgress: (done) => activity.heartbeat({ discovered: done }),
      },
      input,
    );
  };
}
