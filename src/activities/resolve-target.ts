/**
 * `resolveTarget`: what the rollout upgrades to, from the gallery index and the registry (or the
 * explicit flags). Runs once at the start of a rollout and of a scheduled trigger.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../domain/failures.js';
import type { UpgradeTarget } from '../domain/upgrade-target.js';
import { GalleryIndexError, resolveTarget, type TargetRequest } from '../gallery/index.js';
import { OciClient, OciError, OciFailure, InvalidReferenceError } from '../oci/index.js';
import type { ActivityDeps } from './deps.js';

/** The activity's answer: the target, or none when nothing names one. */
export interface ResolveTargetOutput {
  target?: UpgradeTarget;
}

export function makeResolveTarget(deps: ActivityDeps) {
  const oci = new OciClient();
  return async function resolveRolloutTarget(req: TargetRequest): Promise<ResolveTargetOutput> {
    try {
      const target = await resolveTarget(req, { oci });
      deps.log.info({ backend: req.backend, target }, 'rollout target resolved');
      return target === undefined ? {} : { target };
    } catch (err) {
      if (err instanceof OciError && err.kind === OciFailure.Unreachable) {
        // Registries blink: retried by the workflow's policy, then the rollout fails with this message.
        throw ApplicationFailure.retryable(`cannot resolve the target: ${err.message}`, FailureType.ConnectionLost);
      }
      if (err instanceof OciError || err instanceof GalleryIndexError || err instanceof InvalidReferenceError) {
        throw ApplicationFailure.nonRetryable(
          `cannot resolve the target: ${err.message}`,
          FailureType.TargetUnresolved,
        );
      }
      throw err;
    }
  };
}
