/**
 * `fleet-rollout list`: rollouts from Temporal's visibility store, newest first, filtered by
 * backend, phase or running state.
 */
import { listRollouts, type ListRolloutsOptions } from '../../client/index.js';
import { toRolloutListItemJson } from '../../client/list-json.js';
import { RolloutPhase } from '../../workflows/status.js';
import { expectPositionals, intFlag, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { formatTable, stateText } from '../render.js';
import { escapeText } from '../terminal-text.js';
import { resolveConnection, withClient } from '../session.js';

const OPTIONS = {
  ...TEMPORAL_FLAG_OPTIONS,
  backend: { type: 'string' },
  phase: { type: 'string' },
  running: { type: 'boolean' },
  limit: { type: 'string' },
  ...OUTPUT_FLAG_OPTIONS,
} as const;

const PHASES = Object.values(RolloutPhase) as string[];

const HELP = `Usage: fleet-rollout list [--backend NAME] [--phase PHASE] [--running] [--limit N] [-o text|json|jsonl|yaml]

Lists rollouts, newest first, from the search attributes RolloutBackend and RolloutPhase
(the same ones the Temporal Web UI filters on).

Flags:
  --backend NAME              only this backend
  --phase PHASE               only this phase: ${PHASES.join(', ')}
  --running                   only rollouts still running
  --limit N                   at most N (default 100)
${OUTPUT_FLAGS_HELP}                              documents: RolloutListItemJsonSchema (schemaVersion 1, every key present, unknown null)
  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout list --running
  fleet-rollout list --phase halted
`;

/** Lists rollouts. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('list', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('list', positionals, []);
  const filters: ListRolloutsOptions = {
    limit: values.limit === undefined ? 100 : intFlag('--limit', values.limit, 1, 10_000),
  };
  if (values.backend !== undefined) filters.backend = values.backend;
  if (values.phase !== undefined) {
    if (!PHASES.includes(values.phase))
      throw new UsageError(`--phase: "${values.phase}" is not one of ${PHASES.join(', ')}`);
    filters.phase = values.phase as RolloutPhase;
  }
  if (values.running === true) filters.running = true;
  const output = outputFrom(values);
  return await withClient(resolveConnection(values), async (client) => {
    const rollouts = await listRollouts(client, filters);
    const style = output.style;
    const rows = rollouts.map((r) => [
      escapeText(r.backend),
      stateText(style, r.phase ?? '?'),
      r.progressPct === undefined ? '-' : `${r.progressPct}%`,
      String(r.failedNodes ?? 0),
      r.execution.toLowerCase(),
      r.startedAt.toISOString(),
      escapeText(r.requestedBy ?? ''),
    ]);
    const header = ['BACKEND', 'PHASE', 'PROGRESS', 'FAILED', 'EXECUTION', 'STARTED', 'REQUESTED BY'];
    writeDocument(output, rollouts.map(toRolloutListItemJson), () =>
      rollouts.length === 0 ? ['no rollouts match'] : formatTable(header, rows),
    );
    return ExitCode.Ok;
  });
}
