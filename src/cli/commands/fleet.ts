/**
 * `fleet-rollout fleet`: serves N simulated nodes (`P0 … P(N-1)`) from one process over one NATS
 * connection, each with its own subscriptions, for tests, the demo and benchmarks.
 */
import { z } from 'zod';
import { startSimulatedFleet, serveUntilSignal, type SimulatedNodeInput } from '../../agent/index.js';
import { startFleetFrontend } from '../../agent/simulated/frontend/fleet-wiring.js';
import { formatDuration } from '../../domain/duration.js';
import { createLogger } from '../../log.js';
import { connectNats } from '../../nats/index.js';
import { durationFlagValue, expectPositionals, listFlag, MS_ALIASES_HELP, parseCommandArgs } from '../args.js';
import { ExitCode, UsageError } from '../exit.js';
import { FRONTEND_FLAG_OPTIONS, FRONTEND_FLAGS_HELP, fleetFrontendOptions } from '../frontend-flags.js';
import { describeServers, NATS_FLAG_OPTIONS, NATS_FLAGS_HELP, natsOptionsFromFlags } from '../nats-flags.js';
import { parseSimulationFlags, SIMULATION_FLAG_OPTIONS, SIMULATION_FLAGS_HELP } from '../simulation-flags.js';

const FLEET_FLAG_OPTIONS = {
  nodes: { type: 'string' },
  prefix: { type: 'string' },
  'legacy-nodes': { type: 'string', multiple: true },
  'slow-nodes': { type: 'string', multiple: true },
  'fail-nodes': { type: 'string', multiple: true },
  'fail-start-nodes': { type: 'string', multiple: true },
  'crash-nodes': { type: 'string', multiple: true },
  'state-dir': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'shutdown-grace-ms': { type: 'string' },
  ...SIMULATION_FLAG_OPTIONS,
  ...FRONTEND_FLAG_OPTIONS,
  ...NATS_FLAG_OPTIONS,
} as const;

/** Hang of `--slow-nodes` when `--hang` is not given. */
const DEFAULT_SLOW_HANG_MS = 30_000;

const USAGE = `Usage: fleet-rollout fleet --nodes N --backend NAME@VERSION [flags]

Serves N simulated nodes, ids P0 … P(N-1), from one process and one NATS connection. Each node
has its own subscriptions, state and seeded random generator. Stops on SIGTERM.

Fleet flags:
  --nodes N                 how many nodes (required), e.g. 1000
  --prefix P                node id prefix (default node-): node-0, node-1, …
  --legacy-nodes IDS        comma-separated ids serving no backend.upgrade (--legacy: every node)
  --slow-nodes IDS          ids that reply only after --hang (default ${formatDuration(DEFAULT_SLOW_HANG_MS)}); without this
                            list, --hang applies to every node
  --fail-nodes IDS          ids that fail installs: per --fail-version/--fail-rate when given, else
                            every install; without this list those flags apply to every node
  --fail-start-nodes IDS    ids whose start checks fail per --fail-start (default pattern *, every
                            start); without this list --fail-start applies to every node
  --crash-nodes IDS         ids that crash once per --crash-at (default downloading); without this
                            list --crash-at applies to every node
  --state-dir DIR           keep every node's installs (installed_at, version, digest, uri) in DIR: a
                            fleet killed and started again on DIR comes back on the same installs,
                            with no processes running (as restarted workers)
  --shutdown-grace D        how long running installs may finish after SIGTERM (default 5s; 0: none)
  -h, --help                this help

${SIMULATION_FLAGS_HELP}
${FRONTEND_FLAGS_HELP}
${MS_ALIASES_HELP}
${NATS_FLAGS_HELP}
Examples:
  fleet-rollout fleet --nodes 1000 --prefix gpu- --backend llama-cpp@v1.2.3 --install-time 500ms-3s
  fleet-rollout fleet --nodes 6 --backend llama-cpp@v1.2.3 --replicas 2 \\
    --legacy-nodes node-1 --slow-nodes node-2 --hang 20s --fail-nodes node-3 --seed demo
`;

