/**
 * Triggering a rollout schedule now, and learning what its action did: started the rollout,
 * recorded that one of the backend was already running, or found every node already on the
 * target and started nothing.
 */
import type { Client } from '@temporalio/client';
import type { scheduledRolloutWorkflow, ScheduledRolloutResult } from '../workflows/scheduled.js';
import { parseRolloutSpec } from '../domain/spec.js';
import { nextWindowOpen } from '../domain/window.js';
import { RolloutNotFoundError } from './errors.js';
import { describeSchedule, type RolloutScheduleInfo } from './schedules.js';

/** What a triggered action did. */
export interface TriggerOutcome extends ScheduledRolloutResult {
  /** The trigger workflow the schedule started. */
  workflowId: string;
  runId: string;
  /** The backend the schedule rolls out. */
  backend: string;
  /** Skipped because a rollout of the backend runs: that rollout's current run, when it could be read. */
  runningRunId?: string;
  /** Started while the spec's maintenance window is closed: when it opens (nodes start only then), and its zone. */
  windowOpensAt?: Date;
  windowTimeZone?: string;
}

/** The closed maintenance window a rollout just started by `info`'s action waits for, if any. */
function closedWindow(
  info: RolloutScheduleInfo,
  now: number,
): Pick<TriggerOutcome, 'windowOpensAt' | 'windowTimeZone'> {
  const parsed = parseRolloutSpec(info.spec);
  const window = parsed.ok ? parsed.spec.window : undefined;
  if (window === undefined) return {};
  const opens = nextWindowOpen(window, now); // `now` itself while the window is open
  return opens === now ? {} : { windowOpensAt: new Date(opens), windowTimeZone: window.timeZone };
}

/** The run id of the rollout that made a trigger skip; undefined when it has ended or cannot be read. */
async function runningRun(client: Client, rolloutId: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(rolloutId).describe();
    return d.status.name === 'RUNNING' ? d.runId : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link triggerSchedule}. */
export interface TriggerScheduleOptions {
  /** Wait for the action and its outcome. @default true */
  wait?: boolean;
  /**
   * Longest wait for the outcome. The trigger resolves the target and asks every node first, and
   * discovery keeps asking an unreachable node for up to a minute. @default 120000
   */
  timeoutMs?: number;
}

const POLL_MS = 200;
/** Scheduled workflow ids end in a timestamp with whole seconds: keep triggers of one schedule a second apart. */
const MIN_GAP_MS = 1_100;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** `work`'s value, or `undefined` after `ms`; the timer never outlives the race. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Takes the schedule's action now, whatever its overlap policy (the trigger workflow itself
 * refuses a second rollout of the backend and records the skip).
 * @returns the outcome, or `undefined` when `wait` is false.
 * @throws RolloutNotFoundError when the schedule does not exist.
 * @throws Error when the outcome is not known within `timeoutMs` (is an orchestrator worker running?).
 */
export async function triggerSchedule(
  client: Client,
  scheduleId: string,
  options: TriggerScheduleOptions = {},
): Promise<TriggerOutcome | undefined> {
  const before = await describeSchedule(client, scheduleId);
  const seen = new Set(before.recentActions.map((a) => a.runId));
  const last = before.recentActions.at(-1);
  if (last !== undefined) {
    const since = Date.now() - last.takenAt.getTime();
    if (since < MIN_GAP_MS) await sleep(MIN_GAP_MS - Math.max(0, since));
  }
  await client.schedule.getHandle(scheduleId).trigger();
  if (options.wait === false) return undefined;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const handle = client.schedule.getHandle(scheduleId);
    const described = await handle.describe().catch((err: unknown) => {
      throw err instanceof Error && err.name === 'ScheduleNotFoundError'
        ? new RolloutNotFoundError(`schedule ${scheduleId} was deleted`)
        : err;
    });
    const action = described.info.recentActions.find((a) => !seen.has(a.action.workflow.firstExecutionRunId));
    if (action !== undefined) {
      const { workflowId, firstExecutionRunId: runId } = action.action.workflow;
      const trigger = client.workflow.getHandle<typeof scheduledRolloutWorkflow>(workflowId, runId);
      const result = await within(trigger.result(), Math.max(0, deadline - Date.now()));
      if (result === undefined) break;
      const outcome: TriggerOutcome = { ...result, workflowId, runId, backend: before.backend };
      if (result.started) Object.assign(outcome, closedWindow(before, Date.now()));
      else if (result.upToDate !== true) {
        const running = await runningRun(client, result.rolloutId);
        if (running !== undefined) outcome.runningRunId = running;
      }
      return outcome;
    }
    if (Date.now() >= deadline) break;
    await sleep(POLL_MS);
  }
  throw new Error(
    `schedule ${scheduleId} was triggered, but its outcome is not known after ${options.timeoutMs ?? 120_000} ms; is an orchestrator worker ('fleet-rollout worker') polling ${before.taskQueue ?? 'its task queue'}?`,
  );
}
