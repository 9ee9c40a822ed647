/**
 * The target side of `plan`: resolves what a rollout of the spec would upgrade to (gallery index
 * and registry, or the explicit flags), as the rollout's first step does, and compares every
 * discovered node with it: who gets the upgrade and who is already up to date.
 */
import type { RolloutSpec } from '../domain/spec.js';
import {
  buildFor,
  compareNodes,
  type Build,
  type InstalledBuild,
  type NodeComparison,
  type UpgradeTarget,
} from '../domain/upgrade-target.js';
import { GalleryIndexError, resolveTarget } from '../gallery/index.js';
import { InvalidReferenceError, OciClient, OciError } from '../oci/index.js';
import { InvalidSpecError } from './errors.js';

/** What a node of the plan is compared against, and the outcome. */
export interface PlannedComparison {
  /** The build the node must reach (its concrete's for a meta backend). */
  target?: Build;
  /** The node already runs the target. */
  matches: boolean;
  /** The node gets the upgrade (it does not match, or `force`). */
  upgrade: boolean;
  /** The field that decided: `version`, `digest`, `uri`, or `none`. */
  decidedBy: string;
  /** A readable sentence, e.g. `digest sha256:ab… ≠ target sha256:cd…`. */
  detail: string;
}

/**
 * The rollout's target as the rollout would resolve it now; `undefined` when nothing names one.
 * @throws InvalidSpecError (field `target`) when the index, the entry or the registry fails; the message names which.
 */
export async function resolvePlanTarget(spec: RolloutSpec, oci?: OciClient): Promise<UpgradeTarget | undefined> {
  if (spec.target !== undefined) return spec.target;
  try {
    return await resolveTarget(
      {
        backend: spec.backend,
        galleries: spec.galleries,
        index: spec.index,
        uri: spec.uri,
        targetVersion: spec.targetVersion,
        targetDigest: spec.targetDigest,
      },
      { oci: oci ?? new OciClient() },
    );
  } catch (err) {
    if (err instanceof OciError || err instanceof GalleryIndexError || err instanceof InvalidReferenceError) {
      const message = `cannot resolve the target: ${err.message}`;
      throw new InvalidSpecError(message, [{ path: 'target', message }]);
    }
    throw err;
  }
}

/** Compares every node with the target, keyed by node id. */
export function comparePlanNodes(
  nodes: readonly { id: string; installed: InstalledBuild; concrete?: string | undefined }[],
  target: UpgradeTarget,
  force: boolean,
): Map<string, PlannedComparison> {
  const concreteOf = new Map(nodes.map((n) => [n.id, n.concrete]));
  return new Map(
    compareNodes(nodes, target, force).map((c: NodeComparison) => {
      const build = buildFor(target, concreteOf.get(c.id));
      const planned: PlannedComparison = {
        matches: c.matches,
        upgrade: c.upgrade,
        decidedBy: c.decidedBy,
        detail: c.detail,
      };
      if (build !== undefined) planned.target = build;
      return [c.id, planned];
    }),
  );
}
