/**
 * One seed of a chaos campaign: a fresh simulated fleet (`--state-dir`) and orchestrator worker
 * as child processes, a rollout, the seed's faults at their times, then the invariants checked
 * from the nats-server trace. A failing seed keeps its directory (logs, workflow history, a copy
 * of the Temporal database); a passing one leaves nothing behind.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { nextPatch } from '../../src/agent/simulated/knobs.js';
import { getStatus, isSettled, startRollout } from '../../src/client/index.js';
import { nodeToken, subjects } from '../../src/protocol/index.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { CampaignOptions, SeedResult, Stack } from './campaign.js';
import { describePlan, FaultKind, planFaults, type Fault } from './faults.js';
import { checkInvariants, isUpgradeRequest, type FinalNode } from './invariants.js';
import { CliChild } from './stack.js';
import { nodeRequests, parseTrace } from './wire-trace.js';

async function listInstall(
  nc: NatsConnection,
  id: string,
  backend: string,
  timeoutMs: number,
): Promise<{ installedAt?: string; version?: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const reply = await nc.request(subjects.list(id), new TextEncoder().encode('{}'), { timeout: 2_000 });
      const body = JSON.parse(new TextDecoder().decode(reply.data)) as {
        backends: { name: string; installed_at?: string; version?: string }[] | null;
      };
      const entry = body.backends?.find((b) => b.name === backend);
      return {
        ...(entry?.installed_at !== undefined ? { installedAt: entry.installed_at } : {}),
        ...(entry?.version !== undefined ? { version: entry.version } : {}),
      };
    } catch {
      await sleep(250);
    }
  }
  return undefined;
}

async function replicasRunning(nc: NatsConnection, id: string, modelId: string): Promise<number | undefined> {
  try {
    const reply = await nc.request(subjects.modelsRunning(id), new TextEncoder().encode('{}'), { timeout: 5_000 });
    const body = JSON.parse(new TextDecoder().decode(reply.data)) as { models?: { model_id: string }[] };
    return (body.models ?? []).filter((m) => m.model_id === modelId).length;
  } catch {
    return undefined;
  }
}

function readFrom(file: string, offset: number): string {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Runs seed `seed` on `stack` and checks its invariants. */
export async function runSeed(seed: number, stack: Stack, options: CampaignOptions): Promise<SeedResult> {
  const count = options.nodes ?? 6;
  const replicas = options.replicas ?? 2;
  const plan = planFaults(seed, count, options.faultWindowMs ?? 8_000);
  const seedDir = path.join(options.dir, `seed-${seed}`);
  rmSync(seedDir, { recursive: true, force: true });
  mkdirSync(seedDir, { recursive: true });
  const tag = `c${seed}-${Date.now().toString(36)}`;
  const backend = `chaos-${tag}`;
  const ids = Array.from({ length: count }, (_, i) => `${tag}-n${i}`);
  const fleet = new CliChild(
    'fleet',
    [
      'fleet',
      ...['--nodes', String(count), '--prefix', `${tag}-n`, '--backend', `${backend}@v1.0.0`],
      ...[
        '--install-time',
        options.installTime ?? '400ms-1.2s',
        '--replicas',
        String(replicas),
        '--seed',
        `chaos-${seed}`,
      ],
      ...['--state-dir', path.join(seedDir, 'fleet-state'), '--nats-url', stack.nats.url],
      ...(plan.crashNode !== undefined
        ? ['--crash-nodes', ids[plan.crashNode] ?? '', '--crash-at', 'downloading', '--crash-downtime', '1.5s']
        : []),
    ],
    path.join(seedDir, 'fleet.log'),
    /^fleet: \d+ nodes serving/,
  );
  const taskQueue = `chaos-${tag}`;
  const worker = new CliChild(
    'worker',
    ['worker', '--temporal-address', stack.temporal.address, '--nats-url', stack.nats.url, '--task-queue', taskQueue],
    path.join(seedDir, 'worker.log'),
    /orchestrator worker running/,
    'info',
  );
  const startedAt = Date.now();
  options.say(`seed ${seed}: ${describePlan(plan)}`);
  await fleet.start();
  await worker.start();
  const traceOffset = statSync(stack.nats.traceFile).size;
  const before = new Map<string, string>();
  for (const id of ids)
    before.set(nodeToken(id), (await listInstall(stack.nc, id, backend, 10_000))?.installedAt ?? '');
  const started = await startRollout(
    stack.client,
    {
      backend,
      nodes: ids,
      maxParallel: 2,
      maxUnavailable: 2 * replicas,
      minHealthyTime: 0,
      upgradeTimeout: '10s',
      healthyDeadline: '3m',
      reason: `chaos seed ${seed}`,
    },
    { taskQueue },
  );
  const t0 = Date.now();
  const inject = async (fault: Fault): Promise<void> => {
    const wait = t0 + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    switch (fault.kind) {
      case FaultKind.WorkerKill:
        await worker.kill9();
        await sleep(fault.durationMs);
        await worker.start();
        return;
      case FaultKind.WorkerStop:
        worker.signal('SIGSTOP');
        await sleep(fault.durationMs);
        worker.signal('SIGCONT');
        return;
      case FaultKind.TemporalRestart:
        await stack.temporal.kill9();
        return;
      case FaultKind.NatsRestart:
        await stack.nats.restart();
        return;
      case FaultKind.FleetKill:
        await fleet.kill9();
        await sleep(fault.durationMs);
        await fleet.start();
        return;
      case FaultKind.AgentCrash:
        return;
    }
  };
  for (const fault of plan.faults) await inject(fault);

  const deadline = t0 + (options.deadlineMs ?? 180_000);
  let phase: string | undefined;
  let message = '';
  let nodes: FinalNode[] = [];
  let skippedAtDiscovery: { id: string; reason: string }[] = [];
  while (Date.now() < deadline) {
    try {
      const snapshot = await getStatus(stack.client, backend, { queryTimeoutMs: 5_000 });
      message = snapshot.status.message ?? '';
      nodes = snapshot.status.nodes.map((n) => ({
        id: n.id,
        token: nodeToken(n.id),
        state: n.state,
        lastError: n.lastError,
      }));
      skippedAtDiscovery = snapshot.status.skippedAtDiscovery;
      if (isSettled(snapshot.status.phase)) {
        phase = snapshot.status.phase;
        break;
      }
    } catch (err) {
      message = (err as Error).message;
    }
    await sleep(500);
  }
  const endedAt = Date.now();
  let statusQueryOk = false;
  try {
    await stack.client.workflow.getHandle(started.workflowId).query(statusQuery);
    statusQueryOk = true;
  } catch (err) {
    message += `; status query: ${(err as Error).message}`;
  }
  const after = new Map<string, { installedAt?: string; version?: string } | undefined>();
  for (const id of ids) after.set(nodeToken(id), await listInstall(stack.nc, id, backend, 15_000));
  const running = new Map<string, number | undefined>();
  if (options.expectReplicas === true)
    for (const id of ids) running.set(nodeToken(id), await replicasRunning(stack.nc, id, `${backend}-model`));
  await worker.stop();
  await fleet.stop();

  const tokens = new Set(ids.map(nodeToken));
  const requests = nodeRequests(parseTrace(readFrom(stack.nats.traceFile, traceOffset))).filter(
    (r) => tokens.has(r.nodeToken) && r.at <= endedAt,
  );
  const violations = checkInvariants({
    backend,
    phase,
    message,
    nodes,
    targets: ids,
    skippedAtDiscovery,
    replicasPerNode: replicas,
    replicaBudget: 2 * replicas,
    requests,
    before,
    after,
    ...(options.expectReplicas === true ? { replicasRunning: running } : {}),
    expectedVersion: nextPatch('v1.0.0'),
    stagedFailures: new Set(),
    workerLog: readFileSync(worker.logFile, 'utf8'),
    statusQueryOk,
  });
  const result: SeedResult = {
    seed,
    plan,
    phase: phase ?? 'not ended',
    succeeded: nodes.filter((n) => n.state === 'succeeded').length,
    failed: nodes.filter((n) => n.state === 'failed').length,
    upgradeRequests: requests.filter(isUpgradeRequest).length,
    durationMs: Date.now() - startedAt,
    violations,
  };
  if (violations.length === 0) {
    rmSync(seedDir, { recursive: true, force: true });
    return result;
  }
  writeFileSync(path.join(seedDir, 'violations.json'), JSON.stringify({ ...result, traceOffset }, null, 2));
  try {
    const history = await stack.client.workflow.getHandle(started.workflowId).fetchHistory();
    writeFileSync(path.join(seedDir, 'history.json'), historyToJSON(history));
  } catch (err) {
    writeFileSync(path.join(seedDir, 'history.error.txt'), (err as Error).message);
  }
  copyFileSync(path.join(options.dir, 'temporal.db'), path.join(seedDir, 'temporal.db'));
  return { ...result, keptDir: seedDir };
}
