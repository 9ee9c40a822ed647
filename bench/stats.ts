/**
 * The arithmetic of the benchmark, kept pure so the test suite can check it without servers:
 * percentiles, summaries, the ideal makespan of a bounded-parallel rollout and the ratios built on it.
 */

/**
 * The `p`-th percentile (0–100) of `values` by linear interpolation between the closest ranks
 * (the method of NumPy's default and of most spreadsheets). `undefined` for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0–100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** Count, extremes, mean and the usual percentiles of a sample. */
export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summarises a sample; `undefined` when it is empty. Values are rounded to `digits` decimals. */
export function summarize(values: readonly number[], digits = 1): Summary | undefined {
  if (values.length === 0) return undefined;
  const at = (p: number): number => round(percentile(values, p) as number, digits);
  return {
    count: values.length,
    min: round(
      values.reduce((a, b) => Math.min(a, b)),
      digits,
    ),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: round(
      values.reduce((a, b) => Math.max(a, b)),
      digits,
    ),
    mean: round(values.reduce((sum, v) => sum + v, 0) / values.length, digits),
  };
}

/** Rounds to `digits` decimals (half away from zero is not needed here: plain `Math.round`). */
export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The best possible makespan of `nodes` nodes, `parallel` at a time, each taking `installMs`:
 * ceil(N / P) × T. Zero when there is nothing to do.
 */
export function idealMakespanMs(nodes: number, parallel: number, installMs: number): number {
  if (!Number.isInteger(nodes) || nodes < 0) throw new RangeError(`node count ${nodes} is not a whole number ≥ 0`);
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallelism ${parallel} is not ≥ 1`);
  if (installMs < 0) throw new RangeError(`install time ${installMs} is negative`);
  return Math.ceil(nodes / parallel) * installMs;
}

/** ideal / actual, rounded to 4 decimals: 1 is perfect, lower is slower. */
export function efficiency(idealMs: number, actualMs: number): number {
  if (actualMs <= 0) throw new RangeError(`makespan ${actualMs} ms is not positive`);
  return round(idealMs / actualMs, 4);
}

/** ours / baseline, rounded to 4 decimals: 1 means durability costs nothing. */
export function overheadRatio(oursMs: number, baselineMs: number): number {
  if (baselineMs <= 0) throw new RangeError(`baseline makespan ${baselineMs} ms is not positive`);
  return round(oursMs / baselineMs, 4);
}

/** A time interval, e.g. one node's upgrade from start to finish (epoch ms). */
export interface Interval {
  start: number;
  end: number;
}

/** The largest number of intervals open at one instant (an interval ending at t does not overlap one starting at t). */
export function maxOverlap(intervals: readonly Interval[]): number {
  const edges = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const edge of edges) {
    open += edge.d;
    max = Math.max(max, open);
  }
  return max;
}

/**
 * Mean number of intervals open between the first start and the last end: how well the slots were
 * used (P means every slot was busy all the time).
 */
export function meanOverlap(intervals: readonly Interval[]): number {
  if (intervals.length === 0) return 0;
  const first = intervals.reduce((min, i) => Math.min(min, i.start), Infinity);
  const last = intervals.reduce((max, i) => Math.max(max, i.end), -Infinity);
  if (last <= first) return intervals.length;
  const busy = intervals.reduce((sum, i) => sum + (i.end - i.start), 0);
  return busy / (last - first);
}
