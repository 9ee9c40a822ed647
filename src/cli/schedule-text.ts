/**
 * What `schedule describe` and `schedule trigger` print: the schedule's times in its own time
 * zone, whom it targets and from which inventory, the policy each rollout runs with, and what a
 * trigger did.
 */
import type { RolloutScheduleInfo, TriggerOutcome } from '../client/index.js';
import { formatCountOrPercent, formatDuration } from '../domain/duration.js';
import { parseRolloutSpec, type RolloutSpec } from '../domain/spec.js';
import { zonedTimeText } from '../domain/window.js';
import { escapeText } from './terminal-text.js';

/** Next action times shown in text (JSON has every one Temporal computed). */
const NEXT_RUNS_SHOWN = 3;

/** `Sat 2027-01-02 03:00 Europe/Berlin (2027-01-02T02:00:00.000Z)`. */
export function zonedText(at: Date, timeZone: string): string {
  return `${zonedTimeText(at.getTime(), timeZone)} (${at.toISOString()})`;
}

/** The nodes a scheduled rollout targets: ids, selector, exclusions, and where the inventory came from. */
export function targetsText(spec: RolloutSpec, inventorySource: string | undefined): string {
  const parts: string[] = [];
  if (spec.nodes !== undefined && spec.nodes.length > 0) parts.push(`nodes ${spec.nodes.join(',')}`);
  if (spec.inventory !== undefined) {
    const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`);
    const from = inventorySource ?? `an inventory of ${spec.inventory.length} nodes kept in the schedule`;
    parts.push(`${selector.length > 0 ? `selector ${selector.join(',')} over ` : 'every node of '}${from}`);
  }
  if (spec.exclude !== undefined && spec.exclude.length > 0) parts.push(`excluding ${spec.exclude.join(',')}`);
  return escapeText(parts.join('; '));
}

/** The safety policy of each rollout the schedule starts, in one line. */
export function policyText(spec: RolloutSpec): string {
  const parts = [`maxParallel ${spec.maxParallel}`, `maxUnavailable ${formatCountOrPercent(spec.maxUnavailable)}`];
  if (spec.canary !== undefined) {
    const promote =
      spec.canary.promote === 'manual' ? 'manual promote' : `promote after ${formatDuration(spec.canary.promote)}`;
    parts.push(`canary ${spec.canary.nodes} (${promote})`);
  }
  if (spec.batches !== undefined) parts.push(`batches ${spec.batches.map(formatCountOrPercent).join(',')}`);
  parts.push(
    `maxFailures ${formatCountOrPercent(spec.maxFailures)}`,
    `onFailure ${spec.onFailure}`,
    `start check ${spec.startCheck ? 'on' : 'off'}`,
    `soak ${formatDuration(spec.minHealthyTime)}`,
  );
  if (spec.force === true) parts.push('force (nodes on the target are upgraded too)');
  return parts.join(' · ');
}

/** The `schedule describe` text. */
export function describeScheduleText(info: RolloutScheduleInfo): string[] {
  const zone = info.timezone;
  const lines = [
    `schedule ${info.scheduleId}: rollout of ${info.backend}${info.paused ? ' (paused)' : ''}`,
    `  when: ${info.when.join(' and ')} (${zone})${info.overlap !== undefined ? ` · overlap ${info.overlap.toLowerCase()}` : ''}`,
    `  next: ${
      info.nextRuns.length === 0
        ? '-'
        : info.nextRuns
            .slice(0, NEXT_RUNS_SHOWN)
            .map((d) => zonedText(d, zone))
            .join(', ')
    }${info.nextRuns.length > NEXT_RUNS_SHOWN ? ', …' : ''}`,
  ];
  if (info.note !== undefined) lines.push(`  note: ${escapeText(info.note)}`);
  const parsed = info.spec === undefined ? undefined : parseRolloutSpec(info.spec);
  if (parsed?.ok === true) {
    const spec = parsed.spec;
    lines.push(`  targets: ${targetsText(spec, info.inventorySource)}`);
    lines.push(`  policy: ${policyText(spec)}`);
    if (spec.window !== undefined) {
      const w = spec.window;
      lines.push(`  window: ${w.days.join(',')} ${w.start}-${w.end} ${w.timeZone}`);
    }
    const target =
      spec.targetVersion ??
      spec.targetDigest ??
      spec.uri ??
      (spec.index !== undefined ? `resolved from ${spec.index}` : undefined);
    lines.push(`  target: ${escapeText(target ?? 'resolved from the galleries at each trigger')}`);
  } else if (info.spec === undefined) {
    lines.push('  targets: - (the schedule carries a spec this version cannot read; recreate it)');
  }
  if (info.taskQueue !== undefined) lines.push(`  task queue: ${info.taskQueue}`);
  lines.push('  recent actions:');
  if (info.recentActions.length === 0) lines.push('    none yet');
  for (const a of info.recentActions)
    lines.push(`    ${zonedTimeText(a.takenAt.getTime(), zone)}  ${escapeText(a.outcome)}  (${a.workflowId})`);
  return lines;
}

/** What `schedule trigger` did, in one line. */
export function triggerText(outcome: TriggerOutcome): string {
  if (outcome.started) {
    if (outcome.windowOpensAt === undefined) return `started ${outcome.rolloutId}`;
    return `started ${outcome.rolloutId}; it waits for its maintenance window until ${zonedText(outcome.windowOpensAt, outcome.windowTimeZone ?? 'UTC')}`;
  }
  const skipped = outcome.skipped ?? `skipped ${outcome.rolloutId}`;
  if (outcome.upToDate === true || outcome.runningRunId === undefined) return skipped;
  return `${skipped}, run ${outcome.runningRunId}; follow it with 'fleet-rollout watch ${outcome.backend}'`;
}