/** Runs the fleet until a signal; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('fleet', args, FLEET_FLAG_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE);
    return ExitCode.Ok;
  }
  expectPositionals('fleet', positionals, []);
  const count = z.coerce.number().int().min(1).max(100_000).safeParse(values.nodes);
  if (values.nodes === undefined || !count.success)
    throw new UsageError(
      `--nodes ${values.nodes ?? '(missing)'}: expected a count from 1 to 100000, e.g. --nodes 1000`,
    );
  const prefix = values.prefix ?? 'node-';
  const graceMs = durationFlagValue(values, 'shutdown-grace', { old: 'shutdown-grace-ms', zero: true }) ?? 5_000;
  const knobs = parseSimulationFlags(values);
  const ids = Array.from({ length: count.data }, (_, i) => `${prefix}${i}`);
  const known = new Set(ids);
  const listed = (
    flag: 'legacy-nodes' | 'slow-nodes' | 'fail-nodes' | 'fail-start-nodes' | 'crash-nodes',
  ): Set<string> | undefined => {
    if (values[flag] === undefined) return undefined;
    const list = (values[flag] ?? []).flatMap(listFlag);
    const unknown = list.find((id) => !known.has(id));
    if (unknown !== undefined)
      throw new UsageError(
        `--${flag}: "${unknown}" is not a node of this fleet (ids are ${prefix}0 … ${prefix}${count.data - 1})`,
      );
    return new Set(list);
  };
  const legacy = listed('legacy-nodes');
  const slow = listed('slow-nodes');
  const failing = listed('fail-nodes');
  const failingStart = listed('fail-start-nodes');
  const crashing = listed('crash-nodes');
  const startFailure = (id: string): { failStart?: string } => {
    if (failingStart === undefined) return knobs.failStart === undefined ? {} : { failStart: knobs.failStart };
    return failingStart.has(id) ? { failStart: knobs.failStart ?? '*' } : {};
  };
  const crash = (id: string): { crashAt?: SimulatedNodeInput['crashAt'] } => {
    if (crashing === undefined) return knobs.node.crashAt === undefined ? {} : { crashAt: knobs.node.crashAt };
    return crashing.has(id) ? { crashAt: knobs.node.crashAt ?? 'downloading' } : {};
  };
  const { crashAt: _everyNode, ...common } = knobs.node;
  const nodes: SimulatedNodeInput[] = ids.map((id) => {
    const hangMs = slow === undefined ? (knobs.hangMs ?? 0) : slow.has(id) ? (knobs.hangMs ?? DEFAULT_SLOW_HANG_MS) : 0;
    const fails = failing === undefined || failing.has(id);
    const failRate = !fails
      ? 0
      : (knobs.failRate ?? (failing !== undefined && knobs.failVersion === undefined ? 1 : 0));
    return {
      ...common,
      id,
      legacy: knobs.node.legacy === true || (legacy?.has(id) ?? false),
      hangMs,
      failRate,
      ...(fails && knobs.failVersion !== undefined ? { failVersion: knobs.failVersion } : {}),
      ...startFailure(id),
      ...crash(id),
    };
  });

  const frontendOptions = fleetFrontendOptions(values, ids, knobs.node);
  const natsOptions = natsOptionsFromFlags(values);
  const log = createLogger();
  const nc = await connectNats({ ...natsOptions, name: `fleet-rollout fleet ${prefix}*` });
  const stateDir = values['state-dir'];
  const fleet = await startSimulatedFleet({
    nc,
    nodes,
    log,
    seed: knobs.seed,
    ...(stateDir !== undefined ? { stateDir } : {}),
  });
  const count3 = (f: (n: SimulatedNodeInput) => boolean): number => nodes.filter(f).length;
  const mix = [
    `legacy ${count3((n) => n.legacy === true)}`,
    `slow ${count3((n) => (n.hangMs ?? 0) > 0)}`,
    `failing ${count3((n) => (n.failRate ?? 0) > 0 || n.failVersion !== undefined)}`,
    `failing start ${count3((n) => n.failStart !== undefined)}`,
  ].join(', ');
  const last = ids[ids.length - 1] ?? '';
  console.log(
    `fleet: ${ids.length} nodes serving on ${describeServers(natsOptions)} (${ids[0] ?? ''} … ${last}; ${knobs.node.backend}@${knobs.node.version}; ${mix})`,
  );
  const frontend = frontendOptions === undefined ? undefined : await startFleetFrontend(nc, log, frontendOptions);
  return await serveUntilSignal(nc, log, async () => {
    await frontend?.stop();
    await fleet.stop(graceMs);
  });
}
