/**
 * The target side of `plan`: resolves what a rollout of the spec would upgrade to (gallery index
 * and registry, or the explicit flags), as the rollout's first step does. The nodes are compared
 * with it by the domain's plan.
 */
import type { RolloutSpec } from '../domain/spec.js';
import { targetRequestOf, type UpgradeTarget } from '../domain/upgrade-target.js';
import { GalleryIndexError, resolveTarget } from '../gallery/index.js';
import { InvalidReferenceError, OciClient, OciError } from '../oci/index.js';
import { InvalidSpecError } from './errors.js';

/**
 * The rollout's target as the rollout would resolve it now; `undefined` when nothing names one.
 * @throws InvalidSpecError (field `target`) when the index, the entry or the registry fails; the message names which.
 */
export async function resolvePlanTarget(spec: RolloutSpec, oci?: OciClient): Promise<UpgradeTarget | undefined> {
  if (spec.target !== undefined) return spec.target;
  try {
    return await resolveTarget(targetRequestOf(spec), { oci: oci ?? new OciClient() });
  } catch (err) {
    if (err instanceof OciError || err instanceof GalleryIndexError || err instanceof InvalidReferenceError) {
      const message = `cannot resolve the target: ${err.message}`;
      throw new InvalidSpecError(message, [{ path: 'target', message }]);
    }
    throw err;
  }
}
