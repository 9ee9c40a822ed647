/** `fleet-rollout history BACKEND [--run RUN]`: the past runs of a backend's rollout, newest first, with outcomes and controls. */
import {
  getStatus,
  rolloutHistory,
  toStatusJson,
  workflowUiUrl,
  type InstallChange,
  type RolloutRun,
} from '../../client/index.js';
import { controlEvents, type ControlEvent } from '../../client/control-events.js';
import { toHistoryRunDetailJson, toHistoryRunJson } from '../../client/history-json.js';
import { formatDuration } from '../../domain/duration.js';
import { expectPositionals, intFlag, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { controlEventText, runDetailText } from '../history-run.js';
import { formatTable, stateText, type OutputStyle } from '../render.js';
import { shortName } from '../status-text.js';
import { escapeText } from '../terminal-text.js';
import { resolveConnection, withClient } from '../session.js';

const OPTIONS = {
  ...TEMPORAL_FLAG_OPTIONS,
  ...OUTPUT_FLAG_OPTIONS,
  limit: { type: 'string' },
  run: { type: 'string' },
} as const;

const HELP = `Usage: fleet-rollout history BACKEND [--limit N | --run RUN] [-o text|json|jsonl|yaml]

Lists the runs of rollout:BACKEND, newest first: when, how long, the outcome (succeeded, failed,
aborted, or how Temporal ended it and why), node counts, the installs before → after, the
target it resolved (and from where), who asked and why, and the controls sent to it. A rollout
that continued as new is one run here.
With --run: that run's nodes and every control (pause, resume, abort, promote, skip, retry,
set-max-parallel) with when, who (user@host) and why.

Flags:
  --limit N                   at most N runs (default 20)
  --run RUN                   one run in detail (a run id from the list)
${OUTPUT_FLAGS_HELP}                              documents: HistoryRunJsonSchema, with --run HistoryRunDetailJsonSchema
                              (schemaVersion 1, every key present, unknown null, times ISO 8601)
  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout history llama-cpp
  fleet-rollout history llama-cpp --json | jq '.[0].outcome'
  fleet-rollout history llama-cpp --run 0192c1d4-…
`;

/** `v1.4.2 → v1.4.3 (10), v1.4.1 → v1.4.3 (2)`, or `-`. */
function installsText(installs: readonly InstallChange[] | undefined): string {
  if (installs === undefined || installs.length === 0) return '-';
  const name = (n: string | null): string => (n === null ? '?' : shortName(n));
  return installs.map((c) => `${name(c.from)} → ${name(c.to)} (${c.nodes})`).join(', ');
}

/** Prints a backend's rollout history. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('history', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('history', positionals, ['BACKEND']);
  const limit = values.limit === undefined ? 20 : intFlag('--limit', values.limit, 1, 1_000);
  const output = outputFrom(values);
  const connection = resolveConnection(values);
  return await withClient(connection, async (client) => {
    if (values.run !== undefined) {
      const snapshot = await getStatus(client, backend, { runId: values.run });
      const events = await controlEvents(client, snapshot.workflowId, snapshot.runId);
      const webUrl = workflowUiUrl(connection.settings, snapshot.workflowId, snapshot.runId);
      writeDocument(output, toHistoryRunDetailJson(toStatusJson(snapshot, webUrl), events), () =>
        runDetailText(output.style, snapshot.status, events, { ...snapshot, webUrl }),
      );
      return ExitCode.Ok;
    }
    const found = await rolloutHistory(client, backend, { limit });
    const runs = await Promise.all(
      found.map(async (r) => ({ ...r, controls: await controlEvents(client, r.workflowId, r.runId) })),
    );
    writeDocument(
      output,
      runs.map((r) => toHistoryRunJson(r, r.controls)),
      () => (runs.length === 0 ? [`no rollouts of ${backend} yet`] : historyTable(output.style, runs)),
    );
    return ExitCode.Ok;
  });
}

function historyTable(style: OutputStyle, runs: readonly (RolloutRun & { controls: ControlEvent[] })[]): string[] {
  const rows = runs.map((r) => [
    r.startedAt.toISOString(),
    r.closedAt === undefined ? '-' : formatDuration(r.closedAt.getTime() - r.startedAt.getTime()),
    stateText(style, r.outcome),
    r.counts === undefined
      ? '-'
      : `${r.counts.succeeded}/${r.counts.total} ok, ${r.counts.failed} failed, ${r.counts.skipped} skipped`,
    installsText(r.installs),
    escapeText(r.target ?? '-'),
    escapeText(r.requestedBy ?? ''),
    escapeText(r.reason ?? ''),
    r.controls.length === 0 ? '-' : r.controls.map(controlEventText).join('; '),
    r.runId,
  ]);
  return formatTable(
    ['STARTED', 'TOOK', 'OUTCOME', 'NODES', 'VERSIONS', 'TARGET', 'BY', 'REASON', 'CONTROLS', 'RUN'],
    rows,
  );
}
