/**
 * `fleet-rollout schedule create|list|describe|pause|unpause|trigger|delete`: scheduled fleet
 * upgrades as Temporal Schedules.
 */
import {
  deleteSchedule,
  describeSchedule,
  listSchedules,
  pauseSchedule,
  triggerSchedule,
  unpauseSchedule,
} from '../../client/index.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { formatTable } from '../render.js';
import { runScheduleCreate } from '../schedule-create.js';
import { describeScheduleText, triggerText } from '../schedule-text.js';
import { printJson, printLines, resolveConnection, withClient } from '../session.js';

const OPTIONS = {
  ...TEMPORAL_FLAG_OPTIONS,
  ...OUTPUT_FLAG_OPTIONS,
  note: { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const;

const HELP = `Usage: fleet-rollout schedule <subcommand> …

Scheduled fleet upgrades: a Temporal Schedule starts a trigger workflow that starts
rollout:BACKEND, or records the skip when a rollout of BACKEND is already running.

Subcommands:
  create --backend NAME (--cron EXPR | --calendar SPEC) [flags]   see 'schedule create --help'
  list [-o FORMAT]              rollout schedules, their times and next run
  describe ID [-o FORMAT]       one schedule: times in its time zone, targets and inventory source,
                                policy, window, recent actions and their outcome
  pause ID [--note TEXT]        take no action until unpaused
  unpause ID [--note TEXT]
  trigger ID [--no-wait]        take the action now; prints what it did: started (and until when it
                                waits for its maintenance window), up to date (exit 0), or skipped
                                because a rollout of the backend runs (its run id; exit 1)
  delete ID                     delete the schedule (rollouts it started go on)

Flags:
${OUTPUT_FLAGS_HELP}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout schedule create --backend llama-cpp --inventory fleet.yaml --cron "0 3 * * sat" --timezone Europe/Berlin
  fleet-rollout schedule trigger fleet-upgrade:llama-cpp
  fleet-rollout schedule describe fleet-upgrade:llama-cpp
`;

const SUBCOMMANDS = ['list', 'describe', 'pause', 'unpause', 'trigger', 'delete'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** The flags beyond the Temporal ones that each subcommand takes. */
const EXTRA_FLAGS: Readonly<Record<Subcommand, readonly string[]>> = {
  list: ['json', 'output', 'color'],
  describe: ['json', 'output', 'color'],
  pause: ['note'],
  unpause: ['note'],
  trigger: ['no-wait', 'json'],
  delete: [],
};

async function runSubcommand(sub: Subcommand, args: string[]): Promise<number> {
  const command = `schedule ${sub}`;
  const { values, positionals } = parseCommandArgs(command, args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  for (const flag of Object.keys(values)) {
    if (!(flag in TEMPORAL_FLAG_OPTIONS) && !EXTRA_FLAGS[sub].includes(flag)) {
      throw new UsageError(`unknown flag --${flag} for '${command}'; run 'fleet-rollout schedule --help'`);
    }
  }
  const [id = ''] = expectPositionals(command, positionals, sub === 'list' ? [] : ['ID']);
  return await withClient(resolveConnection(values), async (client) => {
    switch (sub) {
      case 'list': {
        const schedules = await listSchedules(client);
        writeDocument(outputFrom(values), schedules, () => {
          if (schedules.length === 0) return ['no rollout schedules'];
          const rows = schedules.map((s) => [
            s.scheduleId,
            s.backend,
            s.when.join(' and '),
            s.timezone,
            s.paused ? 'paused' : 'active',
            s.nextRuns[0]?.toISOString() ?? '-',
          ]);
          return formatTable(['ID', 'BACKEND', 'WHEN', 'TIMEZONE', 'STATE', 'NEXT'], rows);
        });
        break;
      }
      case 'describe': {
        const info = await describeSchedule(client, id);
        writeDocument(outputFrom(values), info, () => describeScheduleText(info));
        break;
      }
      case 'pause':
        await pauseSchedule(client, id, values.note);
        printLines([`paused schedule ${id}`]);
        break;
      case 'unpause':
        await unpauseSchedule(client, id, values.note);
        printLines([`unpaused schedule ${id}`]);
        break;
      case 'trigger': {
        const outcome = await triggerSchedule(client, id, { wait: values['no-wait'] !== true });
        if (outcome === undefined) {
          printLines([`triggered schedule ${id}`]);
          break;
        }
        if (values.json === true) printJson(outcome);
        else printLines([triggerText(outcome)]);
        // A skip because a rollout of the backend still runs did not do what was asked: exit 1 (up to date is success).
        if (!outcome.started && outcome.upToDate !== true) return ExitCode.RolloutFailed;
        break;
      }
      case 'delete':
        await deleteSchedule(client, id);
        printLines([`deleted schedule ${id}`]);
        break;
    }
    return ExitCode.Ok;
  });
}

/** Dispatches a schedule subcommand. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (sub === 'create') return await runScheduleCreate(rest);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`unknown schedule subcommand "${sub}"; expected create, ${SUBCOMMANDS.join(', ')}`);
  }
  return await runSubcommand(sub as Subcommand, rest);
}
