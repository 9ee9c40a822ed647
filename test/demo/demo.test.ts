/**
 * `fleet-rollout demo` end to end, as `npm start` runs it: the built CLI as a child process with
 * real servers. It must exit 0 after the rollout with the final table and the Web UI address, and
 * leave no Temporal or nats-server process behind — also when interrupted with SIGINT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { demoNodes } from '../../src/cli/demo/scenario.js';

const CLI_MAIN = path.resolve(__dirname, '../../src/cli/main.js');

interface DemoRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the demo with plain output and none of the host's Temporal or NATS settings. */
function startDemo(args: string[] = []): DemoRun {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(TEMPORAL_|NATS_)/.test(key)) env[key] = value;
  const child = spawn(process.execPath, [CLI_MAIN, 'demo', ...args], {
    env: { ...env, NO_COLOR: '1', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** The server pids and ports the demo announced. */
function announced(output: string): { pids: number[]; ports: string[] } {
  const pids = /demo: temporal pid (\d+), nats-server pid (\d+)/.exec(output);
  const ports =
    /demo: Temporal 127\.0\.0\.1:(\d+), NATS nats:\/\/127\.0\.0\.1:(\d+), Web UI http:\/\/127\.0\.0\.1:(\d+)/.exec(
      output,
    );
  assert.ok(pids !== null, `the demo printed no server pids:\n${output}`);
  assert.ok(ports !== null, `the demo printed no addresses:\n${output}`);
  return { pids: [Number(pids[1]), Number(pids[2])], ports: [ports[1] ?? '', ports[2] ?? '', ports[3] ?? ''] };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes whose command line names one of the demo's ports (a server that escaped its pid check). */
function processesOnPorts(ports: readonly string[]): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (!/temporal|nats-server|fleet-rollout/.test(cmdline)) continue;
    if (ports.some((port) => new RegExp(`(--port|--ui-port|-p) ${port}(\\s|$)`).test(cmdline)))
      found.push(`${entry}: ${cmdline}`);
  }
  return found;
}

/** Asserts that nothing the demo started survives it; kills survivors so a failure leaves no mess. */
function assertNothingLeft(output: string): void {
  const { pids, ports } = announced(output);
  const survivors = pids.filter(alive);
  for (const pid of survivors) process.kill(pid, 'SIGKILL');
  assert.deepEqual(survivors, [], 'server processes outlived the demo');
  assert.deepEqual(processesOnPorts(ports), [], 'a process still serves one of the demo ports');
}

async function waitForOutput(run: DemoRun, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(`the demo never printed ${String(pattern)}:\n${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finished(run: DemoRun, timeoutMs: number): Promise<{ code: number | null }> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

void test('the demo runs the staged rollout, exits 0 with the final table and the Web UI address, and leaves nothing behind', async () => {
  const startedAt = Date.now();
  const run = startDemo();
  await waitForOutput(run, /or on the dashboard: (http:\S+)/, 90_000);
  const dashboardUrl = /or on the dashboard: (http:\S+)/.exec(run.output())?.[1] ?? '';
  const page = await fetch(dashboardUrl);
  assert.equal(page.status, 200, 'the dashboard is served while the demo runs');
  assert.match(await page.text(), /<title>fleet-rollout<\/title>/);
  const { code } = await finished(run, 150_000);
  const output = run.output();
  assert.equal(code, 0, `the demo exited ${String(code)}:\n${output}`);
  assert.ok(Date.now() - startedAt < 120_000, 'the demo took two minutes or more');
  assert.match(output, /NODE\s+ZONE\s+STATE\s+ATTEMPTS\s+FALLBACK\s+DURATION\s+ERROR/);
  for (const node of demoNodes()) {
    const state = node.role === 'failing' ? 'failed' : 'succeeded';
    const fallback = node.role === 'legacy' ? 'legacy' : '-';
    assert.match(output, new RegExp(`\\n${node.id}\\s+${node.zone}\\s+${state}\\s+1\\s+${fallback}\\s+\\S+`));
  }
  assert.match(output, /As designed/);
  assert.match(output, /demo: Temporal Web UI: http:\/\/127\.0\.0\.1:\d+/);
  assert.match(output, /demo: dashboard: http:\/\/127\.0\.0\.1:\d+\/rollouts\/llama-cpp/);
  assert.match(output, /demo: stopped everything the demo started/);
  assert.doesNotMatch(output, /\u001b\[/, 'no ANSI codes with NO_COLOR and a pipe');
  assertNothingLeft(output);
});

void test('the demo with --frontend drains and resumes every registered node in the simulated LocalAI frontend', async () => {
  const run = startDemo(['--frontend']);
  const { code } = await finished(run, 150_000);
  const output = run.output();
  assert.equal(code, 0, `the demo exited ${String(code)}:\n${output}`);
  assert.match(output, /demo: simulated LocalAI frontend at http:\/\/127\.0\.0\.1:\d+, routing 20 requests\/s/);
  // The live view samples the status: a drain with nothing in flight may pass between two samples.
  assert.match(output, /\n[a-z-]+-gpu-\d: draining/, 'the live view shows drains');
  assert.match(output, /\n[a-z-]+-gpu-\d: resuming/, 'the live view shows resumes');
  // 11 nodes: the legacy one is not in the frontend's registry; the failing one is resumed after its failure.
  assert.match(output, /demo: frontend: 11 nodes drained and resumed; traffic \d+ requests, \d+ failed/);
  assertNothingLeft(output);
});

void test('Ctrl-C (SIGINT) during the rollout stops everything and exits 130', async () => {
  const run = startDemo();
  try {
    await waitForOutput(run, /succeeded in /, 90_000);
  } catch (err) {
    run.child.kill('SIGKILL');
    await run.exited;
    throw err;
  }
  run.child.kill('SIGINT');
  const { code } = await finished(run, 30_000);
  const output = run.output();
  assert.equal(code, 130, `after SIGINT the demo exited ${String(code)}:\n${output}`);
  assert.match(output, /demo: SIGINT: the rollout was still running/);
  assert.match(output, /demo: stopped everything the demo started/);
  assertNothingLeft(output);
});
