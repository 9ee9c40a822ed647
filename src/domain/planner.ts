/**
 * Wave planning: splits the ordered targets into a canary wave and batches.
 *
 * A wave is a gate, not a step: the workflow finishes (or judges) one wave before starting the
 * next, and inside a wave runs at most `maxParallel` nodes at once as a sliding window, further
 * limited by the unavailability budget. That is why `maxParallel` is not an input here.
 */
import { resolveCountOrPercent, Rounding, type CountOrPercent } from './duration.js';

/** What a wave is for: the canary wave waits for promotion before the batches start. */
export const WaveKind = { Canary: 'canary', Batch: 'batch' } as const;
export type WaveKind = (typeof WaveKind)[keyof typeof WaveKind];

/** One wave of the plan. */
export interface Wave {
  /** Position in the plan, from 0; the canary wave, when there is one, is wave 0. */
  index: number;
  kind: WaveKind;
  /** Node ids in the order the workflow starts them. */
  nodeIds: string[];
}

/** The spec's ramp, as the planner needs it. */
export interface WaveOptions {
  /** Nodes in the canary wave (the spec's `canary.nodes`); capped at the number of targets. @default 0 (no canary) */
  canaryNodes?: number | undefined;
  /** Batch sizes; the last one repeats until every node is planned. @default one batch of all remaining nodes */
  batches?: readonly CountOrPercent[] | undefined;
}

/**
 * Plans the waves of a rollout over `orderedIds` (distinct ids, already in `orderNodes` order).
 *
 * Arithmetic: with `n` targets, the canary wave takes the first `min(canaryNodes, n)` ids. Each
 * batch size is resolved against `n` (the total, canary included), a percentage rounded up, and
 * never below 1. The last size repeats and the final wave holds whatever remains: with `n = 30`,
 * `[1, "10%", "50%"]` gives waves of 1, 3, 15 and 11. Without `batches` the remaining nodes form a
 * single wave. No wave is empty; no targets means no waves.
 */
export function planWaves(orderedIds: readonly string[], opts: WaveOptions): Wave[] {
  const total = orderedIds.length;
  const waves: Wave[] = [];
  const canary = Math.min(Math.max(0, Math.floor(opts.canaryNodes ?? 0)), total);
  if (canary > 0) waves.push({ index: 0, kind: WaveKind.Canary, nodeIds: orderedIds.slice(0, canary) });

  const sizes = (opts.batches ?? []).map((batch) => Math.max(1, resolveCountOrPercent(batch, total, Rounding.Up)));
  let next = canary;
  while (next < total) {
    const size = sizes[Math.min(waves.length - (canary > 0 ? 1 : 0), sizes.length - 1)] ?? total;
    waves.push({ index: waves.length, kind: WaveKind.Batch, nodeIds: orderedIds.slice(next, next + size) });
    next += size;
  }
  return waves;
}

/**
 * Splits `items` into consecutive groups of `size` (the last one may be shorter), e.g. to show a
 * wave in steps of `maxParallel`. Throws a `RangeError` when `size` is not a positive integer.
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}
