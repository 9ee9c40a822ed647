/**
 * `fleet-rollout demo`: a real rollout on a local stack in under two minutes (what `npm start`
 * runs). The work is in `src/cli/demo/`; this file parses the flags.
 */
import { runDemo } from '../demo/run-demo.js';
import { DEMO_SLOW_HANG_MS, DEMO_UPGRADE_TIMEOUT_MS } from '../demo/scenario.js';
import { expectPositionals, parseCommandArgs } from '../args.js';
import { ExitCode } from '../exit.js';

const OPTIONS = { keep: { type: 'boolean' }, frontend: { type: 'boolean' } } as const;

const HELP = `Usage: fleet-rollout demo [--keep] [--frontend]

Runs a real rollout on this machine, then stops everything it started:
  - a Temporal dev server (with its Web UI) and a nats-server on free loopback ports
    (from .tools/bin after 'npm run setup', or TEMPORAL_CLI / NATS_SERVER / PATH);
  - 12 simulated nodes in 3 zones, 2 model replicas each, serving LocalAI's NATS protocol:
    one legacy node without backend.upgrade (upgraded through the backend.install fallback),
    one slow node whose reply comes after ${DEMO_SLOW_HANG_MS / 1000}s while the request timeout is ${DEMO_UPGRADE_TIMEOUT_MS / 1000}s
    (verified with backend.list instead of re-sent), and one node whose upgrade fails;
  - the orchestrator worker, in this process.
It starts the rollout of llama-cpp through the Temporal client (canary 1 promoted after 3s,
maxParallel 3, maxUnavailable 50%, maxFailures 1), shows it live (plain lines when stdout is not
a terminal or NO_COLOR is set), prints the final table of every node and the Web UI address.
Ctrl-C stops everything at any time.

Flags:
  --keep        leave the stack running after the rollout, print its addresses and commands to
                try (status, watch, start, pause, promote), and stop it on Ctrl-C
  --frontend    also run a simulated LocalAI frontend routing 20 requests/s to the nodes' model
                (min_replicas on every replica): each node is drained there before its upgrade
                and resumed after; the end prints how many requests failed
  -h, --help    this help

Exit codes: 0 the rollout ended as staged (every node upgraded except the one that fails by
design); 1 it did not; 3 the local servers could not be started; 130 interrupted by Ctrl-C
before the rollout ended (143 for SIGTERM).

Examples:
  npm start                     (setup, build, then this command)
  fleet-rollout demo
  fleet-rollout demo --keep
  npm start -- --frontend       (the same, draining through the simulated LocalAI frontend)
  NO_COLOR=1 fleet-rollout demo > demo.log
`;

/** Runs the demo. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('demo', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('demo', positionals, []);
  return await runDemo({ keep: values.keep === true, frontend: values.frontend === true });
}
