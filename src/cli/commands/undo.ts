/**
 * `fleet-rollout undo BACKEND [--to-run RUN_ID] [--dry-run]`: starts a rollout that sends the nodes
 * a run changed back to the install each had before it (recorded at discovery), with the run's
 * safety policy; refuses, saying why, when that install cannot be named.
 */
import { planRunUndo, startRollout, UndoRefusedError, workflowUiUrl, type UndoPlan } from '../../client/index.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { TASK_QUEUE_HELP, TEMPORAL_FLAGS_HELP, TEMPORAL_QUEUE_FLAG_OPTIONS } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { resolveConnection, withClient } from '../session.js';
import { shortName } from '../status-text.js';
import { escapeText } from '../terminal-text.js';

const OPTIONS = {
  ...TEMPORAL_QUEUE_FLAG_OPTIONS,
  ...OUTPUT_FLAG_OPTIONS,
  'to-run': { type: 'string' },
  'dry-run': { type: 'boolean' },
  reason: { type: 'string' },
} as const;

const HELP = `Usage: fleet-rollout undo BACKEND [--to-run RUN_ID] [--dry-run] [--reason TEXT]

Starts a rollout of BACKEND that sends every node the chosen run changed (succeeded, or caught
mid-upgrade) back to the install it had before that run, as discovery recorded it (its uri, and
its digest when the node reported one), under the same policy as the run (maxParallel,
maxUnavailable, canary, batches, window, failure budget, …). Refused, with the reason and exit 1,
when the run is still going, changed no node, or an earlier install has no recorded uri (LocalAI
can install an earlier build only from a uri), or its nodes had different earlier installs.

Flags:
  --to-run RUN_ID             the run to undo (a run id from 'fleet-rollout history BACKEND');
                              default: the latest run
  --dry-run                   print what would be started; start nothing
  --reason TEXT               why (kept as "undo of run RUN_ID: TEXT")
${OUTPUT_FLAGS_HELP}${TASK_QUEUE_HELP}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout undo llama-cpp --dry-run
  fleet-rollout undo llama-cpp --to-run 0192c1d4-… --reason "v1.4.3 leaks memory"
`;

function planLines(plan: UndoPlan): string[] {
  const n = plan.nodeIds.length;
  return [
    `undo of run ${plan.runId} of ${escapeText(plan.backend)}: ${n} node${n === 1 ? '' : 's'} from ${plan.from.map(shortName).join(', ')} back to ${shortName(plan.to)}`,
    `  nodes: ${plan.nodeIds.map(escapeText).join(', ')}`,
    `  install: ${escapeText(plan.spec.uri ?? '')}${plan.spec.targetDigest !== undefined ? ` (verified by ${shortName(plan.spec.targetDigest)})` : ''}`,
  ];
}

/** Plans the undo of a run and starts it (or only prints it with `--dry-run`). */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('undo', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('undo', positionals, ['BACKEND']);
  const output = outputFrom(values);
  const connection = resolveConnection(values);
  return await withClient(connection, async (client) => {
    let plan: UndoPlan;
    try {
      plan = await planRunUndo(client, backend, {
        ...(values['to-run'] !== undefined ? { runId: values['to-run'] } : {}),
        ...(values.reason !== undefined ? { reason: values.reason } : {}),
      });
    } catch (err) {
      if (!(err instanceof UndoRefusedError)) throw err;
      process.stderr.write(`fleet-rollout: ${escapeText(err.message)}\n`);
      return ExitCode.RolloutFailed;
    }
    if (values['dry-run'] === true) {
      writeDocument(output, { ...plan, started: null }, () => [
        ...planLines(plan),
        `dry run: nothing was started; without --dry-run this starts rollout:${escapeText(backend)}`,
      ]);
      return ExitCode.Ok;
    }
    const started = await startRollout(client, plan.spec, { taskQueue: connection.taskQueue });
    const webUrl = workflowUiUrl(connection.settings, started.workflowId, started.runId);
    const document = { ...plan, started: { workflowId: started.workflowId, runId: started.runId, webUrl } };
    writeDocument(output, document, () => [
      ...planLines(plan),
      `started ${started.workflowId} run ${started.runId}`,
      `  ${webUrl}`,
      `follow it with 'fleet-rollout watch ${escapeText(backend)}'`,
    ]);
    return ExitCode.Ok;
  });
}
