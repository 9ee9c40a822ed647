/**
 * `fleet-rollout agent`: serves one node, with the real installer and process supervisor, or
 * with `--simulate`, a simulated node. Runs until SIGTERM or SIGINT, then exits 0.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startAgent, startSimulatedFleet, serveUntilSignal, type Gallery } from '../../agent/index.js';
import {
  FlagError,
  parseSimulationFlags,
  SIMULATION_FLAG_OPTIONS,
  SIMULATION_FLAGS_HELP,
} from '../../agent/simulation-flags.js';
import {
  INSTALL_LIMIT_FLAG_OPTIONS,
  INSTALL_LIMIT_FLAGS_HELP,
  parseInstallLimitFlags,
} from '../../agent/installer/limit-flags.js';
import { createLogger } from '../../log.js';
import { agentMetrics } from '../../metrics/agent-metrics.js';
import { serveMetrics, type MetricsServer } from '../../metrics/metrics-server.js';
import { connectNats } from '../../nats/index.js';
import { nodeToken } from '../../protocol/index.js';
import { ExitCode, UsageError } from '../exit.js';
import {
  describeServers,
  HELP_FLAG_OPTIONS,
  NATS_FLAG_OPTIONS,
  NATS_FLAGS_HELP,
  natsOptionsFromFlags,
  parseFlagsOrUsage,
} from '../nats-flags.js';
import { metricsListenFromFlags, METRICS_FLAG_OPTIONS, METRICS_FLAGS_HELP } from '../metrics-flags.js';

const AGENT_FLAG_OPTIONS = {
  'node-id': { type: 'string' },
  'backends-dir': { type: 'string' },
  gallery: { type: 'string', multiple: true },
  simulate: { type: 'boolean' },
  'shutdown-grace-ms': { type: 'string' },
  'ready-timeout-ms': { type: 'string' },
  'stop-grace-ms': { type: 'string' },
  'extract-delay-ms': { type: 'string' },
  ...INSTALL_LIMIT_FLAG_OPTIONS,
  ...SIMULATION_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  ...METRICS_FLAG_OPTIONS,
  ...HELP_FLAG_OPTIONS,
} as const;

const USAGE = `Usage: fleet-rollout agent --node-id ID --backends-dir DIR [flags]
       fleet-rollout agent --node-id ID --simulate --backend NAME@VERSION [simulation flags]

Serves one node on NATS with LocalAI's distributed-mode protocol (backend.list, .upgrade,
.install, .stop, .delete, models.running). Stops on SIGTERM: no new requests, running installs
get --shutdown-grace-ms to finish (an abandoned one leaves the installed version in place).

Agent flags:
  --node-id ID              the node id (required)
  --backends-dir DIR        where backends are installed (real mode; created when missing)
  --gallery URL             gallery index (YAML or JSON, file:// or http(s)://) used when a request
                            names no galleries; repeat for several
  --simulate                pretend to install: no files, no processes (see simulation flags)
  --shutdown-grace-ms MS    how long running operations may finish after SIGTERM (default 30000)
  --ready-timeout-ms MS     how long a started backend may take to listen (default 30000)
  --stop-grace-ms MS        SIGTERM to SIGKILL grace for backend processes (default 5000)
  --extract-delay-ms MS     stretch each extraction over at least MS (for crash-recovery tests)
${METRICS_FLAGS_HELP}  -h, --help                this help

${INSTALL_LIMIT_FLAGS_HELP}
${SIMULATION_FLAGS_HELP}(--legacy also applies without --simulate.)

${NATS_FLAGS_HELP}
Examples:
  fleet-rollout agent --node-id gpu-1 --backends-dir /var/lib/fleet-rollout/backends \\
    --gallery https://example.com/backends/index.yaml --nats-url nats://nats.internal:4222
  fleet-rollout agent --node-id sim-1 --simulate --backend llama-cpp@v1.2.3 --install-ms 500-3000 --replicas 2
`;

const SIMULATION_ONLY = [
  'backend',
  'install-ms',
  'fail-rate',
  'fail-version',
  'fail-start',
  'hang-ms',
  'crash-at',
  'crash-restart-ms',
  'replicas',
  'seed',
] as const;

const ms = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = z.coerce.number().int().nonnegative().safeParse(value);
  if (!parsed.success) throw new UsageError(`--${flag} "${value}": expected a whole number of milliseconds, e.g. 5000`);
  return parsed.data;
};

/** Runs the agent until a signal; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseFlagsOrUsage('agent', () =>
    parseArgs({ args, options: AGENT_FLAG_OPTIONS, strict: true, allowPositionals: false }),
  );
  if (values.help === true) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  const nodeId = values['node-id'];
  if (nodeId === undefined || nodeId === '') throw new UsageError('--node-id is required, e.g. --node-id gpu-1');
  try {
    nodeToken(nodeId);
  } catch (err) {
    throw new UsageError(`--node-id: ${(err as Error).message}`);
  }
  const shutdownGraceMs = ms('shutdown-grace-ms', values['shutdown-grace-ms']) ?? 30_000;
  const natsOptions = natsOptionsFromFlags(values);
  const simulate = values.simulate === true;
  if (!simulate) {
    const stray = SIMULATION_ONLY.find((name) => values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} only applies with --simulate`);
    if (values['backends-dir'] === undefined)
      throw new UsageError('--backends-dir DIR is required (or --simulate), e.g. --backends-dir ./backends');
  }
  let knobs: ReturnType<typeof parseSimulationFlags> | undefined;
  try {
    knobs = simulate ? parseSimulationFlags(values) : undefined;
  } catch (err) {
    if (err instanceof FlagError) throw new UsageError(err.message);
    throw err;
  }
  const galleries: Gallery[] = (values.gallery ?? []).map((url) => ({ url, name: url }));
  const readyTimeoutMs = ms('ready-timeout-ms', values['ready-timeout-ms']);
  const stopGraceMs = ms('stop-grace-ms', values['stop-grace-ms']);
  const extractDelayMs = ms('extract-delay-ms', values['extract-delay-ms']);
  let installLimits: ReturnType<typeof parseInstallLimitFlags>;
  try {
    installLimits = parseInstallLimitFlags(values);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const metricsListen = await metricsListenFromFlags(values['metrics-listen']);
  const log = createLogger();
  const nc = await connectNats({ ...natsOptions, name: `fleet-rollout agent ${nodeId}` });
  const metrics: MetricsServer | undefined =
    metricsListen === undefined ? undefined : await serveMetrics(metricsListen, agentMetrics.registry);
  if (metrics !== undefined) console.log(`agent ${nodeId} metrics on ${metrics.url}`);
  const servers = describeServers(natsOptions);
  if (knobs !== undefined) {
    const node = {
      id: nodeId,
      ...knobs.node,
      hangMs: knobs.hangMs ?? 0,
      failRate: knobs.failRate ?? 0,
      ...(knobs.failVersion !== undefined ? { failVersion: knobs.failVersion } : {}),
      ...(knobs.failStart !== undefined ? { failStart: knobs.failStart } : {}),
    };
    const fleet = await startSimulatedFleet({ nc, nodes: [node], log, seed: knobs.seed });
    const installed = [
      `${node.backend}@${node.version}`,
      ...(node.otherBackends ?? []).map((b) => `${b.name}@${b.version}`),
    ].join(', ');
    console.log(
      `agent ${nodeId} serving on ${servers} (simulated: ${installed}${node.legacy === true ? ', legacy' : ''})`,
    );
    return await serveUntilSignal(nc, log, async () => {
      await fleet.stop(shutdownGraceMs);
      await metrics?.close();
    });
  }
  const agent = await startAgent({
    nc,
    nodeId,
    backendsDir: values['backends-dir'] ?? '',
    galleries,
    log,
    legacy: values.legacy === true,
    ...(readyTimeoutMs !== undefined ? { readyTimeoutMs } : {}),
    ...(stopGraceMs !== undefined ? { stopGraceMs } : {}),
    ...(extractDelayMs !== undefined ? { extractDelayMs } : {}),
    installLimits,
  });
  console.log(`agent ${nodeId} serving on ${servers} (backends dir ${agent.backendsDir})`);
  return await serveUntilSignal(nc, log, async () => {
    await agent.stop(shutdownGraceMs);
    await metrics?.close();
  });
}
