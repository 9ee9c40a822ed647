/**
 * The rollout spec of `plan` and `start` when a LocalAI frontend is the inventory: the flags'
 * spec with the frontend's healthy nodes as its inventory, checked whole; the frontend's other
 * nodes are returned with the reason they are left out.
 */
import { readFrontendFleet, type FrontendFleet } from '../client/frontend-plan.js';
import type { CheckedRolloutSpec } from '../client/spec-check.js';
import { createFrontendClient, FrontendError } from '../frontend/index.js';
import { UsageError } from './exit.js';
import { frontendConfigFromFlags, type LocalAiFlagValues } from './localai-flags.js';
import { checkedSpecFromFlags, checkSpecOfFlags, specFromFlags, type RolloutFlagValues } from './spec-flags.js';

/** The spec (checked once, here), and the frontend's registry when `--localai-url` (or `LOCALAI_URL`) is given. */
export interface SpecWithFrontend {
  spec: CheckedRolloutSpec;
  fleet?: FrontendFleet;
}

/**
 * Maps the flags to a spec; with a frontend, reads its registry and uses the healthy nodes as
 * the inventory.
 * @throws UsageError naming the flag, or saying which frontend credential is wrong.
 */
export async function specWithFrontend(
  values: RolloutFlagValues & LocalAiFlagValues,
  env: NodeJS.ProcessEnv,
): Promise<SpecWithFrontend> {
  const config = frontendConfigFromFlags(values, env);
  if (config === undefined) return { spec: checkedSpecFromFlags(values) };
  const raw = specFromFlags(values);
  if (raw.inventory !== undefined)
    throw new UsageError('--inventory and --localai-url: give one inventory source, not both');
  let read: Awaited<ReturnType<typeof readFrontendFleet>>;
  try {
    read = await readFrontendFleet(createFrontendClient(config), raw);
  } catch (err) {
    if (err instanceof FrontendError) throw new UsageError(err.message);
    throw err;
  }
  if (read.spec.inventory?.length === 0)
    throw new UsageError(
      `--localai-url: the frontend lists no healthy node (${read.fleet.nodes.length} registered); approve or resume nodes there first`,
    );
  return { spec: checkSpecOfFlags(read.spec), fleet: read.fleet };
}
