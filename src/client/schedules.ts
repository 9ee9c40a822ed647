/**
 * Scheduled fleet upgrades: a Temporal Schedule whose action starts `scheduledRolloutWorkflow`,
 * which starts the real rollout under `rollout:<backend>` or records the skip when one is running.
 * The schedule carries the whole rollout spec, maintenance window included.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type CalendarSpec,
  type Client,
  type ScheduleOverlapPolicy,
} from '@temporalio/client';
import { defaultScheduleId, MemoKey, SCHEDULED_WORKFLOW_TYPE, triggerWorkflowId } from '../addressing.js';
import { formatSpecIssues, parseRolloutSpec, type RolloutSpecInput } from '../domain/spec.js';
import type { scheduledRolloutWorkflow } from '../workflows/scheduled.js';
import { cronProblem, isTimeZone } from './cron.js';
import { ControlRejectedError, InvalidSpecError, RolloutNotFoundError, type SpecProblem } from './errors.js';
import { defaultRequestedBy } from './rollouts.js';
import { checkedRolloutSpec, type CheckedRolloutSpec } from './spec-check.js';

export { SCHEDULED_WORKFLOW_TYPE } from '../addressing.js';

/** Options of {@link createSchedule}. */
export interface CreateScheduleOptions {
  /** @default `fleet-upgrade:<backend>` */
  scheduleId?: string;
  /** The rollout to start each time (validated like {@link startRollout}'s, unless it comes checked). */
  spec: RolloutSpecInput | CheckedRolloutSpec;
  /** Task queue of the orchestrator worker. */
  taskQueue: string;
  /** Cron expressions (see {@link cronProblem}); with `calendars`, at least one entry overall. */
  cron?: string[];
  /** Calendar specs, e.g. `{ dayOfWeek: 'SATURDAY', hour: 2 }`. */
  calendars?: CalendarSpec[];
  /** IANA time zone the cron and calendar times are read in. @default "UTC" */
  timezone?: string;
  /** What happens when a trigger workflow is still running at the next time. @default "SKIP" */
  overlap?: ScheduleOverlapPolicy;
  /** Create it paused. @default false */
  paused?: boolean;
  note?: string;
  /**
   * Where the spec's targets came from, in words (e.g. `inventory file /etc/fleet.yaml, 12 nodes,
   * read 2026-12-07T10:00:00.000Z`): the schedule keeps the inventory as it was read at creation.
   */
  inventorySource?: string;
}

/** One action a schedule took, and what came of it. */
export interface ScheduleActionOutcome {
  takenAt: Date;
  workflowId: string;
  runId: string;
  /** `started rollout:<backend>`, `skipped: a rollout of <backend> is already running (…)`, or the trigger's execution status. */
  outcome: string;
}

/** A rollout schedule as {@link describeSchedule} and {@link listSchedules} report it. */
export interface RolloutScheduleInfo {
  scheduleId: string;
  backend: string;
  paused: boolean;
  note?: string;
  /** Cron expressions and calendar texts as given at creation. */
  when: string[];
  timezone: string;
  overlap?: string;
  nextRuns: Date[];
  recentActions: ScheduleActionOutcome[];
  /** The rollout spec each action starts (describe only). */
  spec?: RolloutSpecInput;
  taskQueue?: string;
  /** Where the spec's targets came from, as recorded at creation (see {@link CreateScheduleOptions.inventorySource}). */
  inventorySource?: string;
}

/** The problems of a schedule's times, each naming its field. */
export function scheduleProblems(
  options: Pick<CreateScheduleOptions, 'cron' | 'calendars' | 'timezone'>,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const expression of options.cron ?? []) {
    const problem = cronProblem(expression);
    if (problem !== undefined) problems.push({ path: 'cron', message: `"${expression}": ${problem}` });
  }
  if ((options.cron ?? []).length + (options.calendars ?? []).length === 0) {
    problems.push({ path: 'cron', message: 'a schedule needs a cron expression or a calendar spec' });
  }
  if (options.timezone !== undefined && !isTimeZone(options.timezone)) {
    problems.push({
      path: 'timezone',
      message: `unknown IANA time zone "${options.timezone}"; use a name such as Europe/Berlin or UTC`,
    });
  }
  return problems;
}

function describeCalendar(c: CalendarSpec): string {
  return c.comment ?? JSON.stringify(c);
}

/**
 * Creates a schedule that starts the rollout of `spec.backend` at the given times.
 * @throws InvalidSpecError for an invalid spec, cron expression or time zone (before anything is sent).
 * @throws ControlRejectedError when a schedule with that id exists.
 */
