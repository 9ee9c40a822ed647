/**
 * `fleet-rollout start`: validates the flags into a rollout spec and starts `rollout:<backend>`;
 * prints its id and Web UI link; with `--wait`, follows it live and exits with its outcome.
 */
import { startRollout, toStatusJson, workflowUiUrl } from '../../client/index.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { TASK_QUEUE_HELP, TEMPORAL_FLAGS_HELP, TEMPORAL_QUEUE_FLAG_OPTIONS } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { followRollout, outcomeExitCode } from '../live-view.js';
import { outputStyle } from '../render.js';
import { printJson, resolveConnection, withClient } from '../session.js';
import { specWithFrontend } from '../frontend-spec.js';
import { LOCALAI_FLAG_OPTIONS, LOCALAI_FLAGS_HELP } from '../localai-flags.js';
import { ROLLOUT_FLAG_OPTIONS, ROLLOUT_FLAGS_HELP } from '../spec-flags.js';

const OPTIONS = {
  ...ROLLOUT_FLAG_OPTIONS,
  ...TEMPORAL_QUEUE_FLAG_OPTIONS,
  ...LOCALAI_FLAG_OPTIONS,
  wait: { type: 'boolean' },
  attach: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** The help of `start`. */
export const HELP = `Usage: fleet-rollout start --backend NAME (--nodes IDS | --inventory FILE | --localai-url URL) [flags]

Starts the rollout of a backend (workflow id rollout:NAME; one per backend at a time) and prints
its id and Web UI link. A second start while one runs is refused, naming the running run.

Flags:
  --wait                      follow it live, print the final table of every node, and exit with
                              its outcome: 0 succeeded, 1 failed, halted or aborted
  --attach                    when a rollout of the backend is already running, use it instead of refusing
  --json                      print {workflowId, runId, webUrl, attached} (with --wait: the final
                              status in the 'status --json' schema)
${TASK_QUEUE_HELP}  -h, --help                  this help

${ROLLOUT_FLAGS_HELP}
${TEMPORAL_FLAGS_HELP}
${LOCALAI_FLAGS_HELP}
Examples:
  fleet-rollout start --backend llama-cpp --nodes gpu-1,gpu-2,gpu-3 --wait
  fleet-rollout start --backend vllm --inventory fleet.yaml --selector zone=eu --max-parallel 4 \\
    --max-unavailable 20% --canary 1 --promote 30m --batches 10%,50% --reason "CVE-2025-1234"
  fleet-rollout start --backend llama-cpp --inventory fleet.yaml --window "sat,sun 02:00-06:00 Europe/Berlin"
`;

/** Starts a rollout (and follows it with `--wait`). */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('start', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('start', positionals, []);
  const connection = resolveConnection(values);
  const { spec, fleet } = await specWithFrontend(values, connection.env);
  return await withClient(connection, async (client) => {
    const started = await startRollout(client, spec, {
      taskQueue: connection.taskQueue,
      attach: values.attach === true,
    });
    const webUrl = workflowUiUrl(connection.settings, started.workflowId, started.runId);
    if (values.json === true && values.wait !== true) {
      printJson({ workflowId: started.workflowId, runId: started.runId, webUrl, attached: started.attached });
      return ExitCode.Ok;
    }
    const info = values.json === true ? process.stderr : process.stdout;
    for (const node of fleet?.leftOut ?? []) info.write(`left out ${node.id}: ${node.reason}\n`);
    info.write(
      `${started.attached ? 'attached to' : 'started'} ${started.workflowId} run ${started.runId}\n  ${webUrl}\n`,
    );
    if (values.wait !== true) {
      info.write(`follow it with 'fleet-rollout watch ${started.backend}'\n`);
      return ExitCode.Ok;
    }
    const style = values.json === true ? { live: false, color: false } : outputStyle(process.stdout);
    const final = await followRollout(client, started.backend, {
      out: values.json === true ? process.stderr : process.stdout,
      style,
    });
    if (values.json === true) printJson(toStatusJson(final, webUrl));
    return outcomeExitCode(final.status);
  });
}
