/**
 * Sentences about a rollout derived from its structured status (phase, waiting reason, counts,
 * nodes) rather than from a stored message, so what the CLI prints always agrees with the counts:
 * what it waits for, the outcome line, live replicas down, and each node's install before → after.
 */
import { installName } from '../client/install-name.js';
import { formatDuration } from '../domain/duration.js';
import { isInFlight, NodeState, replicasDown } from '../domain/node-state.js';
import { HELD_WAITS, isMoving, RolloutPhase, WaitReason } from '../domain/rollout-phase.js';
import type { InstalledRecord } from '../domain/verification.js';
import type { NodeStatus, RolloutStatus } from '../workflows/status.js';
import { escapeText } from './terminal-text.js';

/** Replicas down right now, counted as the workflow counts them; without nodes, the workflow's own number. */
export function liveReplicasDown(status: RolloutStatus): number {
  return status.nodes.length === 0 ? status.replicasDown : replicasDown(status.nodes);
}

/** When a rollout waits for a person or a clock, or has ended; then it has no ETA. */
export function isStalled(status: RolloutStatus): boolean {
  if (!isMoving(status.phase)) return true;
  return status.waiting !== undefined && HELD_WAITS.includes(status.waiting);
}

/** `eta 3m20s`, or undefined while stalled or unknown. */
export function etaText(status: RolloutStatus): string | undefined {
  if (status.etaMs === undefined || isStalled(status)) return undefined;
  return `eta ${formatDuration(status.etaMs)}`;
}

/** `4d9h`, `3h12m`, `1m30s`: how long until a wait ends, to the precision a person plans with. */
export function roughDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes >= 24 * 60) return `${Math.floor(minutes / (24 * 60))}d${Math.floor((minutes % (24 * 60)) / 60)}h`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
  return formatDuration(ms);
}

/** ` until 2026-12-05T21:00:00.000Z (in 3h12m)` when the wait ends by itself, else empty. */
function waitingUntil(status: RolloutStatus, now: number): string {
  const until = status.waitingUntil;
  if (until === undefined) return '';
  const left = until > now ? ` (in ${roughDuration(until - now)})` : '';
  return ` until ${new Date(until).toISOString()}${left}`;
}

/** What the rollout waits for and what a person can do about it; undefined when nothing holds it. */
export function waitText(status: RolloutStatus, now = Date.now()): string | undefined {
  const b = escapeText(status.backend);
  const c = status.counts;
  if (status.phase === RolloutPhase.Halted) {
    // Why it halted is the workflow's decision (its halt reason), not a recount here; a retry may have cleared the failures since.
    if (status.waiting === WaitReason.ProgressDeadline)
      return `halted: no node finished within the progress deadline; 'fleet-rollout resume ${b}' to go on, or 'fleet-rollout abort ${b}'`;
    return status.waiting === WaitReason.FailureBudget && c.failed > 0
      ? `halted: ${c.failed} failed nodes, ${status.allowedFailures} allowed; retry or skip them, then 'fleet-rollout resume ${b}', or 'fleet-rollout abort ${b}'`
      : `halted; 'fleet-rollout resume ${b}' to go on, or 'fleet-rollout abort ${b}'`;
  }
  switch (status.waiting) {
    case WaitReason.Paused:
      return `waiting for 'fleet-rollout resume ${b}' (paused; nodes in flight finish)`;
    case WaitReason.CanaryGate:
      return status.waitingUntil === undefined
        ? `waiting for the canary to be promoted: 'fleet-rollout promote ${b}'`
        : `waiting for the canary to promote itself${waitingUntil(status, now)}, or 'fleet-rollout promote ${b}' now`;
    case WaitReason.WindowClosed:
      return `waiting for the maintenance window${status.waitingUntil === undefined ? ' to open' : `, closed${waitingUntil(status, now)}`}; nodes are only started inside it`;
    case WaitReason.FailureBudget:
      return `waiting: ${c.failed} failed nodes, ${status.allowedFailures} allowed; retry or skip them, or abort`;
    case WaitReason.ProgressDeadline:
      return `waiting: no node finished within the progress deadline; resume or abort`;
    case WaitReason.UnavailabilityBudget: {
      const unknown = status.nodes.filter((n) => n.replicasUnknown === true && isInFlight(n.state));
      if (unknown.length > 0)
        return `waiting for ${unknown.map((n) => escapeText(n.id)).join(', ')} (replica count unknown: it may take every replica with it) to serve again before any other node starts`;
      return `waiting for replicas to come back (${liveReplicasDown(status)}/${status.replicaBudget} down)`;
    }
    case undefined:
    default:
      return undefined;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The outcome of an ended (or halted) rollout, from its counts; undefined while it runs. */
export function outcomeLine(status: RolloutStatus): string | undefined {
  const c = status.counts;
  const parts = [`${c.succeeded} of ${c.total} upgraded`];
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  if (c.unknown > 0) parts.push(`${c.unknown} unconfirmed`);
  if (c.pending > 0) parts.push(`${c.pending} never started`);
  const left = status.skippedAtDiscovery.length;
  const leftOut = left > 0 ? `; ${plural(left, 'node')} left out at discovery` : '';
  switch (status.phase) {
    case RolloutPhase.Succeeded:
      return c.succeeded === c.total
        ? `succeeded: every one of the ${plural(c.total, 'targeted node')} upgraded${leftOut}`
        : `succeeded: ${parts.join(', ')}${leftOut}`;
    case RolloutPhase.Failed:
    case RolloutPhase.Aborted:
    case RolloutPhase.Halted:
      return `${status.phase}: ${parts.join(', ')}${leftOut}`;
    default:
      return undefined;
  }
}

/** {@link installName} for a terminal: digests cut to 12 hex digits, control characters escaped. */
export function installText(record: InstalledRecord | undefined): string | undefined {
  const name = installName(record);
  return name === undefined ? undefined : shortName(name);
}

/** A digest cut to 12 hex digits, escaped. */
export function shortName(name: string): string {
  return escapeText(name.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1'));
}

/** The rollout's target when the status carries one (`target: string | { version, digest, uri }`). */
export function targetText(status: RolloutStatus): string | undefined {
  const target = (status as { target?: unknown }).target;
  if (typeof target === 'string' && target !== '') return escapeText(target);
  if (typeof target === 'object' && target !== null) return installText(target);
  return undefined;
}

/** `v1.4.2 → v1.4.3`; `v1.4.2 → v1.4.3?` while the target is not reached yet; `-` when nothing is known. */
export function versionCell(node: NodeStatus, target: string | undefined): string {
  const before = installText(node.before) ?? '?';
  const after = installText(node.after);
  if (after !== undefined) return `${before} → ${after}`;
  if (node.state === NodeState.Succeeded) return `${before} → (new install)`;
  if (target !== undefined && node.state !== NodeState.Skipped && node.state !== NodeState.Failed)
    return `${before} → ${target}?`;
  return node.before === undefined ? '-' : before;
}
