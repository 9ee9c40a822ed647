/**
 * `fleet-rollout agent`: serves one node, with the real installer and process supervisor, or
 * with `--simulate`, a simulated node. Runs until SIGTERM or SIGINT, then exits 0.
 */
import { startAgent, startSimulatedFleet, serveUntilSignal, type Gallery } from '../../agent/index.js';
import { createLogger } from '../../log.js';
import { agentMetrics } from '../../metrics/agent-metrics.js';
import { serveMetrics, type MetricsServer } from '../../metrics/metrics-server.js';
import { connectNats } from '../../nats/index.js';
import { nodeToken } from '../../protocol/index.js';
import { durationFlagValue, expectPositionals, MS_ALIASES_HELP, parseCommandArgs } from '../args.js';
import { ExitCode, UsageError } from '../exit.js';
import {
  INSTALL_LIMIT_FLAG_OPTIONS,
  INSTALL_LIMIT_FLAGS_HELP,
  parseInstallLimitFlags,
} from '../install-limit-flags.js';
import { metricsListenFromFlags, METRICS_FLAG_OPTIONS, METRICS_FLAGS_HELP } from '../metrics-flags.js';
import { describeServers, NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { parseSimulationFlags, SIMULATION_FLAG_OPTIONS, SIMULATION_FLAGS_HELP } from '../simulation-flags.js';

const AGENT_FLAG_OPTIONS = {
  'node-id': { type: 'string' },
  'backends-dir': { type: 'string' },
  gallery: { type: 'string', multiple: true },
  simulate: { type: 'boolean' },
  'shutdown-grace': { type: 'string' },
  'ready-timeout': { type: 'string' },
  'stop-grace': { type: 'string' },
  'extract-delay': { type: 'string' },
  'shutdown-grace-ms': { type: 'string' },
  'ready-timeout-ms': { type: 'string' },
  'stop-grace-ms': { type: 'string' },
  'extract-delay-ms': { type: 'string' },
  ...INSTALL_LIMIT_FLAG_OPTIONS,
  ...SIMULATION_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
  ...METRICS_FLAG_OPTIONS,
} as const;

const USAGE = `Usage: fleet-rollout agent --node-id ID --backends-dir DIR [flags]
       fleet-rollout agent --node-id ID --simulate --backend NAME@VERSION [simulation flags]

Serves one node on NATS with LocalAI's distributed-mode protocol (backend.list, .upgrade,
.install, .stop, .delete, models.running). Stops on SIGTERM: no new requests, running installs
get --shutdown-grace to finish (an abandoned one leaves the installed version in place).

Agent flags:
  --node-id ID              the node id (required)
  --backends-dir DIR        where backends are installed (real mode; created when missing)
  --gallery URL             gallery index (YAML or JSON, file:// or http(s)://) used when a request
                            names no galleries; repeat for several
  --simulate                pretend to install: no files, no processes (see simulation flags)
  --shutdown-grace D        how long running operations may finish after SIGTERM (default 30s; 0: none)
  --ready-timeout D         how long a started backend may take to listen (default 30s)
  --stop-grace D            SIGTERM to SIGKILL grace for backend processes (default 5s; 0: none)
  --extract-delay D         stretch each extraction over at least D (for crash-recovery tests; default 0)
${METRICS_FLAGS_HELP}  -h, --help                this help

${INSTALL_LIMIT_FLAGS_HELP}
${SIMULATION_FLAGS_HELP}(--legacy also applies without --simulate.)

${MS_ALIASES_HELP}
${NATS_FLAGS_HELP}
Examples:
  fleet-rollout agent --node-id gpu-1 --backends-dir /var/lib/fleet-rollout/backends \\
    --gallery https://example.com/backends/index.yaml --nats-url nats://nats.internal:4222
  fleet-rollout agent --node-id sim-1 --simulate --backend llama-cpp@v1.2.3 --install-time 500ms-3s --replicas 2
`;

/** The simulation flags that mean nothing to a real agent (`--legacy` does). */
const SIMULATION_ONLY = Object.keys(SIMULATION_FLAG_OPTIONS).filter(
  (name): name is Exclude<keyof typeof SIMULATION_FLAG_OPTIONS, 'legacy'> => name !== 'legacy',
);

/** Runs the agent until a signal; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('agent', args, AGENT_FLAG_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  expectPositionals('agent', positionals, []);
  const nodeId = values['node-id'];
  if (nodeId === undefined || nodeId === '') throw new UsageError('--node-id is required, e.g. --node-id gpu-1');
  try {
    nodeToken(nodeId);
  } catch (err) {
    throw new UsageError(`--node-id: ${(err as Error).message}`);
  }
  const shutdownGraceMs =
    durationFlagValue(values, 'shutdown-grace', { old: 'shutdown-grace-ms', zero: true }) ?? 30_000;
  const natsOptions = natsOptionsFromFlags(values);
  const simulate = values.simulate === true;
  if (!simulate) {
    const stray = SIMULATION_ONLY.find((name) => values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} only applies with --simulate`);
    if (values['backends-dir'] === undefined)
      throw new UsageError('--backends-dir DIR is required (or --simulate), e.g. --backends-dir ./backends');
  }
  const knobs = simulate ? parseSimulationFlags(values) : undefined;
  const galleries: Gallery[] = (values.gallery ?? []).map((url) => ({ url, name: url }));
  const readyTimeoutMs = durationFlagValue(values, 'ready-timeout', { old: 'ready-timeout-ms' });
  const stopGraceMs = durationFlagValue(values, 'stop-grace', { old: 'stop-grace-ms', zero: true });
  const extractDelayMs = durationFlagValue(values, 'extract-delay', { old: 'extract-delay-ms', zero: true });
  const installLimits = parseInstallLimitFlags(values);

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
