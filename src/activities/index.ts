/**
 * `createActivities(deps)`: the rollout's activities bound to a NATS connection and a logger.
 * Tests hand in their own connection to a real nats-server.
 */
import type { ActivityDeps } from './deps.js';
import { makeDiscoverTargets } from './discover.js';
import { makeFrontendActivities } from './frontend.js';
import { LateReplies } from './late-replies.js';
import { makeRestoreReplicas, makeStartCheck } from './serving.js';
import { makeRunningReplicas, makeStopBackendProcesses } from './replica-set.js';
import { makeResolveTarget } from './resolve-target.js';
import { makeUpgradeNode } from './upgrade.js';
import { makeVerifyNode } from './verify.js';

export function createActivities(given: ActivityDeps) {
  // One record of late upgrade replies per worker: the upgrade that timed out and the
  // verification that reads its reply share it.
  const deps: ActivityDeps = { ...given, lateReplies: given.lateReplies ?? new LateReplies(given.nc) };
  return {
    discoverTargets: makeDiscoverTargets(deps),
    resolveRolloutTarget: makeResolveTarget(deps),
    upgradeNode: makeUpgradeNode(deps),
    verifyNode: makeVerifyNode(deps),
    ...makeFrontendActivities(deps),
    startCheck: makeStartCheck(deps),
    restoreReplicas: makeRestoreReplicas(deps),
    runningReplicas: makeRunningReplicas(deps),
    stopBackendProcesses: makeStopBackendProcesses(deps),
  };
}

/** The activity functions as the workflow sees them (import this as a type only). */
export type RolloutActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps.js';
export * from './types.js';
export * from './frontend-types.js';
export type { ResolveTargetOutput } from './resolve-target.js';
export type * from './replica-set.js';
