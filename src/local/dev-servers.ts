/**
 * Local real servers for the demo and the tests: a Temporal dev server and a nats-server, on
 * loopback ports, with their logs in a directory and readiness awaited before use.
 */
import { Connection } from '@temporalio/client';
import { RolloutSearchAttribute } from '../addressing.js';
import { connect } from 'nats';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess, waitUntil } from './managed-process.js';
import { locateTool } from './tools.js';

/** The search attributes every rollout sets, registered on the dev server at start. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword' | 'Int'>> = Object.fromEntries(
  Object.values(RolloutSearchAttribute).map((a) => [a.name, a.type]),
);

export interface TemporalDevServerOptions {
  /** Directory for the log file. */
  logDir: string;
  /** Persist state in this SQLite file so a restart keeps workflows. */
  dbFile?: string;
  /** gRPC port. @default a free port */
  port?: number;
  /** Web UI port; `false` runs headless. @default false */
  uiPort?: number | false;
  /** Readiness timeout. @default 60000 */
  readyTimeoutMs?: number;
}

/** A running Temporal dev server. `restart()` keeps the port (and with `dbFile`, the state). */
export interface TemporalDevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  process: ManagedProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` and waits until its frontend answers. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const binary = locateTool('temporal');
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort ?? false;
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push(...(uiPort === false ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (options.dbFile !== undefined) args.push('--db-filename', options.dbFile);
  for (const [key, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${key}=${type}`);
  const managed = await startManaged({
    name: 'temporal',
    binary,
    args,
    logFile: path.join(options.logDir, `temporal-${port}.log`),
    what: `Temporal dev server at ${address}`,
    ready: (proc) => temporalAnswers(address, proc),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    withLogTail: true,
  });
  return Object.assign(managed, { address, uiUrl: uiPort === false ? undefined : `http://127.0.0.1:${uiPort}` });
}

async function temporalAnswers(address: string, proc: ManagedProcess): Promise<boolean> {
  if (!proc.running) throw new Error(`the temporal process exited early:\n${proc.logTail()}`);
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    return Object.keys(SEARCH_ATTRIBUTES).every((key) => key in (attrs.customAttributes ?? {}));
  } finally {
    await connection.close();
  }
}

export interface NatsServerOptions {
  logDir: string;
  /** @default a free port */
  port?: number;
  /** Require this token from clients. */
  token?: string;
  /** Require these credentials from clients. */
  user?: string;
  password?: string;
  /**
   * More nats-server configuration, appended to the config file (an `authorization` or `tls`
   * block). A server that refuses the readiness probe's anonymous connection counts as ready.
   */
  config?: string;
  /** Readiness timeout. @default 15000 */
  readyTimeoutMs?: number;
}

/** A running nats-server. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  process: ManagedProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `nats-server` on loopback and waits until it accepts a client. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const binary = locateTool('natsServer');
  const port = options.port ?? (await freePort());
  const url = `nats://127.0.0.1:${port}`;
  // A small config file: max_payload has no command-line flag, and 8 MB lets tests send oversized requests.
  const configFile = path.join(options.logDir, `nats-${port}.conf`);
  writeFileSync(configFile, `max_payload: 8MB\n${options.config ?? ''}`);
  const args = ['-c', configFile, '-a', '127.0.0.1', '-p', String(port)];
  if (options.token !== undefined) args.push('--auth', options.token);
  if (options.user !== undefined) args.push('--user', options.user, '--pass', options.password ?? '');
  const auth = {
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.user !== undefined ? { user: options.user, pass: options.password ?? '' } : {}),
  };
  const managed = await startManaged({
    name: 'nats-server',
    binary,
    args,
    logFile: path.join(options.logDir, `nats-${port}.log`),
    what: `nats-server at ${url}`,
    ready: async (proc) => {
      if (!proc.running) throw new Error(`nats-server exited early:\n${proc.logTail()}`);
      try {
        const nc = await connect({ servers: url, timeout: 1_000, reconnect: false, ...auth });
        await nc.close();
      } catch (err) {
        if (options.config === undefined || !refusedOrTls(err)) throw err;
      }
      return true;
    },
    readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
  });
  return Object.assign(managed, { url, port });
}

export interface RegistryOptions {
  logDir: string;
  /** @default a free port */
  port?: number;
  /** Readiness timeout. @default 15000 */
  readyTimeoutMs?: number;
}

/** A running OCI registry (in memory: a restart empties it). `host` is `127.0.0.1:<port>`, plain HTTP. */
export interface RegistryServer {
  readonly host: string;
  readonly port: number;
  process: ManagedProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts go-containerregistry's `registry` on loopback and waits until `GET /v2/` answers. */
export async function startRegistry(options: RegistryOptions): Promise<RegistryServer> {
  const binary = locateTool('ociRegistry');
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const managed = await startManaged({
    name: 'registry',
    binary,
    args: ['-port', String(port)],
    logFile: path.join(options.logDir, `registry-${port}.log`),
    what: `OCI registry at ${host}`,
    ready: async (proc) => {
      if (!proc.running) throw new Error(`the registry exited early:\n${proc.logTail()}`);
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) });
      return res.status === 200;
    },
    readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
  });
  return Object.assign(managed, { host, port });
}

/** A server process that restarts on the same port and arguments. */
interface ManagedServer {
  process: ManagedProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a server process and waits until `ready` says it serves; a start that fails stops the
 * process (and, with `withLogTail`, shows the end of its log). `restart()` starts it again the same way.
 */
async function startManaged(spec: {
  name: string;
  binary: string;
  args: string[];
  logFile: string;
  what: string;
  ready: (proc: ManagedProcess) => Promise<boolean>;
  readyTimeoutMs: number;
  withLogTail?: boolean;
}): Promise<ManagedServer> {
  const launch = async (): Promise<ManagedProcess> => {
    const proc = ManagedProcess.start(spec.name, spec.binary, spec.args, spec.logFile);
    try {
      await waitUntil(spec.what, () => spec.ready(proc), spec.readyTimeoutMs);
    } catch (err) {
      await proc.stop();
      if (spec.withLogTail !== true) throw err;
      throw new Error(`${(err as Error).message}\n--- ${spec.name} log ---\n${proc.logTail()}`);
    }
    return proc;
  };
  const server: ManagedServer = {
    process: await launch(),
    async restart() {
      await server.process.stop();
      server.process = await launch();
    },
    async stop() {
      await server.process.stop();
    },
  };
  return server;
}

/** True when a connect error shows a server that answered: it refused our credentials or wants TLS. */
function refusedOrTls(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'AUTHORIZATION_VIOLATION' || /authoriz|tls|certificate/i.test(String((err as Error).message));
}
