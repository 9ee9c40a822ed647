/**
 * The orchestrator worker of a benchmark scenario, in a process of its own so its memory and CPU
 * are measured apart from the fleet and the driver.
 *
 *   node dist/bench/worker-process.js --temporal-address 127.0.0.1:7233 \
 *     --nats-url nats://127.0.0.1:4222 --task-queue bench-a-… [--sample 250ms]
 *
 * stdout carries JSON lines for the driver: `{"type":"ready"}` once the worker polls, then a
 * `sample` every `--sample` (RSS, heap, CPU time), and a last `sample` before exiting.
 * SIGTERM (or SIGINT) shuts the worker down and exits 0. Logs go to stderr (LOG_LEVEL, default warn).
 */
import { NativeConnection } from '@temporalio/worker';
import { parseArgs } from 'node:util';
import { durationFlag } from '../src/cli/args.js';
import { createLogger } from '../src/log.js';
import { connectNats } from '../src/nats/index.js';
import { createOrchestratorWorker, installRuntimeLogger } from '../src/worker.js';

/** One line of the worker's stdout. */
export type WorkerReport =
  | { type: 'ready'; at: number; startupMs: number; rss: number; cpuUs: number }
  | {
      type: 'sample';
      at: number;
      rss: number;
      heapUsed: number;
      /** CPU time used since the process started (user + system), in µs. */
      cpuUs: number;
    }
  | { type: 'error'; message: string };

function report(line: WorkerReport): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function sample(): void {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  report({ type: 'sample', at: Date.now(), rss: mem.rss, heapUsed: mem.heapUsed, cpuUs: cpu.user + cpu.system });
}

async function main(): Promise<void> {
  const bornAt = Date.now();
  const { values } = parseArgs({
    options: {
      'temporal-address': { type: 'string' },
      'nats-url': { type: 'string' },
      'task-queue': { type: 'string' },
      sample: { type: 'string', default: '250ms' },
    },
    strict: true,
  });
  const temporal = values['temporal-address'];
  const nats = values['nats-url'];
  const taskQueue = values['task-queue'];
  if (temporal === undefined || nats === undefined || taskQueue === undefined)
    throw new Error('worker-process needs --temporal-address HOST:PORT, --nats-url URL and --task-queue NAME');
  const sampleMs = durationFlag('--sample', values.sample);
  if (sampleMs < 10) throw new Error(`--sample ${values.sample}: sample at most every 10ms`);

  const log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', name: 'bench-worker' });
  installRuntimeLogger(log);
  const nc = await connectNats({ servers: [nats], name: `bench-worker ${taskQueue}` });
  const connection = await NativeConnection.connect({ address: temporal });
  const worker = await createOrchestratorWorker({ connection, nc, log, taskQueue });
  const stop = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const sampler = setInterval(sample, sampleMs);
  const running = worker.run();
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage().rss;
  report({ type: 'ready', at: Date.now(), startupMs: Date.now() - bornAt, rss, cpuUs: cpu.user + cpu.system });
  try {
    await running;
  } finally {
    clearInterval(sampler);
    sample();
    await nc.drain().catch(() => undefined);
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    report({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    console.error(err);
    process.exit(1);
  },
);
