/**
 * Serving until SIGTERM or SIGINT: stop taking requests, let running operations finish within a
 * grace period, drain the NATS connection, exit 0.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from '../../log.js';

/** Waits for SIGTERM or SIGINT, then runs `stop` and drains `nc`; resolves to the exit code. */
export async function serveUntilSignal(nc: NatsConnection, log: Logger, stop: () => Promise<void>): Promise<number> {
  const signal = await new Promise<NodeJS.Signals | 'connection closed'>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(sig);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    void nc.closed().then(() => resolve('connection closed'));
  });
  if (signal === 'connection closed') {
    log.error('the NATS connection closed; stopping');
    await stop();
    return 1;
  }
  log.info({ signal }, 'shutting down: no new requests, finishing operations in flight');
  await stop();
  await nc.drain();
  log.info('stopped');
  // An install still running past the grace period is abandoned (the old version stays, its
  // staging is cleared at the next start): exit even if its I/O keeps the event loop busy.
  setTimeout(() => process.exit(0), 1_000).unref();
  return 0;
}
