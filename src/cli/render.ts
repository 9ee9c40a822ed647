/**
 * Pure text rendering for the operator commands: aligned tables, progress bars, the final node
 * table and the status summary. Colour and bars only when the output is a terminal and NO_COLOR
 * is unset; otherwise plain lines.
 */
import { formatDuration } from '../domain/duration.js';
import { describeTarget } from '../domain/upgrade-target.js';
import type { NodeStatus, RolloutStatus } from '../workflows/status.js';
import { etaText, liveReplicasDown, outcomeLine, targetText, versionCell, waitText } from './status-text.js';
import { escapeText } from './terminal-text.js';

/** How output may be decorated. */
export interface OutputStyle {
  /** Redraw in place and draw bars (a terminal). */
  live: boolean;
  /** ANSI colours. */
  color: boolean;
  /** Terminal width. @default 100 */
  width?: number;
}

/** `--color`: `auto` decides by the terminal and NO_COLOR; `always` and `never` override both. */
export type ColorMode = 'auto' | 'always' | 'never';

/**
 * Bars and colour on a terminal without NO_COLOR (any value, per no-color.org) and with TERM not
 * `dumb`; `always` forces colour (bars still only on a terminal), `never` gives plain lines.
 */
export function outputStyle(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv = process.env,
  mode: ColorMode = 'auto',
): OutputStyle {
  const tty = stream.isTTY === true && env['TERM'] !== 'dumb';
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const columns = stream.columns ?? 0;
  const width = columns > 0 ? columns : 100;
  if (mode === 'always') return { live: tty, color: true, width };
  if (mode === 'never') return { live: false, color: false, width };
  return { live: tty && !noColor, color: tty && !noColor, width };
}

const COLORS = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2 } as const;

/** Wraps `text` in an ANSI colour when `style.color`. */
export function paint(style: OutputStyle, color: keyof typeof COLORS, text: string): string {
  return style.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
}

const STATE_COLOR: Readonly<Record<string, keyof typeof COLORS>> = {
  succeeded: 'green',
  failed: 'red',
  unknown: 'yellow',
  skipped: 'dim',
  upgrading: 'cyan',
  verifying: 'cyan',
  soaking: 'cyan',
  aborted: 'red',
  halted: 'red',
  paused: 'yellow',
};

/** A node or rollout state, coloured by meaning. */
export function stateText(style: OutputStyle, state: string): string {
  const color = STATE_COLOR[state];
  return color === undefined ? state : paint(style, color, state);
}

