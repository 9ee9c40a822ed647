/**
 * Reads a rollout's Temporal history across continue-as-new (following each run to the next) and
 * condenses it: events per kind, runs, and the latencies Temporal adds (activity schedule-to-start,
 * workflow task turnaround) — the usual suspects when a rollout is slower than its ideal.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { summarize, type Summary } from './stats.js';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];

export interface RunHistory {
  runId: string;
  events: HistoryEvent[];
}

/** Every run of `workflowId` from `firstRunId` on, following continue-as-new. */
export async function fetchRunChain(client: Client, workflowId: string, firstRunId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let runId: string | undefined = firstRunId;
  while (runId !== undefined && runId !== '' && runs.length < 10_000) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    runs.push({ runId, events });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The kind of an event, from the one `…EventAttributes` field it carries: `activityTaskScheduled`, … */
export function kindOf(event: HistoryEvent): string {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventAttributes') && value !== null && value !== undefined)
      return key.slice(0, -'EventAttributes'.length);
  }
  return 'unknown';
}

/** Event time in epoch ms. */
export function timeOf(event: HistoryEvent): number {
  const ts = event.eventTime;
  if (ts === null || ts === undefined) return NaN;
  const seconds = ts.seconds ?? 0;
  const whole = typeof seconds === 'number' ? seconds : seconds.toNumber();
  return whole * 1_000 + (ts.nanos ?? 0) / 1e6;
}

/** Event id as a number. */
export function idOf(value: HistoryEvent['eventId'] | undefined): number {
  if (value === null || value === undefined) return NaN;
  return typeof value === 'number' ? value : value.toNumber();
}

export interface ActivityLatencies {
  count: number;
  /** Scheduled → started: how long the task waited for a worker slot and the server's dispatch. */
  scheduleToStartMs?: Summary;
  /** Started → completed: the activity's own run time. */
  startToCloseMs?: Summary;
}

export interface HistoryAnalysis {
  runs: number;
  events: number;
  eventsPerRun: number[];
  byKind: Record<string, number>;
  activities: Record<string, ActivityLatencies>;
  /** Workflow task scheduled → completed. */
  workflowTaskTurnaroundMs?: Summary;
  /** Workflow task started → completed: the worker's time to run the activation. */
  workflowTaskRunMs?: Summary;
  /** Per run: from its first event to its last. */
  runSpansMs: number[];
  /** Between a run's last event and the next run's first activity start: time with no node in flight. */
  continueAsNewGapsMs: number[];
  /** Largest input carried to a next run (bytes of the continue-as-new payloads). */
  largestContinueAsNewInputBytes: number;
  /** Size of the workflow's result payload. */
  resultBytes: number;
  /** Largest single event payload of any kind (start input, activity input or result, update, query-free). */
  largestPayloadBytes: number;
}

/** Bytes of every payload in `value`, found by walking the event (payloads are `{ metadata, data }`). */
export function payloadBytes(value: unknown, depth = 0): number {
  if (value === null || typeof value !== 'object' || depth > 8) return 0;
  if (value instanceof Uint8Array) return 0;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['payloads'])) {
    return (record['payloads'] as { data?: Uint8Array | null }[]).reduce((sum, p) => sum + (p.data?.length ?? 0), 0);
  }
  let total = 0;
  for (const [key, child] of Object.entries(record)) if (key !== 'eventTime') total += payloadBytes(child, depth + 1);
  return total;
}

