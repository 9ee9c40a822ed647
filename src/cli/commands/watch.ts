/**
 * `fleet-rollout watch BACKEND`: follows a rollout live until it ends (or halts) and exits with
 * its outcome.
 */
import { expectPositionals, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { followRollout, outcomeExitCode } from '../live-view.js';
import { outputStyle } from '../render.js';
import { resolveConnection, withClient } from '../session.js';

const HELP = `Usage: fleet-rollout watch BACKEND

Follows the rollout of BACKEND until it ends or halts: on a terminal an overall progress bar and
one line per node in flight (phase, %); otherwise (or with NO_COLOR) plain lines, one per change.
Then prints the final table of every node. Exit code: 0 succeeded, 1 failed, halted or aborted.

Flags:
  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout watch llama-cpp
  fleet-rollout watch llama-cpp && echo "llama-cpp upgraded everywhere"
`;

/** Follows one rollout. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('watch', args, TEMPORAL_FLAG_OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('watch', positionals, ['BACKEND']);
  return await withClient(resolveConnection(values), async (client) => {
    const final = await followRollout(client, backend, { out: process.stdout, style: outputStyle(process.stdout) });
    return outcomeExitCode(final.status);
  });
}