/** `[██████░░░░]  60%` of `width` cells. */
export function progressBar(pct: number, width: number): string {
  const clamped = Math.max(0, Math.min(100, pct));
  const full = Math.round((clamped / 100) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(clamped)).padStart(3)}%`;
}

const ANSI_RE = /\u001b\[[0-9;]*m/g;

/** Length of `text` as shown (ANSI colour codes do not count). */
export function visibleLength(text: string): number {
  return text.replace(ANSI_RE, '').length;
}

/** Cuts `text` to `width` visible characters with an ellipsis (dropping colour when it must cut). */
export function fitWidth(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  return `${text.replace(ANSI_RE, '').slice(0, Math.max(0, width - 1))}…`;
}

/** Pads columns to their widest cell (ANSI codes do not count); the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const visible = visibleLength;
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c)))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** How long a node took (or has taken so far, given `now`). */
export function nodeDuration(node: NodeStatus, now?: number): string {
  if (node.startedAt === undefined) return '-';
  const end = node.finishedAt ?? now;
  return end === undefined ? '-' : formatDuration(Math.max(0, end - node.startedAt));
}

/**
 * The table of every node: zone, wave (from 1), state, install before → after, attempts, fallback,
 * duration, error. Text from nodes is shown with control characters escaped.
 */
export function nodeTable(style: OutputStyle, nodes: readonly NodeStatus[], target?: string): string[] {
  const rows = nodes.map((n) => [
    escapeText(n.id),
    n.zone === '' ? '-' : escapeText(n.zone),
    String(n.wave + 1),
    stateText(style, n.state),
    versionCell(n, target),
    String(n.attempts),
    n.fallback ? 'legacy' : '-',
    nodeDuration(n),
    escapeText((n.lastError ?? '').replace(/[ \t\r\n]+/g, ' ')),
  ]);
  return formatTable(['NODE', 'ZONE', 'WAVE', 'STATE', 'VERSION', 'ATTEMPTS', 'FALLBACK', 'DURATION', 'ERROR'], rows);
}

/** One line on an in-flight node: state, phase and percentage. */
export function inFlightLine(node: NodeStatus): string {
  const pct = node.pct === undefined ? '' : ` ${Math.round(node.pct)}%`;
  const phase = node.phase === undefined || node.phase === '' ? '' : ` (${escapeText(node.phase)})`;
  return `${escapeText(node.id)}: ${node.state}${pct}${phase}`;
}

/**
 * The headline: backend and phase, then the outcome from the counts once the rollout ended or
 * halted, else the waiting reason and the workflow's message.
 */
export function headline(style: OutputStyle, status: RolloutStatus): string {
  const outcome = outcomeLine(status);
  const backend = escapeText(status.backend);
  if (outcome !== undefined)
    return `${backend}: ${stateText(style, status.phase)}${outcome.slice(status.phase.length)}`;
  const waiting = status.waiting === undefined ? '' : ` (waiting: ${status.waiting})`;
  return `${backend}: ${stateText(style, status.phase)}${waiting}: ${escapeText(status.message)}`;
}

/** Counts as one line: `3/6 done · 2 in flight · 0 failed · 1 pending`; an ETA only while nothing holds the rollout. */
export function countsLine(status: RolloutStatus): string {
  const c = status.counts;
  const done = c.succeeded + c.failed + c.skipped;
  const eta = etaText(status) === undefined ? '' : ` · ${etaText(status)}`;
  const wave = status.waves === 0 ? '' : ` · wave ${status.currentWave + 1}/${status.waves}`;
  return `${done}/${c.total} done · ${c.succeeded} succeeded · ${c.inFlight} in flight · ${c.failed} failed · ${c.skipped} skipped · ${c.pending} pending${wave}${eta}`;
}

/** The `status` command's text: summary, policy numbers, every node, and nodes left out at discovery. */
export function statusText(
  style: OutputStyle,
  status: RolloutStatus,
  extra: { workflowId: string; runId: string; webUrl?: string },
): string[] {
  const lines = [headline(style, status)];
  if (style.live) lines.push(progressBar(status.progressPct, 30));
  lines.push(countsLine(status));
  const waiting = waitText(status);
  if (waiting !== undefined) lines.push(waiting);
  if (status.target !== undefined) lines.push(`target: ${describeTarget(status.target)}`);
  lines.push(
    `maxParallel ${status.maxParallel} · replicas down ${liveReplicasDown(status)}/${status.replicaBudget} · failures allowed ${status.allowedFailures}`,
  );
  const who = [
    status.requestedBy === undefined ? '' : `by ${escapeText(status.requestedBy)}`,
    status.reason === undefined ? '' : `reason: ${escapeText(status.reason)}`,
  ].filter((s) => s !== '');
  lines.push(
    `started ${new Date(status.startedAt).toISOString()}${status.finishedAt !== undefined ? `, finished ${new Date(status.finishedAt).toISOString()}` : ''}${who.length > 0 ? ` ${who.join(', ')}` : ''}`,
  );
  lines.push(
    `workflow ${extra.workflowId} run ${extra.runId}${extra.webUrl !== undefined ? ` · ${extra.webUrl}` : ''}`,
  );
  if (status.nodes.length > 0) lines.push('', ...nodeTable(style, status.nodes, targetText(status)));
  if (status.skippedAtDiscovery.length > 0) {
    lines.push(
      '',
      'Left out:',
      ...status.skippedAtDiscovery.map((s) => `  ${escapeText(s.id)}: ${escapeText(s.reason)}`),
    );
  }
  if (status.heldDrained !== undefined && status.heldDrained.length > 0) {
    lines.push(
      '',
      'Held drained in the LocalAI frontend:',
      ...status.heldDrained.flatMap((h) => [
        `  ${escapeText(h.id)}: ${escapeText(h.reason)}`,
        `    resume: ${escapeText(h.resume)}`,
      ]),
    );
  }
  return lines;
}
