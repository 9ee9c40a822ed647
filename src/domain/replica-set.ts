/**
 * Which replicas a node must start again after its upgrade verified, from what the node said:
 * the `stopped_process_keys` of the upgrade reply (exact, but lost with the reply when the request
 * timed out or the orchestrator worker died), the `models.running` set recorded before the upgrade
 * was sent, and `models.running` now. `models.running` names no backend, so a pre-upgrade key
 * counts as this backend's only when the node stopped it: it is gone now, while the upgrade (or,
 * after the legacy fallback, a `backend.stop` of this backend) stopped nothing but this backend's
 * processes.
 */

/** What is known about a node's replicas once its upgrade verified. */
export interface ReplicaFacts {
  /** Keys the upgrade reply reported stopped; `undefined` when no reply said (lost, or a legacy worker). */
  stopped: readonly string[] | undefined;
  /** `models.running` before the upgrade was sent; `undefined` when the node does not serve it. */
  before: readonly string[] | undefined;
  /** `models.running` now; `undefined` when the node does not serve it. */
  runningNow: readonly string[] | undefined;
}

/** The keys to restore, and where they came from (shown in the node's steps). */
export interface ReplicaRestorePlan {
  /** `undefined`: nobody can say which replicas the upgrade stopped. */
  keys: string[] | undefined;
  /** The pre-upgrade keys found missing that no reply reported (0 when the reply said it all). */
  fromBefore: number;
}

/**
 * The replicas to start again: every key the reply reported, plus every pre-upgrade key that no
 * longer runs (in the pre-upgrade order, then the reported keys it did not list). Without a
 * pre-upgrade set or a `models.running` now, only the reply can say.
 */
export function replicasToRestore(facts: ReplicaFacts): ReplicaRestorePlan {
  if (facts.before === undefined || facts.runningNow === undefined)
    return { keys: facts.stopped === undefined ? undefined : [...facts.stopped], fromBefore: 0 };
  const running = new Set(facts.runningNow);
  const reported = new Set(facts.stopped ?? []);
  const missing = facts.before.filter((key) => !running.has(key));
  const keys = [...new Set([...missing, ...(facts.stopped ?? [])])];
  return { keys, fromBefore: missing.filter((key) => !reported.has(key)).length };
}

/** True when `key` is `<backend>#<digits>`: a process the legacy forced install starts without a model. */
export function isBackendProcessKey(backend: string, key: string): boolean {
  return key.startsWith(`${backend}#`) && /^\d+$/.test(key.slice(backend.length + 1));
}
