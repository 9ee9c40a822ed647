/**
 * Following a rollout until it ends (or halts): on a terminal, an overall progress bar and one
 * line per in-flight node, redrawn in place; otherwise plain lines, one per change. Then the
 * final table of every node.
 */
import type { Client } from '@temporalio/client';
import { getStatus, RolloutNotFoundError, type RolloutSnapshot } from '../client/index.js';
import { formatDuration } from '../domain/duration.js';
import { isInFlight, NodeState } from '../domain/node-state.js';
import { isSettled, isSucceeded, RolloutPhase } from '../domain/rollout-phase.js';
import type { NodeStatus, RolloutStatus } from '../workflows/status.js';
import { CommandTimeoutError, ExitCode } from './exit.js';
import { countsLine, fitWidth, headline, inFlightLine, nodeTable, progressBar, type OutputStyle } from './render.js';
import { installText, targetText, waitText } from './status-text.js';
import { escapeText } from './terminal-text.js';

/** Options of {@link followRollout}. */
export interface FollowOptions {
  out: NodeJS.WritableStream;
  style: OutputStyle;
  /** Poll interval. @default 500 on a terminal, 1000 otherwise */
  intervalMs?: number;
  /** Follow this run (and the runs it continued as) instead of the latest. */
  runId?: string;
  /** Give up with a {@link CommandTimeoutError} at this time (epoch ms). */
  deadline?: number;
  /** Called with each snapshot whose status changed, instead of writing text. */
  onChange?: (snapshot: RolloutSnapshot) => void;
}

/** Consecutive failed polls tolerated (e.g. a query while the worker restarts) before giving up. */
const MAX_POLL_FAILURES = 12;
/** Larger rollouts are polled for their active nodes only, and read whole once at the end. */
const ALL_NODES_UP_TO = 200;

/** 0 when the rollout succeeded, 1 when it failed, halted or was aborted. */
export function outcomeExitCode(status: RolloutStatus): ExitCode {
  return isSucceeded(status.phase) ? ExitCode.Ok : ExitCode.RolloutFailed;
}

/** The live frame: headline, overall bar with counts, one line per in-flight node. */
export function liveFrame(style: OutputStyle, status: RolloutStatus): string[] {
  const width = Math.max(40, style.width ?? 100);
  const nodes = status.nodes.filter((n) => isInFlight(n.state));
  const lines = [headline(style, status), `${progressBar(status.progressPct, 30)}  ${countsLine(status)}`];
  const waiting = waitText(status);
  if (waiting !== undefined) lines.push(waiting);
  for (const node of nodes)
    lines.push(`  ${node.pct === undefined ? ' '.repeat(18) : progressBar(node.pct, 12)}  ${inFlightLine(node)}`);
  return lines.map((l) => fitWidth(l, width - 1));
}

function nodeKey(node: NodeStatus): string {
  const bucket = node.pct === undefined ? '' : String(Math.floor(node.pct / 10));
  return `${node.state}|${node.phase ?? ''}|${bucket}|${node.attempts}`;
}

/** Plain lines for what changed between two polls (all of `next` when there was no previous poll). */
export function changeLines(previous: RolloutStatus | undefined, next: RolloutStatus): string[] {
  const plain: OutputStyle = { live: false, color: false };
  const lines: string[] = [];
  if (previous === undefined || headline(plain, previous) !== headline(plain, next)) lines.push(headline(plain, next));
  const before = new Map((previous?.nodes ?? []).map((n) => [n.id, nodeKey(n)]));
  for (const node of next.nodes) {
    if (node.state === NodeState.Pending && !before.has(node.id)) continue;
    if (before.get(node.id) === nodeKey(node)) continue;
    const id = escapeText(node.id);
    if (node.state === NodeState.Succeeded) {
      const took =
        node.startedAt !== undefined && node.finishedAt !== undefined
          ? ` in ${formatDuration(node.finishedAt - node.startedAt)}`
          : '';
      const before = installText(node.before);
      const after = installText(node.after);
      const versions = before !== undefined && after !== undefined ? ` (${before} → ${after})` : '';
      lines.push(`${id}: succeeded${took}${versions}`);
    } else if (node.state === NodeState.Failed)
      lines.push(`${id}: failed: ${escapeText(node.lastError ?? 'no error text')}`);
    else lines.push(inFlightLine(node));
  }
  const done = (s: RolloutStatus | undefined): number =>
    s === undefined ? -1 : s.counts.succeeded + s.counts.failed + s.counts.skipped;
  if (done(previous) !== done(next) && next.counts.total > 0) lines.push(`progress: ${countsLine(next)}`);
  return lines;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function poll(
  client: Client,
  backend: string,
  intervalMs: number,
  nodes: 'all' | 'active',
  runId: string | undefined,
): Promise<RolloutSnapshot> {
  for (let failures = 0; ; failures++) {
    try {
      return await getStatus(client, backend, runId === undefined ? { nodes } : { nodes, runId });
    } catch (err) {
      if (err instanceof RolloutNotFoundError || failures >= MAX_POLL_FAILURES) throw err;
      if (failures === 0) process.stderr.write(`${(err as Error).message}; still trying\n`);
      await sleep(intervalMs);
    }
  }
}

/**
 * Follows the rollout of `backend` until it ends or halts, then prints the final table.
 * @returns the last snapshot.
 */
export async function followRollout(client: Client, backend: string, options: FollowOptions): Promise<RolloutSnapshot> {
  const { out, style } = options;
  const intervalMs = options.intervalMs ?? (style.live ? 500 : 1_000);
  let previous: RolloutStatus | undefined;
  let drawn = 0;
  for (;;) {
    const nodes = previous === undefined || previous.counts.total <= ALL_NODES_UP_TO ? 'all' : 'active';
    let snapshot = await poll(client, backend, intervalMs, nodes, options.runId);
    const status = snapshot.status;
    // A halted rollout still has its nodes in flight finishing: follow them until they are done.
    const finishing = status.phase === RolloutPhase.Halted && status.counts.inFlight > 0;
    const settled = (isSettled(status.phase) && !finishing) || snapshot.execution !== 'RUNNING';
    if (options.onChange !== undefined) {
      if (previous === undefined || JSON.stringify(previous) !== JSON.stringify(status)) options.onChange(snapshot);
    } else if (style.live) {
      const frame = settled ? [] : liveFrame(style, status);
      out.write(`${drawn > 0 ? `\u001b[${drawn}A\u001b[0J` : ''}${frame.map((l) => `${l}\n`).join('')}`);
      drawn = frame.length;
    } else {
      for (const line of changeLines(previous, status)) out.write(`${line}\n`);
    }
    previous = status;
    if (settled) {
      if (nodes === 'active') {
        snapshot = await poll(client, backend, intervalMs, 'all', options.runId);
        options.onChange?.(snapshot);
      }
      if (options.onChange !== undefined) return snapshot;
      const final = snapshot.status;
      const lines = [headline(style, final), countsLine(final)];
      if (final.nodes.length > 0) lines.push('', ...nodeTable(style, final.nodes, targetText(final)));
      const waiting = waitText(final);
      if (final.phase === RolloutPhase.Halted && waiting !== undefined) lines.push('', waiting);
      out.write(`${lines.join('\n')}\n`);
      return snapshot;
    }
    if (options.deadline !== undefined && Date.now() + intervalMs > options.deadline) {
      throw new CommandTimeoutError(
        `gave up watching ${backend} after --timeout; it is still ${status.phase} (${countsLine(status)})`,
      );
    }
    await sleep(intervalMs);
  }
}
