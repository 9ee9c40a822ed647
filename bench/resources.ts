/**
 * CPU and memory accounting per process over a measured interval: the Temporal server and
 * nats-server from Linux `/proc`, the driver (which also serves the fleet) from `process.cpuUsage`,
 * and the worker from what its process reported.
 */
import { readFileSync } from 'node:fs';
import type { BenchServers } from './harness.js';
import type { WorkerUsage } from './worker-child.js';

/** CPU seconds a process has used so far (Linux `/proc`); `undefined` elsewhere or when it is gone. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    // USER_HZ is 100 on every Linux this runs on.
    return Number.isFinite(utime + stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in bytes (Linux `/proc`). */
export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds used by each process between two snapshots. */
export interface CpuSnapshot {
  at: number;
  temporal?: number;
  nats?: number;
  driver: number;
}

export function cpuSnapshot(servers: BenchServers): CpuSnapshot {
  const own = process.cpuUsage();
  const snapshot: CpuSnapshot = { at: Date.now(), driver: (own.user + own.system) / 1e6 };
  const temporal = processCpuSeconds(servers.temporal.process.child.pid);
  const nats = processCpuSeconds(servers.nats.process.child.pid);
  if (temporal !== undefined) snapshot.temporal = temporal;
  if (nats !== undefined) snapshot.nats = nats;
  return snapshot;
}

/** CPU use per process over an interval: seconds, and cores busy on average (seconds / wall seconds). */
export interface ResourceUse {
  wallSeconds: number;
  cpuSeconds: Record<string, number>;
  coresBusy: Record<string, number>;
  workerPeakRssMiB?: number;
  temporalRssMiB?: number;
}

export function resourceUse(
  before: CpuSnapshot,
  after: CpuSnapshot,
  worker: WorkerUsage | undefined,
  servers: BenchServers,
): ResourceUse {
  const wall = (after.at - before.at) / 1_000;
  const cpu: Record<string, number> = { driverAndFleet: after.driver - before.driver };
  if (before.temporal !== undefined && after.temporal !== undefined) cpu['temporal'] = after.temporal - before.temporal;
  if (before.nats !== undefined && after.nats !== undefined) cpu['nats'] = after.nats - before.nats;
  if (worker !== undefined) cpu['worker'] = worker.cpuSeconds;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const use: ResourceUse = {
    wallSeconds: r2(wall),
    cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, r2(v)])),
    coresBusy: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, wall > 0 ? r2(v / wall) : 0])),
  };
  if (worker !== undefined) use.workerPeakRssMiB = Math.round(worker.peakRssBytes / 2 ** 20);
  const temporalRss = processRssBytes(servers.temporal.process.child.pid);
  if (temporalRss !== undefined) use.temporalRssMiB = Math.round(temporalRss / 2 ** 20);
  return use;
}