/** Condenses the histories of all runs of one rollout. */
export function analyzeHistory(runs: readonly RunHistory[]): HistoryAnalysis {
  const byKind: Record<string, number> = {};
  const activity = new Map<string, { scheduleToStart: number[]; startToClose: number[] }>();
  const wtTurnaround: number[] = [];
  const wtRun: number[] = [];
  const spans: number[] = [];
  const gaps: number[] = [];
  let previousEnd: number | undefined;
  let largestCarried = 0;
  let resultBytes = 0;
  let largestPayload = 0;
  for (const run of runs) {
    const byId = new Map<number, HistoryEvent>();
    let firstActivityStart: number | undefined;
    for (const event of run.events) {
      const kind = kindOf(event);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      byId.set(idOf(event.eventId), event);
      const bytes = payloadBytes(event);
      largestPayload = Math.max(largestPayload, bytes);
      if (kind === 'workflowExecutionContinuedAsNew') largestCarried = Math.max(largestCarried, bytes);
      if (kind === 'workflowExecutionCompleted') resultBytes = bytes;
      if (kind === 'activityTaskStarted') {
        const scheduled = byId.get(idOf(event.activityTaskStartedEventAttributes?.scheduledEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
        const entry = activity.get(name) ?? { scheduleToStart: [], startToClose: [] };
        activity.set(name, entry);
        if (scheduled !== undefined) entry.scheduleToStart.push(timeOf(event) - timeOf(scheduled));
        firstActivityStart ??= timeOf(event);
      } else if (kind === 'activityTaskCompleted') {
        const attrs = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(idOf(attrs?.scheduledEventId));
        const started = byId.get(idOf(attrs?.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
        const entry = activity.get(name) ?? { scheduleToStart: [], startToClose: [] };
        activity.set(name, entry);
        if (started !== undefined) entry.startToClose.push(timeOf(event) - timeOf(started));
      } else if (kind === 'workflowTaskCompleted') {
        const attrs = event.workflowTaskCompletedEventAttributes;
        const scheduled = byId.get(idOf(attrs?.scheduledEventId));
        const started = byId.get(idOf(attrs?.startedEventId));
        if (scheduled !== undefined) wtTurnaround.push(timeOf(event) - timeOf(scheduled));
        if (started !== undefined) wtRun.push(timeOf(event) - timeOf(started));
      }
    }
    const first = run.events[0];
    const last = run.events.at(-1);
    if (first !== undefined && last !== undefined) spans.push(Math.round(timeOf(last) - timeOf(first)));
    if (previousEnd !== undefined && firstActivityStart !== undefined)
      gaps.push(Math.round(firstActivityStart - previousEnd));
    previousEnd = last === undefined ? undefined : timeOf(last);
  }
  const activities: Record<string, ActivityLatencies> = {};
  for (const [name, entry] of activity) {
    const latencies: ActivityLatencies = { count: Math.max(entry.scheduleToStart.length, entry.startToClose.length) };
    const s2s = summarize(entry.scheduleToStart);
    const s2c = summarize(entry.startToClose);
    if (s2s !== undefined) latencies.scheduleToStartMs = s2s;
    if (s2c !== undefined) latencies.startToCloseMs = s2c;
    activities[name] = latencies;
  }
  const analysis: HistoryAnalysis = {
    runs: runs.length,
    events: runs.reduce((sum, r) => sum + r.events.length, 0),
    eventsPerRun: runs.map((r) => r.events.length),
    byKind,
    activities,
    runSpansMs: spans,
    continueAsNewGapsMs: gaps,
    largestContinueAsNewInputBytes: largestCarried,
    resultBytes,
    largestPayloadBytes: largestPayload,
  };
  const turnaround = summarize(wtTurnaround);
  const wtRunSummary = summarize(wtRun);
  if (turnaround !== undefined) analysis.workflowTaskTurnaroundMs = turnaround;
  if (wtRunSummary !== undefined) analysis.workflowTaskRunMs = wtRunSummary;
  return analysis;
}

/** Name of the update an `workflowExecutionUpdateAccepted` event accepted. */
function acceptedUpdateName(event: HistoryEvent): string | undefined {
  return event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? undefined;
}

/**
 * The event ids at which each update named `name` completed, in order: anything the workflow
 * scheduled after such an id was decided after the update had been accepted and answered.
 */
export function updateCompletions(run: RunHistory, name: string): { eventId: number; at: number }[] {
  const accepted = new Set<number>();
  const out: { eventId: number; at: number }[] = [];
  for (const event of run.events) {
    const kind = kindOf(event);
    if (kind === 'workflowExecutionUpdateAccepted' && acceptedUpdateName(event) === name)
      accepted.add(idOf(event.eventId));
    if (kind === 'workflowExecutionUpdateCompleted') {
      const acceptedId = idOf(event.workflowExecutionUpdateCompletedEventAttributes?.acceptedEventId);
      if (accepted.has(acceptedId)) out.push({ eventId: idOf(event.eventId), at: timeOf(event) });
    }
  }
  return out;
}

/** `upgradeNode` activities scheduled with event ids in (afterId, beforeId). */
export function upgradesScheduledBetween(run: RunHistory, afterId: number, beforeId: number): number {
  let count = 0;
  for (const event of run.events) {
    const id = idOf(event.eventId);
    if (id <= afterId || id >= beforeId) continue;
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'upgradeNode') count += 1;
  }
  return count;
}
