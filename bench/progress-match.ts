/**
 * Pure matching of published progress events to what status polls showed, for scenario f.
 *
 * Status views show the *latest* progress a heartbeat carried, so an event overwritten before the
 * next heartbeat is never shown as such. An event therefore counts as visible at the first poll
 * that shows it or any later event of the same node: the latency is how stale the view was.
 */

/** A progress event as the agent published it (timestamped by a subscriber). */
export interface PublishedProgress {
  nodeId: string;
  phase: string | undefined;
  pct: number;
  at: number;
}

/** What one status poll showed for one node. */
export interface ShownProgress {
  nodeId: string;
  phase: string | undefined;
  pct: number;
  at: number;
}

export interface ProgressLatencies {
  /** Per event shown (directly or by a later one): poll time − publish time, in ms. */
  latenciesMs: number[];
  /** Events never covered by any poll (typically the last ones before the activity completed). */
  neverShown: number;
  /** Events whose exact value some poll showed. */
  shownExactly: number;
  /** Per node, ms between consecutive polls that showed a new value: the refresh cadence of the view. */
  refreshIntervalsMs: number[];
}

const keyOf = (phase: string | undefined, pct: number): string => `${phase ?? ''}|${pct}`;

function groupBy<T extends { nodeId: string; at: number }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.nodeId) ?? [];
    group.push(item);
    groups.set(item.nodeId, group);
  }
  for (const group of groups.values()) group.sort((a, b) => a.at - b.at);
  return groups;
}

export function matchProgress(
  published: readonly PublishedProgress[],
  shown: readonly ShownProgress[],
): ProgressLatencies {
  const out: ProgressLatencies = { latenciesMs: [], neverShown: 0, shownExactly: 0, refreshIntervalsMs: [] };
  const shownByNode = groupBy(shown);
  for (const [nodeId, events] of groupBy(published)) {
    // The latest event index of each (phase, pct) value: what a poll showing that value reflects.
    const indexOf = new Map<string, number>();
    events.forEach((e, i) => indexOf.set(keyOf(e.phase, e.pct), i));
    const polls = (shownByNode.get(nodeId) ?? [])
      .map((s) => ({ at: s.at, index: indexOf.get(keyOf(s.phase, s.pct)) }))
      .filter((p): p is { at: number; index: number } => p.index !== undefined);
    const exact = new Set(polls.map((p) => p.index));
    let lastChangeAt: number | undefined;
    let lastIndex = -1;
    for (const poll of polls) {
      if (poll.index > lastIndex) {
        if (lastChangeAt !== undefined) out.refreshIntervalsMs.push(poll.at - lastChangeAt);
        lastChangeAt = poll.at;
        lastIndex = poll.index;
      }
    }
    // Highest event index shown by polls 0..j: the first poll with prefixMax ≥ i after event i was
    // published is when event i became visible. Both conditions are monotone in j, so j only advances.
    const prefixMax: number[] = [];
    polls.forEach((p, k) => prefixMax.push(Math.max(p.index, k === 0 ? -1 : (prefixMax[k - 1] as number))));
    let j = 0;
    events.forEach((event, i) => {
      if (exact.has(i)) out.shownExactly += 1;
      while (j < polls.length && ((prefixMax[j] as number) < i || (polls[j] as { at: number }).at < event.at)) j += 1;
      if (j < polls.length) out.latenciesMs.push((polls[j] as { at: number }).at - event.at);
      else out.neverShown += 1;
    });
  }
  return out;
}
