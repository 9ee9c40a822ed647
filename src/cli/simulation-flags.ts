/**
 * Command-line flags shared by `agent --simulate` and `fleet`: their `util.parseArgs` options,
 * help text and validation into simulated-node knobs. Errors name the flag and the expected form.
 */
import { z } from 'zod';
import { BackendAtVersionSchema, type SimulatedNodeInput } from '../agent/simulated/knobs.js';
import { InstallPhase } from '../protocol/index.js';
import { durationFlagValue, durationRangeFlagValue } from './args.js';
import { UsageError } from './exit.js';

/** `util.parseArgs` options of the simulation knobs, with the deprecated `-ms` spellings. */
export const SIMULATION_FLAG_OPTIONS = {
  backend: { type: 'string', multiple: true },
  'install-time': { type: 'string' },
  'fail-rate': { type: 'string' },
  'fail-version': { type: 'string' },
  'fail-start': { type: 'string' },
  legacy: { type: 'boolean' },
  hang: { type: 'string' },
  'crash-at': { type: 'string' },
  'crash-downtime': { type: 'string' },
  replicas: { type: 'string' },
  seed: { type: 'string' },
  'install-ms': { type: 'string' },
  'hang-ms': { type: 'string' },
  'crash-restart-ms': { type: 'string' },
} as const;

/** Help lines of the simulation knobs. */
export const SIMULATION_FLAGS_HELP = `Simulation flags:
  --backend NAME@VERSION   backend installed at start (repeat for several), e.g. llama-cpp@v1.2.3
  --install-time D|D-D     how long an install takes, fixed or a range (default 1s), e.g. 500ms-3s
  --fail-rate P            probability 0-1 that an install fails (default 0)
  --fail-version PATTERN   fail installs of versions matching PATTERN (* and ? wildcards, or /regex/)
  --fail-start PATTERN     fail the start check of processes started from an install whose version or
                           uri matches PATTERN: backend.install with a model id replies a stderr tail
  --legacy                 serve no backend.upgrade nor models.running subject (an old worker:
                           orchestrators fall back; its forced install restarts only <backend>#N)
  --hang D                 reply to upgrade/install only after D, while the install finishes on time
                           (default 0: at once)
  --crash-at PHASE         crash once when the first install reaches PHASE (resolving, downloading,
                           extracting, starting); the node comes back with the old version
  --crash-downtime D       how long a crashed node stays away (default 1s)
  --replicas N             model replicas per backend running at start, <backend>-model#i (default 0);
                           an upgrade stops them and starts none, as a LocalAI worker does
  --seed S                 seed of the per-node random generators (default fleet-rollout)
`;

/** Raw values of the simulation flags as `util.parseArgs` returns them. */
export type SimulationFlagValues = {
  [K in keyof typeof SIMULATION_FLAG_OPTIONS]?: (typeof SIMULATION_FLAG_OPTIONS)[K] extends { multiple: true }
    ? string[] | undefined
    : (typeof SIMULATION_FLAG_OPTIONS)[K] extends { type: 'boolean' }
      ? boolean | undefined
      : string | undefined;
};

/** Knobs of a simulated node, without its id. */
export type NodeKnobs = Omit<SimulatedNodeInput, 'id'>;

/** Validated simulation flags. */
export interface SimulationKnobs {
  /** Knobs every node gets (fleet-level `--*-nodes` lists may override some). */
  node: NodeKnobs;
  hangMs: number | undefined;
  failRate: number | undefined;
  failVersion: string | undefined;
  failStart: string | undefined;
  seed: string;
}

function flag<T>(name: string, schema: z.ZodType<T>, value: unknown, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? 'invalid';
    throw new UsageError(`--${name} ${JSON.stringify(value)}: ${reason}; expected ${expected}`);
  }
  return parsed.data;
}

/**
 * Validates the simulation flags; `warn` hears of deprecated spellings.
 * @throws UsageError naming the flag and the expected form.
 */
export function parseSimulationFlags(values: SimulationFlagValues, warn?: (line: string) => void): SimulationKnobs {
  const backends = (values.backend ?? []).map((b) =>
    flag('backend', BackendAtVersionSchema, b, 'NAME@VERSION, e.g. llama-cpp@v1.2.3'),
  );
  const [primary, ...others] = backends;
  if (primary === undefined)
    throw new UsageError(
      '--backend is required: name the installed backend as NAME@VERSION, e.g. --backend llama-cpp@v1.2.3',
    );
  const opt = <T>(name: keyof SimulationFlagValues, schema: z.ZodType<T>, expected: string): T | undefined =>
    values[name] === undefined ? undefined : flag(name, schema, values[name], expected);
  const warning = warn === undefined ? {} : { warn };
  const installTime = durationRangeFlagValue(values, 'install-time', { old: 'install-ms', ...warning });
  const hangMs = durationFlagValue(values, 'hang', { old: 'hang-ms', zero: true, ...warning });
  const failRate = opt(
    'fail-rate',
    z.coerce.number().min(0, 'at least 0').max(1, 'at most 1'),
    'a probability between 0 and 1, e.g. 0.1',
  );
  const failVersion = opt('fail-version', z.string().min(1, 'empty'), 'a version pattern such as v1.3.*');
  const failStart = opt('fail-start', z.string().min(1, 'empty'), 'a version or uri pattern such as v2.*');
  const crashAt = opt(
    'crash-at',
    z.enum(Object.values(InstallPhase) as [InstallPhase, ...InstallPhase[]]),
    'one of resolving, downloading, extracting, starting',
  );
  const crashRestartMs = durationFlagValue(values, 'crash-downtime', {
    old: 'crash-restart-ms',
    zero: true,
    ...warning,
  });
  const replicas = opt(
    'replicas',
    z.coerce.number().int('a whole number').min(0, 'not negative').max(64, 'at most 64'),
    'a count such as 2',
  );
  const node: NodeKnobs = {
    backend: primary.name,
    version: primary.version,
    otherBackends: others,
    legacy: values.legacy ?? false,
    ...(installTime !== undefined ? { installMs: `${installTime.min}-${installTime.max}` } : {}),
    ...(crashAt !== undefined ? { crashAt } : {}),
    ...(crashRestartMs !== undefined ? { crashRestartMs } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
  };
  return { node, hangMs, failRate, failVersion, failStart, seed: values.seed ?? 'fleet-rollout' };
}
