/**
 * `fleet-rollout schedule create`: the rollout flags plus when (`--cron`, `--calendar`), in which
 * time zone, and the overlap policy.
 */
import { resolve as resolvePath } from 'node:path';
import type { ScheduleOverlapPolicy } from '@temporalio/client';
import { createSchedule, InvalidSpecError, scheduleProblems, type CreateScheduleOptions } from '../client/index.js';
import { parseCommandArgs } from './args.js';
import { TASK_QUEUE_HELP, TEMPORAL_FLAGS_HELP, TEMPORAL_QUEUE_FLAG_OPTIONS } from './connection-flags.js';
import { ExitCode, UsageError } from './exit.js';
import { printJson, resolveConnection, withClient } from './session.js';
import { checkedSpecFromFlags, ROLLOUT_FLAG_OPTIONS, ROLLOUT_FLAGS_HELP } from './spec-flags.js';
import { parseCalendarFlag, timeZoneFlag } from './time-flags.js';

const OPTIONS = {
  ...ROLLOUT_FLAG_OPTIONS,
  ...TEMPORAL_QUEUE_FLAG_OPTIONS,
  id: { type: 'string' },
  cron: { type: 'string', multiple: true },
  calendar: { type: 'string', multiple: true },
  timezone: { type: 'string' },
  overlap: { type: 'string' },
  paused: { type: 'boolean' },
  note: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const OVERLAP: Readonly<Record<string, ScheduleOverlapPolicy>> = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
  'allow-all': 'ALLOW_ALL',
};

/** The help of `schedule create`. */
export const HELP = `Usage: fleet-rollout schedule create --backend NAME (--cron EXPR | --calendar "DAYS HH:MM") [flags]

Creates a Temporal Schedule that starts the rollout at the given times. Each time, a small
trigger workflow starts rollout:NAME, or records "skipped: a rollout of NAME is already running".
The schedule carries the whole rollout spec, maintenance window included.

Flags:
  --id ID                     schedule id (default fleet-upgrade:NAME)
  --cron EXPR                 5-field cron, e.g. "0 3 * * sat", or @daily, @weekly… (repeatable)
  --calendar "[DAYS ]HH:MM"   e.g. "sat 02:00", "mon-fri 22:30", "03:00" (repeatable)
  --timezone ZONE             IANA zone of the times above, and of a --window naming none (default UTC)
  --overlap POLICY            when a trigger is still running: ${Object.keys(OVERLAP).join(', ')} (default skip)
  --paused                    create it paused
  --note TEXT                 a note shown with the schedule
  --json                      print the created schedule as JSON
${TASK_QUEUE_HELP}  -h, --help                  this help

${ROLLOUT_FLAGS_HELP}
${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout schedule create --backend llama-cpp --inventory fleet.yaml --cron "0 3 * * sat" \\
    --timezone Europe/Berlin --window "sat 03:00-07:00" --max-parallel 4 --max-failures 5%
  fleet-rollout schedule create --backend vllm --nodes gpu-1,gpu-2 --calendar "mon-fri 22:30" --paused
`;

/** Runs `schedule create`. */
export async function runScheduleCreate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('schedule create', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"; run 'fleet-rollout schedule create --help'`);
  const timezone = values.timezone === undefined ? 'UTC' : timeZoneFlag('--timezone', values.timezone);
  const spec = checkedSpecFromFlags(values, timezone);
  let overlap: ScheduleOverlapPolicy = 'SKIP';
  if (values.overlap !== undefined) {
    const policy = OVERLAP[values.overlap];
    if (policy === undefined)
      throw new UsageError(`--overlap: "${values.overlap}" is not one of ${Object.keys(OVERLAP).join(', ')}`);
    overlap = policy;
  }
  const connection = resolveConnection(values);
  const options: CreateScheduleOptions = {
    spec,
    taskQueue: connection.taskQueue,
    cron: values.cron ?? [],
    calendars: (values.calendar ?? []).map(parseCalendarFlag),
    timezone,
    overlap,
    paused: values.paused === true,
  };
  const problems = scheduleProblems(options);
  if (problems.length > 0) {
    const flag = (path: string): string =>
      path === 'cron' && (values.cron ?? []).length === 0 ? '--cron/--calendar' : `--${path}`;
    throw new UsageError(problems.map((p) => `${flag(p.path)}: ${p.message}`).join('; '));
  }
  if (values.inventory !== undefined) {
    // The schedule keeps the inventory as read now; say so where `schedule describe` shows it.
    const count = spec.input.inventory?.length ?? 0;
    options.inventorySource = `inventory file ${resolvePath(values.inventory)} (${count} node${count === 1 ? '' : 's'}, read ${new Date().toISOString()}; re-create the schedule to read it again)`;
  }
  if (values.id !== undefined) options.scheduleId = values.id;
  if (values.note !== undefined) options.note = values.note;
  return await withClient(connection, async (client) => {
    try {
      const info = await createSchedule(client, options);
      if (values.json === true) printJson(info);
      else {
        const next = info.nextRuns[0];
        process.stdout.write(
          `created schedule ${info.scheduleId}: ${info.when.join(' and ')} (${info.timezone})${info.paused ? ', paused' : ''}; ` +
            `starts rollout:${info.backend}${next === undefined ? '' : `; next ${next.toISOString()}`}\n`,
        );
      }
      return ExitCode.Ok;
    } catch (err) {
      if (err instanceof InvalidSpecError) throw new UsageError(err.message);
      throw err;
    }
  });
}
