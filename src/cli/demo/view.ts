/**
 * Showing the demo's rollout: the CLI's live frame (progress bar and one line per node in flight,
 * redrawn in place on a terminal) or its plain change lines, until the rollout ends or the user
 * interrupts; then the final table of every node with its zone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { getStatus, type RolloutSnapshot } from '../../client/index.js';
import { isTerminal, NodeState } from '../../domain/node-state.js';
import { isSettled } from '../../domain/rollout-phase.js';
import { changeLines, liveFrame } from '../live-view.js';
import { formatTable, nodeDuration, stateText, type OutputStyle } from '../render.js';
import type { RolloutStatus } from '../../workflows/status.js';

/** Options of {@link followDemoRollout}. */
export interface FollowDemoOptions {
  out: NodeJS.WritableStream;
  style: OutputStyle;
  /** Ends the loop early (Ctrl-C). */
  signal: AbortSignal;
  /** Poll interval. @default 500 on a terminal, 1000 otherwise */
  intervalMs?: number;
}

/** Polls that may fail in a row (the first query races the worker's first task) before giving up. */
const MAX_POLL_FAILURES = 20;

/**
 * Follows the rollout of `backend` until it ends or halts.
 * @returns the last snapshot, or `undefined` when `signal` ended the loop first.
 */
export async function followDemoRollout(
  client: Client,
  backend: string,
  options: FollowDemoOptions,
): Promise<RolloutSnapshot | undefined> {
  const { out, style, signal } = options;
  const intervalMs = options.intervalMs ?? (style.live ? 500 : 1_000);
  let previous: RolloutStatus | undefined;
  let drawn = 0;
  let failures = 0;
  const clear = (): void => {
    if (drawn > 0) out.write(`\r\u001b[${drawn}A\u001b[0J`);
    drawn = 0;
  };
  while (!signal.aborted) {
    let snapshot: RolloutSnapshot;
    try {
      snapshot = await getStatus(client, backend);
      failures = 0;
    } catch (err) {
      if (signal.aborted) break;
      if (++failures > MAX_POLL_FAILURES) throw err;
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
      continue;
    }
    const status = snapshot.status;
    const settled = isSettled(status.phase) || snapshot.execution !== 'RUNNING';
    if (style.live) {
      clear();
      for (const line of finishedLines(style, previous, status)) out.write(`${line}\n`);
      if (!settled) {
        const frame = liveFrame(style, status);
        out.write(frame.map((l) => `${l}\n`).join(''));
        drawn = frame.length;
      }
    } else {
      for (const line of changeLines(previous, status)) out.write(`${line}\n`);
    }
    previous = status;
    if (settled) return snapshot;
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
  clear();
  return undefined;
}

/** One permanent line per node that reached a terminal state since `previous` (live mode scrolls them above the frame). */
export function finishedLines(style: OutputStyle, previous: RolloutStatus | undefined, next: RolloutStatus): string[] {
  const before = new Map((previous?.nodes ?? []).map((n) => [n.id, n.state]));
  return next.nodes
    .filter((n) => isTerminal(n.state) && before.get(n.id) !== n.state)
    .map((n) => {
      const detail = n.state === NodeState.Failed ? `: ${n.lastError ?? 'no error text'}` : '';
      const how = n.fallback ? ' (legacy fallback)' : '';
      return `  ${stateText(style, n.state)} ${n.id} (${n.zone}) in ${nodeDuration(n)}${how}${detail}`;
    });
}

/** The final table: node, zone, state, attempts, fallback, duration, error (cut to the terminal's width when live). */
export function demoNodeTable(style: OutputStyle, status: RolloutStatus): string[] {
  const rows = status.nodes.map((n) => [
    n.id,
    n.zone === '' ? '-' : n.zone,
    stateText(style, n.state),
    String(n.attempts),
    n.fallback ? 'legacy' : '-',
    nodeDuration(n),
    (n.lastError ?? '').replace(/\s+/g, ' '),
  ]);
  const lines = formatTable(['NODE', 'ZONE', 'STATE', 'ATTEMPTS', 'FALLBACK', 'DURATION', 'ERROR'], rows);
  if (!style.live) return lines;
  const width = Math.max(40, style.width ?? 100);
  // Colour codes do not take columns: cut by visible length.
  return lines.map((line) => {
    const visible = line.replace(/\u001b\[[0-9;]*m/g, '');
    return visible.length < width ? line : `${visible.slice(0, width - 2)}…`;
  });
}
