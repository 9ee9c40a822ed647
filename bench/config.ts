/**
 * What the benchmark runs: the scenarios of the full run (the full sizes) and of the
 * quick run (about a minute), and the command-line arguments that choose between them.
 */

export const SCENARIO_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** A rollout of N nodes, P at a time, each install taking T ms (scenarios a–d). */
export interface FanOutParams {
  nodes: number;
  maxParallel: number;
  installMs: number;
  /** Give up (and record an error) after this long. */
  timeoutMs: number;
}

/** Pause and abort of a rollout with slow installs (scenario e). */
export interface ControlParams {
  nodes: number;
  maxParallel: number;
  installMs: number;
  /** Independent rollouts; trial k pauses at `pauseAt[k % length]` × T after its first wave started. */
  trials: number;
  pauseAt: readonly number[];
  timeoutMs: number;
}

/** Progress latency with long installs (scenario f). */
export interface ProgressParams {
  /** Nodes upgraded one after the other; each yields one progress event per 250 ms. */
  nodes: number;
  installMs: number;
  /** Status poll interval. */
  pollMs: number;
  timeoutMs: number;
}

/** Control commands through the CLI against `temporal workflow describe` (scenario g). */
export interface ControlCommandParams {
  /** Installs long enough that the rollout stays running while the commands run. */
  installMs: number;
  /** Pairs of (control command, describe) run in turn. */
  runs: number;
}

export interface BenchPlan {
  a: FanOutParams;
  b: FanOutParams;
  c: FanOutParams;
  d: FanOutParams;
  e: ControlParams;
  f: ProgressParams;
  g: ControlCommandParams;
}

const MINUTE = 60_000;

/** The full sizes (`npm run bench`). */
export const FULL_PLAN: BenchPlan = {
  a: { nodes: 1_000, maxParallel: 50, installMs: 2_000, timeoutMs: 10 * MINUTE },
  b: { nodes: 1_000, maxParallel: 50, installMs: 2_000, timeoutMs: 10 * MINUTE },
  c: { nodes: 2_000, maxParallel: 100, installMs: 0, timeoutMs: 10 * MINUTE },
  d: { nodes: 10_000, maxParallel: 200, installMs: 0, timeoutMs: 12 * MINUTE },
  e: { nodes: 40, maxParallel: 8, installMs: 5_000, trials: 3, pauseAt: [0.5, 1.02, 1.06], timeoutMs: 5 * MINUTE },
  f: { nodes: 2, installMs: 20_000, pollMs: 50, timeoutMs: 3 * MINUTE },
  g: { installMs: 10 * MINUTE, runs: 21 },
};

/** About a minute (`npm run bench -- --quick`). */
export const QUICK_PLAN: BenchPlan = {
  a: { nodes: 100, maxParallel: 20, installMs: 500, timeoutMs: 3 * MINUTE },
  b: { nodes: 100, maxParallel: 20, installMs: 500, timeoutMs: 3 * MINUTE },
  c: { nodes: 200, maxParallel: 50, installMs: 0, timeoutMs: 3 * MINUTE },
  d: { nodes: 1_000, maxParallel: 100, installMs: 0, timeoutMs: 5 * MINUTE },
  e: { nodes: 12, maxParallel: 4, installMs: 3_000, trials: 1, pauseAt: [1.04], timeoutMs: 2 * MINUTE },
  f: { nodes: 1, installMs: 6_000, pollMs: 50, timeoutMs: 2 * MINUTE },
  g: { installMs: 10 * MINUTE, runs: 11 },
};

export interface BenchArgs {
  quick: boolean;
  /** Scenarios to run, in order. */
  only: ScenarioId[];
  /** Start new Temporal and NATS servers for every scenario (default: one pair per run, fresh names per scenario). */
  freshServers: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench [-- [--quick] [--only a,b,…] [--fresh-servers]]

Runs the rollout benchmark against real servers (Temporal dev server, nats-server) and a
simulated fleet, writes bench/results/<timestamp>.json and prints a Markdown table.

  --quick           small sizes, about a minute
  --only LIST       scenarios to run, e.g. --only a,b (default: a,b,c,d,e,f,g)
  --fresh-servers   new servers for every scenario (default: one pair, fresh names per scenario)
  -h, --help        this help

Environment: LOG_LEVEL sets the worker processes' log level (default warn); BENCH_WORKER_NODE_ARGS
passes flags to their node, e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
Logs of servers, workers and fleets go to a temporary directory named at the start.
`;

/** Parses the arguments after `--`; throws an Error whose message says what was wrong. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: [...SCENARIO_IDS], freshServers: false, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    switch (flag) {
      case '--quick':
        args.quick = true;
        break;
      case '--fresh-servers':
        args.freshServers = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--only': {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '') throw new Error('--only needs a list of scenarios, e.g. --only a,b');
        args.only = parseScenarioList(value);
        break;
      }
      default:
        throw new Error(`unknown argument "${arg}"; see --help`);
    }
  }
  return args;
}

function parseScenarioList(value: string): ScenarioId[] {
  const wanted = new Set<string>();
  for (const part of value.split(',')) {
    const id = part.trim().toLowerCase();
    if (!(SCENARIO_IDS as readonly string[]).includes(id))
      throw new Error(`unknown scenario "${part}" in --only; choose from ${SCENARIO_IDS.join(', ')}`);
    wanted.add(id);
  }
  return SCENARIO_IDS.filter((id) => wanted.has(id));
}
