/**
 * `fleet-rollout dashboard [--listen 127.0.0.1:8080]`: the live web view of running and recent
 * rollouts, with the controls of the CLI. Loopback by default; any other address needs a token.
 */
import { workflowUiUrl } from '../../client/index.js';
import { startDashboard } from '../../dashboard/server.js';
import { createLogger } from '../../log.js';
import { isLoopback, ListenAddressError, parseListenAddress } from '../../metrics/listen-address.js';
import { parseCommandArgs, expectPositionals } from '../args.js';
import { TEMPORAL_FLAG_OPTIONS, TEMPORAL_FLAGS_HELP } from '../connection-flags.js';
import { ExitCode, UsageError } from '../exit.js';
import { resolveConnection, withClient } from '../session.js';

/** The environment variable of the token. */
export const DASHBOARD_TOKEN_ENV = 'FLEET_ROLLOUT_DASHBOARD_TOKEN';
/** The default listen address. */
export const DEFAULT_DASHBOARD_LISTEN = '127.0.0.1:8080';

const OPTIONS = { ...TEMPORAL_FLAG_OPTIONS, listen: { type: 'string' }, token: { type: 'string' } } as const;

const HELP = `Usage: fleet-rollout dashboard [--listen HOST:PORT] [--token TOKEN]

Serves a live web view of the running and recent rollouts: the fleet as a grid of nodes by zone
and wave, coloured by state with progress, versions, attempts and last error; the phase, what it
waits for, replicas down and failures against their budgets, the ETA; and the controls pause,
resume, promote and abort (with a reason). Updates arrive within a second. Stops on Ctrl-C.

Flags:
  --listen HOST:PORT          address to serve on (default ${DEFAULT_DASHBOARD_LISTEN}); anything but a
                              loopback address needs a token
  --token TOKEN               required on every request and control (${DASHBOARD_TOKEN_ENV}); open
                              http://HOST:PORT/?token=TOKEN once in the browser, or send
                              Authorization: Bearer TOKEN
  -h, --help                  this help

${TEMPORAL_FLAGS_HELP}
Examples:
  fleet-rollout dashboard
  FLEET_ROLLOUT_DASHBOARD_TOKEN=$(openssl rand -hex 16) fleet-rollout dashboard --listen 0.0.0.0:8080
`;

/** Serves the dashboard until SIGINT or SIGTERM. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('dashboard', args, OPTIONS);
  if (values.help === true) {
    process.stdout.write(HELP);
    return ExitCode.Ok;
  }
  expectPositionals('dashboard', positionals, []);
  let listen;
  try {
    listen = parseListenAddress('--listen', values.listen ?? DEFAULT_DASHBOARD_LISTEN);
  } catch (err) {
    if (err instanceof ListenAddressError) throw new UsageError(err.message);
    throw err;
  }
  const token = values.token ?? (process.env[DASHBOARD_TOKEN_ENV] || undefined);
  if (token !== undefined && token.length < 8)
    throw new UsageError(`--token: at least 8 characters, e.g. --token "$(openssl rand -hex 16)"`);
  if (!isLoopback(listen.host) && token === undefined)
    throw new UsageError(
      `--listen ${values.listen ?? ''}: not a loopback address, so a token is required: set --token or ${DASHBOARD_TOKEN_ENV}`,
    );
  const connection = resolveConnection(values);
  const log = createLogger();
  return await withClient(connection, async (client) => {
    let dashboard;
    try {
      dashboard = await startDashboard({
        client,
        listen,
        log,
        ...(token !== undefined ? { token } : {}),
        webUrl: (workflowId, runId) => workflowUiUrl(connection.settings, workflowId, runId),
      });
    } catch (err) {
      throw new UsageError(`--listen ${values.listen ?? DEFAULT_DASHBOARD_LISTEN}: ${(err as Error).message}`);
    }
    console.log(`dashboard on ${dashboard.url}${token !== undefined ? ' (token required)' : ''}; Ctrl-C stops it`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await dashboard.close();
    return ExitCode.Ok;
  });
}
