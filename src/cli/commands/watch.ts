/**
 * `fleet-rollout watch BACKEND`: follows a rollout live until it ends (or halts and its nodes in
 * flight are done) and exits with its outcome; `-o jsonl` streams one status document per change.
 */
import { toStatusJson, workflowUiUrl } from '../../client/index.js';
import { durationFlag, expectPositionals, parseCommandArgs } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode } from '../exit.js';
import { followRollout, outcomeExitCode } from '../live-view.js';
import { OUTPUT_FLAG_OPTIONS, OUTPUT_FLAGS_HELP, OutputFormat, outputFrom, writeDocument } from '../output.js';
import { resolveConnection, withClient } from '../session.js';

const OPTIONS = {
  ...TEMPORAL_FLAG_OPTIONS,
  ...OUTPUT_FLAG_OPTIONS,
  timeout: { type: 'string' },
  'run-id': { type: 'string' },
} as const;

const HELP = `Usage: fleet-rollout watch BACKEND [--timeout DURATION] [--run-id RUN] [-o text|json|jsonl|yaml]

Follows the rollout of BACKEND until it ends, or until it halted and its nodes in flight are
done: on a terminal an overall progress bar and one line per node in flight (phase, %);
otherwise (or with NO_COLOR / --color never) plain lines, one per change. Then prints the table
of every node. -o jsonl writes one status document (as 'status -o json') per change; -o json
and -o yaml write the final one.

Exit code: 0 succeeded; 1 failed, halted or aborted; 4 --timeout passed first.

Flags:
  --timeout DURATION          give up after this long, with a unit: 90s, 30m, 2h (exit 4)
  --run-id RUN                follow this run (and the runs it continued as), not the latest
${OUTPUT_FLAGS_HELP}  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout watch llama-cpp
  fleet-rollout watch llama-cpp --timeout 2h && echo "llama-cpp upgraded everywhere"
  fleet-rollout watch llama-cpp -o jsonl | jq -c '{phase, counts}'
`;

/** Follows one rollout. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('watch', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  const [backend = ''] = expectPositionals('watch', positionals, ['BACKEND']);
  const output = outputFrom(values);
  const deadline = values.timeout === undefined ? undefined : Date.now() + durationFlag('--timeout', values.timeout);
  const connection = resolveConnection(values);
  return await withClient(connection, async (client) => {
    const document = (snapshot: Parameters<typeof toStatusJson>[0]) =>
      toStatusJson(snapshot, workflowUiUrl(connection.settings, snapshot.workflowId, snapshot.runId));
    const final = await followRollout(client, backend, {
      out: output.out,
      style: output.style,
      ...(values['run-id'] === undefined ? {} : { runId: values['run-id'] }),
      ...(deadline === undefined ? {} : { deadline }),
      ...(output.format === OutputFormat.Text
        ? {}
        : {
            onChange: (snapshot) => {
              if (output.format === OutputFormat.Jsonl) writeDocument(output, document(snapshot), () => []);
            },
          }),
    });
    if (output.format === OutputFormat.Json || output.format === OutputFormat.Yaml)
      writeDocument(output, document(final), () => []);
    return outcomeExitCode(final.status);
  });
}
