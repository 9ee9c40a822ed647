/** Spawns `node dist/src/cli/main.js …` and waits for its first stdout line (the "serving" line). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../../src/local/tools.js';

/** The built CLI entry point. */
export const CLI = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js');

/** A CLI child process. */
export interface CliProcess {
  child: ChildProcess;
  /** The first line on stdout. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  stdout: () => string;
}

/** Starts the CLI with `args`; logs at `warn` unless LOG_LEVEL says otherwise. */
export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' },
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    if (child.stdout !== null) createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then(({ code }) => reject(new Error(`CLI exited with ${code} before it was ready:\n${stderr}`)));
  });
  return { child, ready, exited, stderr: () => stderr, stdout: () => stdout };
}