export async function createSchedule(client: Client, options: CreateScheduleOptions): Promise<RolloutScheduleInfo> {
  const checked = checkedRolloutSpec(options.spec);
  const parsed = checked.spec;
  const problems = scheduleProblems(options);
  if (problems.length > 0) throw new InvalidSpecError(formatSpecIssues(problems), problems);
  const scheduleId = options.scheduleId ?? defaultScheduleId(parsed.backend);
  const spec: RolloutSpecInput = {
    ...checked.input,
    requestedBy: checked.input.requestedBy ?? `${defaultRequestedBy()} via schedule ${scheduleId}`,
  };
  const when = [...(options.cron ?? []), ...(options.calendars ?? []).map(describeCalendar)];
  try {
    await client.schedule.create<typeof scheduledRolloutWorkflow>({
      scheduleId,
      spec: {
        cronExpressions: options.cron ?? [],
        calendars: options.calendars ?? [],
        timezone: options.timezone ?? 'UTC',
      },
      action: {
        type: 'startWorkflow',
        workflowType: SCHEDULED_WORKFLOW_TYPE,
        workflowId: triggerWorkflowId(parsed.backend),
        taskQueue: options.taskQueue,
        args: [spec],
      },
      policies: { overlap: options.overlap ?? 'SKIP' },
      memo: {
        backend: parsed.backend,
        when,
        timezone: options.timezone ?? 'UTC',
        ...(options.inventorySource !== undefined ? { inventorySource: options.inventorySource } : {}),
      },
      state: { paused: options.paused ?? false, ...(options.note !== undefined ? { note: options.note } : {}) },
    });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning)
      throw new ControlRejectedError(`schedule ${scheduleId} already exists; delete it first or choose another id`);
    throw err;
  }
  return await describeSchedule(client, scheduleId);
}

async function withSchedule<T>(scheduleId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new RolloutNotFoundError(`no schedule ${scheduleId}; 'fleet-rollout schedule list' shows the schedules`);
    throw err;
  }
}

/** What one action of a schedule led to: the trigger workflow's recorded outcome, or its status while it runs. */
export async function actionOutcome(client: Client, workflowId: string, runId: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  const outcome = description.memo?.[MemoKey.Outcome];
  return typeof outcome === 'string' ? outcome : description.status.name.toLowerCase();
}

/** The parts of a schedule description or list entry that {@link RolloutScheduleInfo} is built from. */
interface ScheduleFacts {
  memo?: Record<string, unknown> | undefined;
  state: { paused: boolean; note?: string | undefined };
  info: { nextActionTimes: Date[] };
}

function infoOf(id: string, d: ScheduleFacts, actions: ScheduleActionOutcome[]): RolloutScheduleInfo {
  const memo = d.memo ?? {};
  const info: RolloutScheduleInfo = {
    scheduleId: id,
    backend: typeof memo['backend'] === 'string' ? memo['backend'] : '?',
    paused: d.state.paused,
    when: Array.isArray(memo['when']) ? memo['when'].map(String) : [],
    timezone: typeof memo['timezone'] === 'string' ? memo['timezone'] : 'UTC',
    nextRuns: d.info.nextActionTimes,
    recentActions: actions,
  };
  if (d.state.note !== undefined && d.state.note !== '') info.note = d.state.note;
  if (typeof memo['inventorySource'] === 'string') info.inventorySource = memo['inventorySource'];
  return info;
}

/** Describes a rollout schedule, with the outcome of each recent action. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<RolloutScheduleInfo> {
  const d = await withSchedule(scheduleId, () => client.schedule.getHandle(scheduleId).describe());
  const actions = await Promise.all(
    d.info.recentActions.map(async (a) => ({
      takenAt: a.takenAt,
      workflowId: a.action.workflow.workflowId,
      runId: a.action.workflow.firstExecutionRunId,
      outcome: await actionOutcome(client, a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId),
    })),
  );
  const info = infoOf(scheduleId, d, actions);
  if (d.policies.overlap !== undefined) info.overlap = d.policies.overlap;
  info.taskQueue = d.action.taskQueue;
  const spec: unknown = d.action.args?.[0];
  // The action's argument is kept only when it still is a valid spec (it could predate a schema change).
  if (parseRolloutSpec(spec).ok) info.spec = spec as RolloutSpecInput;
  return info;
}

/** Rollout schedules (schedules whose action is the rollout trigger), without action outcomes. */
export async function listSchedules(client: Client): Promise<RolloutScheduleInfo[]> {
  const out: RolloutScheduleInfo[] = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType !== SCHEDULED_WORKFLOW_TYPE) continue;
    const actions = s.info.recentActions.map((a) => ({
      takenAt: a.takenAt,
      workflowId: a.action.workflow.workflowId,
      runId: a.action.workflow.firstExecutionRunId,
      outcome: '',
    }));
    out.push(infoOf(s.scheduleId, s, actions));
  }
  return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** Pauses a schedule: no action is taken until {@link unpauseSchedule}. */
export async function pauseSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  await withSchedule(scheduleId, () => client.schedule.getHandle(scheduleId).pause(note));
}

/** Unpauses a schedule. */
export async function unpauseSchedule(client: Client, scheduleId: string, note?: string): Promise<void> {
  await withSchedule(scheduleId, () => client.schedule.getHandle(scheduleId).unpause(note));
}

/** Deletes a schedule; rollouts it started go on. */
export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  await withSchedule(scheduleId, () => client.schedule.getHandle(scheduleId).delete());
}
