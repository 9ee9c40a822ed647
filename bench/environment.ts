/**
 * What a result was measured on: the machine (cores, memory, CPU model) and the versions of
 * Node, the server binaries and the packages that matter.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateTool, PROJECT_ROOT } from '../src/local/tools.js';
import type { MachineInfo, VersionInfo } from './report.js';

const PACKAGES = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/workflow',
  '@temporalio/core-bridge',
  'nats',
  'pino',
  'zod',
  'typescript',
] as const;

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const total = os.totalmem();
  return {
    platform: os.platform(),
    arch: os.arch(),
    osRelease: os.release(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryBytes: total,
    totalMemoryGiB: Math.round((total / 1024 ** 3) * 10) / 10,
    loadAverage: loadAverage(),
  };
}

/** `os.loadavg()` rounded to 2 decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** The first line a binary prints for `--version`, or why it could not be asked. */
function binaryVersion(tool: 'temporal' | 'natsServer'): string {
  try {
    const out = execFileSync(locateTool(tool), ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return out.trim().split('\n')[0] ?? '';
  } catch (err) {
    return `unknown (${(err as Error).message.split('\n')[0] ?? ''})`;
  }
}

function packageVersion(name: string): string {
  try {
    const file = path.join(PROJECT_ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

export function versionInfo(): VersionInfo {
  const own = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return {
    node: process.version,
    temporalCli: binaryVersion('temporal'),
    natsServer: binaryVersion('natsServer'),
    packages: {
      [own.name]: own.version,
      ...Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    },
  };
}
