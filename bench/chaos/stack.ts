/**
 * The real stack of one chaos campaign, every part a process of its own so faults can hit it: a
 * Temporal dev server persisted in a SQLite file, a nats-server with protocol tracing on (the
 * passive tap the invariants are read from: a subscriber on `nodes.>` would turn *no responders*
 * into timeouts), the orchestrator worker (`fleet-rollout worker`) and the simulated fleet
 * (`fleet-rollout fleet --state-dir`). Everything listens on loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'nats';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/local/dev-servers.js';
import { freePort } from '../../src/local/free-port.js';
import { ManagedProcess, waitUntil } from '../../src/local/managed-process.js';
import { locateTool, PROJECT_ROOT } from '../../src/local/tools.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js');

/** Children still running; killed when this process exits, so none outlives a campaign. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A nats-server whose trace log records every message with its payload. */
export interface TracedNats {
  readonly url: string;
  readonly traceFile: string;
  /** SIGKILL, then the same port and log again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts nats-server with `-V` on a free loopback port, its log appended to `dir/nats-trace.log`. */
export async function startTracedNats(dir: string): Promise<TracedNats> {
  const binary = locateTool('natsServer');
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const traceFile = path.join(dir, 'nats-trace.log');
  const launch = async (): Promise<ManagedProcess> => {
    const proc = ManagedProcess.start('nats-server', binary, ['-a', '127.0.0.1', '-p', String(port), '-V'], traceFile);
    await waitUntil(
      `nats-server at ${url}`,
      async () => {
        const nc = await connect({ servers: url, timeout: 1_000, reconnect: false });
        await nc.close();
        return true;
      },
      15_000,
    );
    return proc;
  };
  let proc = await launch();
  return {
    url,
    traceFile,
    restart: async () => {
      await proc.kill();
      proc = await launch();
    },
    stop: () => proc.stop(),
  };
}

/** Starts the persisted Temporal dev server of a campaign (`dir/temporal.db`). */
export async function startPersistedTemporal(dir: string): Promise<TemporalDevServer & { kill9(): Promise<void> }> {
  const server = await startTemporalDevServer({ logDir: dir, dbFile: path.join(dir, 'temporal.db') });
  return Object.assign(server, {
    /** SIGKILL, then the same port and database again. */
    kill9: async () => {
      await server.process.kill();
      await server.restart();
    },
  });
}

/** A `fleet-rollout` CLI child (worker or fleet) that can be killed, stopped and started again. */
export class CliChild {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  /**
   * @param args the CLI arguments
   * @param logFile stdout and stderr of every incarnation are appended here
   * @param readyLine a line of output that means "serving"
   * @param logLevel LOG_LEVEL of the child
   */
  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    readonly logFile: string,
    private readonly readyLine: RegExp,
    private readonly logLevel = 'warn',
  ) {
    installExitHook();
  }

  /** Starts an incarnation and resolves once it printed its ready line (on stdout or stderr). */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [CLI, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: this.logLevel },
    });
    live.add(child);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        live.delete(child);
        resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready within ${timeoutMs} ms`)), timeoutMs);
      for (const stream of [child.stdout, child.stderr]) {
        if (stream === null) continue;
        createInterface({ input: stream }).on('line', (line) => {
          appendFileSync(this.logFile, `${line}\n`);
          if (this.readyLine.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before it was ready; see ${this.logFile}`));
      });
    });
  }

  /** Sends `signal` to the running incarnation (no-op when none runs). */
  signal(signal: NodeJS.Signals): void {
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null)
      this.child.kill(signal);
  }

  /** SIGKILL and wait until it is gone. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGCONT (in case it was stopped), SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
