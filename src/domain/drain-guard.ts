/**
 * Whether a node may be drained from a LocalAI frontend now without leaving a model with nowhere
 * to run. With every node that could serve a model drained, each request for it fails with 500,
 * and keeps failing about 15 s after resume (the frontend replays the failed load). A model whose
 * other replicas are all drained can still be served when another healthy node is not drained:
 * the frontend cold-loads it there (slower, but the request succeeds).
 */

/** The verdict for one node. */
export interface DrainVerdict {
  /** Models only this node can serve now: draining it would fail every request for them. */
  blocked: string[];
  /** Models whose other replicas are drained: after the drain they are cold-loaded on another node. */
  coldLoad: string[];
}

/**
 * Judges draining `nodeId`.
 * @param serving model names per node, as read from the frontend's rows (drain deletes them, so read before)
 * @param eligible nodes the frontend may route to (healthy), including `nodeId`
 * @param drained nodes drained now (by this rollout or anyone)
 */
export function judgeDrain(
  nodeId: string,
  serving: Readonly<Record<string, readonly string[]>>,
  eligible: readonly string[],
  drained: ReadonlySet<string>,
): DrainVerdict {
  const up = eligible.filter((id) => id !== nodeId && !drained.has(id));
  const verdict: DrainVerdict = { blocked: [], coldLoad: [] };
  for (const model of new Set(serving[nodeId] ?? [])) {
    if (up.some((id) => serving[id]?.includes(model) === true)) continue;
    (up.length > 0 ? verdict.coldLoad : verdict.blocked).push(model);
  }
  verdict.blocked.sort();
  verdict.coldLoad.sort();
  return verdict;
}

/** True when the drain leaves every model with somewhere to run. */
export function mayDrain(verdict: DrainVerdict): boolean {
  return verdict.blocked.length === 0;
}
