/**
 * `fleet-rollout nodes BACKEND [--nodes IDS]`: asks each node `backend.list` over NATS and prints
 * what it has installed of BACKEND right now: the check after an abort caught nodes mid-upgrade.
 * Without `--nodes`, the nodes of the latest rollout of BACKEND (read from Temporal).
 */
import { getStatus } from '../../client/index.js';
import { toNodeInstallJson, type NodeInstallJson } from '../../client/nodes-json.js';
import { discoverNodes } from '../../nats/discovery.js';
import { createLogger } from '../../log.js';
import { connectNats } from '../../nats/index.js';
import { durationFlag, expectPositionals, listFlag, parseCommandArgs } from '../args.js';
import { effectiveEnv, TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, outputFrom, writeDocument } from '../output.js';
import { formatTable } from '../render.js';
import { resolveConnection, withClient } from '../session.js';
import { shortName } from '../status-text.js';
import { escapeText } from '../terminal-text.js';

const OPTIONS = {
  ...TEMPORAL_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  ...OUTPUT_FLAG_OPTIONS,
  nodes: { type: 'string' },
  'list-timeout': { type: 'string' },
} as const;

const HELP = `Usage: fleet-rollout nodes BACKEND [--nodes IDS] [-o text|json|jsonl|yaml]

Asks each node over NATS (backend.list) what it has installed of BACKEND right now: version,
digest, install time and source. Use it after an abort to see whether the nodes caught
mid-upgrade applied the upgrade. Without --nodes: every node of the latest rollout of BACKEND.
Exit code: 0 when every node reported BACKEND; 1 when one did not answer or does not have it.

Flags:
  --nodes IDS                 comma-separated node ids (no Temporal needed then)
  --list-timeout DURATION     backend.list timeout per node, with a unit: 5s, 30s (default 10s)
${OUTPUT_FLAGS_HELP}                              documents: NodeInstallJsonSchema (schemaVersion 1, every key present, unknown null)
  -h, --help                  this help

${NATS_FLAGS_HELP}
${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout nodes llama-cpp --nodes gpu-3,gpu-7
  fleet-rollout nodes llama-cpp -o json | jq '.[] | select(.installed == null)'
`;

async function rolloutNodeIds(values: Parameters<typeof resolveConnection>[0], backend: string): Promise<string[]> {
  return await withClient(resolveConnection(values), async (client) => {
    const snapshot = await getStatus(client, backend);
    return snapshot.status.nodes.map((n) => n.id);
  });
}

/** Asks the nodes and prints what each has installed. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('nodes', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('nodes', positionals, ['BACKEND']);
  const output = outputFrom(values);
  const timeout = values['list-timeout'];
  const listTimeoutMs = timeout === undefined ? 10_000 : durationFlag('--list-timeout', timeout);
  const ids = values.nodes === undefined ? await rolloutNodeIds(values, backend) : listFlag(values.nodes);
  if (ids.length === 0) throw new UsageError('--nodes: no node ids given; write them like gpu-1,gpu-2');

  const nc = await connectNats(natsOptionsFromFlags(values, effectiveEnv(values.config)));
  let result: NodeInstallJson[];
  try {
    const log = createLogger({ level: 'silent' });
    const found = await discoverNodes({ nc, log, listTimeoutMs }, { backend, nodeIds: ids, askReplicas: [] });
    const byId = new Map<string, NodeInstallJson>();
    for (const f of found.found) byId.set(f.id, toNodeInstallJson(f.id, backend, { installed: f.installed }));
    for (const s of found.skipped) byId.set(s.id, toNodeInstallJson(s.id, backend, { problem: s.reason }));
    result = ids.map((id) => byId.get(id) ?? toNodeInstallJson(id, backend, { problem: 'no answer recorded' }));
  } finally {
    await nc.close();
  }
  writeDocument(output, result, () =>
    formatTable(
      ['NODE', 'INSTALLED', 'INSTALLED AT', 'DIGEST', 'SOURCE'],
      result.map((n) => [
        escapeText(n.id),
        n.installed === null ? `- (${escapeText(n.problem ?? '')})` : shortName(n.installed.name),
        escapeText(n.installed?.installedAt ?? '-'),
        n.installed?.digest == null ? '-' : shortName(n.installed.digest),
        escapeText(n.installed?.uri ?? '-'),
      ]),
    ),
  );
  return result.every((n) => n.installed !== null) ? ExitCode.Ok : ExitCode.RolloutFailed;
}
