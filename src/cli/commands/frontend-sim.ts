/**
 * `fleet-rollout frontend-sim`: the simulated LocalAI frontend on its own, in front of nodes served
 * by another process (a `fleet`, or `agent` processes), reached over NATS only.
 */
import { startFleetFrontend } from '../../agent/simulated/frontend/fleet-wiring.js';
import { serveUntilSignal } from '../../agent/node/shutdown.js';
import { createLogger } from '../../log.js';
import { connectNats } from '../../nats/index.js';
import { expectPositionals, listFlag, MS_ALIASES_HELP, parseCommandArgs } from '../args.js';
import { ExitCode, UsageError } from '../exit.js';
import { FRONTEND_FLAG_OPTIONS, FRONTEND_FLAGS_HELP, frontendOptionsFromFlags } from '../frontend-flags.js';
import { NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';

const OPTIONS = {
  nodes: { type: 'string' },
  backend: { type: 'string', multiple: true },
  models: { type: 'string' },
  ...FRONTEND_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
} as const;

const HELP = `Usage: fleet-rollout frontend-sim --nodes IDS (--backend NAME | --models M=B,…) --frontend-listen HOST:PORT [flags]

Serves a simulated LocalAI frontend for nodes that another process serves over NATS (a 'fleet',
or 'agent' processes). At start it asks each node models.running and records a loaded row for
every process of a known model. Stops on SIGTERM.

Flags:
  --nodes IDS                 comma-separated node ids, e.g. node-0,node-1
  --backend NAME              a simulated backend: its model is NAME-model (repeatable)
  --models M=B,…              models and the backend each runs, e.g. qwen=llama-cpp
  -h, --help                  this help

${FRONTEND_FLAGS_HELP}
${MS_ALIASES_HELP}
${NATS_FLAGS_HELP}
Example:
  fleet-rollout frontend-sim --nodes node-0,node-1,node-2 --backend llama-cpp \\
    --frontend-listen 127.0.0.1:8080 --frontend-min-replicas 3 --traffic-rps 10
`;

function catalogFrom(backends: readonly string[], models: string | undefined): Map<string, string> {
  const catalog = new Map(backends.map((b) => [`${b}-model`, b]));
  for (const pair of (models ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [model, backend] = pair.split('=').map((s) => s.trim());
    if (model === undefined || model === '' || backend === undefined || backend === '')
      throw new UsageError(`--models: "${pair}" is not MODEL=BACKEND, e.g. qwen=llama-cpp`);
    catalog.set(model, backend);
  }
  if (catalog.size === 0) throw new UsageError('--backend or --models: name at least one model the nodes run');
  return catalog;
}

/** Serves until a signal; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('frontend-sim', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('frontend-sim', positionals, []);
  const ids = listFlag(values.nodes ?? '');
  if (ids.length === 0) throw new UsageError('--nodes: required; list the node ids, e.g. --nodes node-0,node-1');
  if (values['frontend-listen'] === undefined)
    throw new UsageError('--frontend-listen: required; where to serve, e.g. 127.0.0.1:8080');
  const catalog = catalogFrom(values.backend ?? [], values.models);
  const options = frontendOptionsFromFlags(values, ids, [...catalog.keys()]);
  if (options === undefined) return ExitCode.Usage;
  const natsOptions = natsOptionsFromFlags(values);
  const log = createLogger();
  const nc = await connectNats({ ...natsOptions, name: 'fleet-rollout frontend-sim' });
  const frontend = await startFleetFrontend(nc, log, { ...options, catalog });
  return await serveUntilSignal(nc, log, async () => {
    await frontend.stop();
  });
}
