/**
 * `fleet-rollout status BACKEND [-o text|json|jsonl|yaml]`: one look at a rollout — phase, what it waits for,
 * counts, every node with live progress — as text or as the documented JSON document
 * (`StatusJsonSchema` in src/client/status-json.ts).
 */
import { controlEvents } from '../../client/control-events.js';
import { getStatus, toStatusJson, workflowUiUrl } from '../../client/index.js';
import { isSettled, isSucceeded } from '../../domain/rollout-phase.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { controlEventText } from '../history-run.js';
import { statusText } from '../render.js';
import { resolveConnection, withClient } from '../session.js';

const OPTIONS = { ...TEMPORAL_FLAG_OPTIONS, ...OUTPUT_FLAG_OPTIONS, 'run-id': { type: 'string' } } as const;

const HELP = `Usage: fleet-rollout status BACKEND [--run-id RUN] [-o text|json|jsonl|yaml]

Shows the rollout of BACKEND (its latest run): phase, what it is waiting for, counts, policy
numbers and every node (state, attempts, fallback, duration, error), with the live progress of
nodes in flight. Exit code: 0, or 1 when the rollout failed, halted or was aborted.

Flags:
  --run-id RUN                this run (and the runs it continued as), not the latest
${OUTPUT_FLAGS_HELP}                              documents: schemaVersion 1, every key always present, unknown values
                              null, times ISO 8601, waves from 1 (the same in json, jsonl and yaml)
  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout status llama-cpp
  fleet-rollout status llama-cpp --json | jq '.nodes[] | select(.state == "failed")'
  fleet-rollout status llama-cpp -o yaml
`;

/** Prints the status of one rollout. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('status', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('status', positionals, ['BACKEND']);
  const output = outputFrom(values);
  const connection = resolveConnection(values);
  return await withClient(connection, async (client) => {
    const runId = values['run-id'];
    const snapshot = await getStatus(client, backend, runId === undefined ? {} : { runId });
    const webUrl = workflowUiUrl(connection.settings, snapshot.workflowId, snapshot.runId);
    // Who sent the last control (pause, resume, promote, abort, …) and why: read from the run's history for text.
    const events =
      output.format === 'text'
        ? await controlEvents(client, snapshot.workflowId, snapshot.runId, { maxRuns: 1 }).catch(() => [])
        : [];
    const last = events.at(-1);
    writeDocument(output, toStatusJson(snapshot, webUrl), () => {
      const lines = statusText(output.style, snapshot.status, { ...snapshot, webUrl });
      if (last !== undefined) lines.splice(1, 0, `last control: ${controlEventText(last)} at ${last.at}`);
      return lines;
    });
    const phase = snapshot.status.phase;
    return isSettled(phase) && !isSucceeded(phase) ? ExitCode.RolloutFailed : ExitCode.Ok;
  });
}
