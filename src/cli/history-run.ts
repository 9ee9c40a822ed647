/**
 * Text of `history BACKEND --run RUN`: one run's status (outcome from its counts, every node with
 * its install before → after) and its control events: what was done, when, by whom and why.
 */
import type { ControlEvent } from '../client/control-events.js';
import type { RolloutStatus } from '../workflows/status.js';
import { formatTable, statusText, type OutputStyle } from './render.js';
import { escapeText } from './terminal-text.js';

/** `pause by ops@host (error rate up)` */
export function controlEventText(event: ControlEvent): string {
  const argument = event.argument === null ? '' : ` ${escapeText(event.argument)}`;
  const by = event.by === null ? '' : ` by ${escapeText(event.by)}`;
  const reason = event.reason === null ? '' : ` (${escapeText(event.reason)})`;
  return `${escapeText(event.control)}${argument}${by}${reason}`;
}

/** The control events as a table, oldest first. */
export function controlEventTable(events: readonly ControlEvent[]): string[] {
  if (events.length === 0) return ['no controls were sent to this run'];
  return formatTable(
    ['AT', 'CONTROL', 'BY', 'REASON'],
    events.map((e) => [
      e.at,
      `${escapeText(e.control)}${e.argument === null ? '' : ` ${escapeText(e.argument)}`}`,
      escapeText(e.by ?? '-'),
      escapeText(e.reason ?? ''),
    ]),
  );
}

/** One run: its status text, then its controls. */
export function runDetailText(
  style: OutputStyle,
  status: RolloutStatus,
  events: readonly ControlEvent[],
  extra: { workflowId: string; runId: string; webUrl?: string },
): string[] {
  return [...statusText(style, status, extra), '', 'Controls:', ...controlEventTable(events).map((l) => `  ${l}`)];
}
