/**
 * `--metrics-listen HOST:PORT` (env `FLEET_ROLLOUT_METRICS_LISTEN`) of `worker` and `agent`:
 * off by default; when set, Prometheus text is served on `http://HOST:PORT/metrics`.
 */
import {
  assertCanListen,
  ListenAddressError,
  parseListenAddress,
  type ListenAddress,
} from '../metrics/listen-address.js';
import { UsageError } from './exit.js';

/** The environment variable read when the flag is absent. */
export const METRICS_LISTEN_ENV = 'FLEET_ROLLOUT_METRICS_LISTEN';

/** The flag, for `parseArgs`. */
export const METRICS_FLAG_OPTIONS = { 'metrics-listen': { type: 'string' } } as const;

/** Help lines of the flag. */
export const METRICS_FLAGS_HELP = `  --metrics-listen HOST:PORT  serve Prometheus metrics on http://HOST:PORT/metrics (${METRICS_LISTEN_ENV};
                              default off), e.g. 127.0.0.1:9464 or 0.0.0.0:9464
`;

/**
 * The metrics address from the flag, else the environment, else none; checked to be free.
 * @throws UsageError naming the flag or variable and the expected form.
 */
export async function metricsListenFromFlags(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ListenAddress | undefined> {
  const fromEnv = env[METRICS_LISTEN_ENV];
  const [name, value] =
    flag !== undefined
      ? ['--metrics-listen', flag]
      : fromEnv !== undefined && fromEnv !== ''
        ? [METRICS_LISTEN_ENV, fromEnv]
        : [];
  if (name === undefined || value === undefined) return undefined;
  try {
    const address = parseListenAddress(name, value);
    await assertCanListen(name, address);
    return address;
  } catch (err) {
    if (err instanceof ListenAddressError) throw new UsageError(err.message);
    throw err;
  }
}
