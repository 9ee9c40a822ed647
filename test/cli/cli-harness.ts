/**
 * Running the built CLI as a child process against the servers of `useServers()`, with an
 * orchestrator worker and a simulated fleet in the test process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import type { SimulatedNodeInput } from '../../src/agent/simulated/knobs.js';
import type { TestOrchestrator } from '../support/orchestrator.js';
import type { ServerSet } from '../support/servers.js';
import { uniqueName } from '../support/servers.js';

/** The built CLI entry point (tests run from dist/test/cli). */
export const CLI_MAIN = path.resolve(__dirname, '../../src/cli/main.js');

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: the test's, minus any Temporal or NATS settings of the host. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TEMPORAL_|NATS_)/.test(key)) env[key] = value;
  }
  return { ...env, LOG_LEVEL: 'silent', ...extra };
}

/** Runs `fleet-rollout …args` to completion (killed after `timeoutMs`). */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: childEnv(options.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI process (e.g. `worker`). */
export interface CliProcess {
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Sends a signal. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `fleet-rollout …args` without waiting for it to end. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}

/** Fails with the CLI's output when the exit code is not `expected`. */
export function expectExit(result: CliResult, expected: number, what: string): void {
  if (result.code !== expected) {
    throw new Error(
      `${what}: expected exit ${expected}, got ${String(result.code)}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
}

/** `--temporal-address … --task-queue …` for commands of this orchestrator. */
export function temporalArgs(servers: ServerSet, orchestrator?: TestOrchestrator): string[] {
  return [
    '--temporal-address',
    servers.temporal.address,
    ...(orchestrator === undefined ? [] : ['--task-queue', orchestrator.taskQueue]),
  ];
}

/** A simulated fleet of `count` nodes with one backend, unique ids and quick installs. */
export async function startFleet(
  orchestrator: Pick<TestOrchestrator, 'nc' | 'log'>,
  count: number,
  node: Omit<SimulatedNodeInput, 'id' | 'backend' | 'version'> = {},
): Promise<{ fleet: SimulatedFleet; backend: string; ids: string[] }> {
  const backend = uniqueName('be');
  const prefix = uniqueName('n');
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
  const fleet = await startSimulatedFleet({
    nc: orchestrator.nc,
    log: orchestrator.log,
    nodes: ids.map((id) => ({ installMs: 150, ...node, id, backend, version: 'v1.0.0' })),
  });
  return { fleet, backend, ids };
}

/**
 * `backend.upgrade` requests a fleet received. Installs are not counted: with the start check every
 * upgraded node also gets a probe `backend.install`, and these fleets have no legacy nodes.
 */
export function upgradeRequests(fleet: SimulatedFleet): number {
  return Object.values(fleet.stats()).reduce((sum, s) => sum + s.requests.upgrade, 0);
}

/** `backend.install` requests a fleet received (legacy forced installs, start-check probes, restores). */
export function installRequests(fleet: SimulatedFleet): number {
  return Object.values(fleet.stats()).reduce((sum, s) => sum + s.requests.install, 0);
}

/** Polls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
