/**
 * The `--frontend-*` and `--traffic-*` flags of `fleet`: whether to serve a simulated LocalAI
 * frontend for the fleet, where, with which credentials, tick, scheduling and traffic. Errors
 * name the flag and the expected form.
 */
import { SimulatedProcesses } from '../agent/simulated/processes.js';
import type { FleetFrontendOptions } from '../agent/simulated/frontend/fleet-wiring.js';
import type { FrontendNode, SimulatedFrontendOptions } from '../agent/simulated/frontend/index.js';
import { durationFlagValue, listFlag } from './args.js';
import { UsageError } from './exit.js';
import type { NodeKnobs } from './simulation-flags.js';

/** `util.parseArgs` options. */
export const FRONTEND_FLAG_OPTIONS = {
  'frontend-listen': { type: 'string' },
  'frontend-api-key': { type: 'string' },
  'frontend-user-key': { type: 'string' },
  'frontend-registration-token': { type: 'string' },
  'frontend-tick': { type: 'string' },
  'frontend-min-replicas': { type: 'string' },
  'frontend-zones': { type: 'string' },
  'frontend-pending-nodes': { type: 'string' },
  'traffic-rps': { type: 'string' },
  'traffic-request-time': { type: 'string' },
  'traffic-request-ms': { type: 'string' },
} as const;

/** Help lines, including what the simulation leaves out. */
export const FRONTEND_FLAGS_HELP = `Simulated LocalAI frontend (distributed mode) for this fleet:
  --frontend-listen HOST:PORT   serve the node-registry API (GET /api/nodes, /api/nodes/:id/models,
                                drain, resume, approve, labels, scheduling, /api/node/* self-service)
  --frontend-api-key KEYS       admin keys, comma-separated; none: the admin routes are open
  --frontend-user-key KEYS      keys of non-admin users: 403 on the admin routes
  --frontend-registration-token T   token of the /api/node/* routes (none: open)
  --frontend-tick D             reconciler and health-check interval (default 30s, as LocalAI)
  --frontend-min-replicas N     a min_replicas N scheduling config for every simulated model
  --frontend-zones Z1,Z2,…      label node i with zone=Z(i mod count), for selectors
  --frontend-pending-nodes IDS  nodes that start pending (not approved)
  --traffic-rps N               simulated inference requests per second (default 0: none); counts at
                                GET /sim/traffic: failures because a process was killed or a row was stale
  --traffic-request-time D      how long each request runs (default 300ms)
  Same JSON bodies, status codes and quirks as LocalAI: drain deletes the node's model rows, resume
  forces healthy (even a pending node), one request shows in_flight 2, status stays healthy for up
  to a minute after a node dies, a node that answers again after silence comes back healthy (also
  from draining), a failed cold load is replayed to requests for 15 s.
  Left out: PostgreSQL (state is in memory), the inference routes (/v1/*; traffic is generated
  inside), real model loading (a load is backend.install with a model_id), worker heartbeats
  (liveness is models.running at each tick, so a restart quicker than a tick goes unseen), the
  per-model gRPC health probe (stale rows go by the reconciler's two misses), VRAM and
  max-replicas routes, backend install/upgrade/delete routes, user accounts and sessions. Node
  ids are the fleet's ids (LocalAI uses UUIDs).
`;

/** Raw flag values. */
export type FrontendFlagValues = { [K in keyof typeof FRONTEND_FLAG_OPTIONS]?: string | undefined };

const list = (text: string | undefined): string[] => listFlag(text ?? '');

function count(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value))
    throw new UsageError(`--${flag} "${text}": expected a non-negative number, e.g. --${flag} 10`);
  return value;
}

/**
 * The frontend options the flags ask for, or `undefined` without `--frontend-listen`.
 * @throws UsageError naming the flag.
 */
export function frontendOptionsFromFlags(
  values: FrontendFlagValues,
  nodeIds: readonly string[],
  models: readonly string[],
  warn?: (line: string) => void,
): Omit<SimulatedFrontendOptions, 'nc' | 'log' | 'catalog'> | undefined {
  const listen = values['frontend-listen'];
  if (listen === undefined) {
    const stray = Object.keys(FRONTEND_FLAG_OPTIONS).find((k) => values[k as keyof FrontendFlagValues] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --frontend-listen HOST:PORT`);
    return undefined;
  }
  const match = /^(.*):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[2]);
  if (match === null || port > 65535 || match[1] === '')
    throw new UsageError(`--frontend-listen "${listen}": expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free)`);
  const tickMs = durationFlagValue(values, 'frontend-tick') ?? 30_000;
  const known = new Set(nodeIds);
  const pending = new Set(list(values['frontend-pending-nodes']));
  const unknown = [...pending].find((id) => !known.has(id));
  if (unknown !== undefined) throw new UsageError(`--frontend-pending-nodes: "${unknown}" is not a node of this fleet`);
  const zones = list(values['frontend-zones']);
  const nodes: FrontendNode[] = nodeIds.map((id, i) => ({
    id,
    ...(zones.length === 0 ? {} : { labels: { zone: zones[i % zones.length] ?? '' } }),
    ...(pending.has(id) ? { pending: true } : {}),
  }));
  const minReplicas = count('frontend-min-replicas', values['frontend-min-replicas'], 0);
  const rps = count('traffic-rps', values['traffic-rps'], 0);
  const requestMs =
    durationFlagValue(values, 'traffic-request-time', {
      old: 'traffic-request-ms',
      zero: true,
      ...(warn === undefined ? {} : { warn }),
    }) ?? 300;
  return {
    nodes,
    host: match[1]?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1',
    port,
    tickMs,
    auth: {
      apiKeys: list(values['frontend-api-key']),
      userKeys: list(values['frontend-user-key']),
      registrationToken: values['frontend-registration-token'] ?? '',
    },
    scheduling: minReplicas > 0 ? models.map((model) => ({ model, minReplicas: Math.floor(minReplicas) })) : [],
    traffic: rps > 0 ? { ratePerSec: rps, requestMs } : false,
  };
}

/**
 * `fleet --frontend-listen`: the frontend over the fleet's own nodes and models (`<backend>-model`
 * for each simulated backend), or `undefined` without `--frontend-listen`.
 * @throws UsageError naming the flag.
 */
export function fleetFrontendOptions(
  values: FrontendFlagValues,
  nodeIds: readonly string[],
  knobs: NodeKnobs,
  warn?: (line: string) => void,
): FleetFrontendOptions | undefined {
  const backends = [knobs.backend, ...(knobs.otherBackends ?? []).map((b) => b.name)];
  const catalog = new Map(backends.map((b) => [SimulatedProcesses.modelOf(b), b]));
  const options = frontendOptionsFromFlags(values, nodeIds, [...catalog.keys()], warn);
  return options === undefined ? undefined : { ...options, catalog };
}
