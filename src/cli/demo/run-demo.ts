/**
 * `fleet-rollout demo`: starts the local stack, rolls `llama-cpp` across the staged fleet through
 * the Temporal client, shows it live, prints the final table and the verdict, and stops everything
 * it started — on success, on failure and on Ctrl-C. With `keep`, holds the stack up until Ctrl-C.
 *
 * Exit codes: 0 the rollout ended as staged (every node upgraded except the one that fails by
 * design); 1 it did not; 3 the local servers could not be started; 130/143 interrupted by
 * SIGINT/SIGTERM before the rollout ended.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startRollout, workflowUiUrl, parseTemporalSettings } from '../../client/index.js';
import { ExitCode, UnreachableError } from '../exit.js';
import { outputStyle } from '../render.js';
import { startDashboard, type Dashboard } from '../../dashboard/server.js';
import { ToolMissingError } from '../../local/tools.js';
import { createLogger } from '../../log.js';
import type { TrafficStats } from '../../agent/simulated/frontend/index.js';
import type { RolloutStatus } from '../../workflows/status.js';
import { elapsedLine, keepLines, summaryLines } from './report.js';
import {
  DEMO_BACKEND,
  DemoRole,
  demoInventory,
  demoNodes,
  demoSpec,
  REPLICAS_PER_NODE,
  simulatedNodes,
} from './scenario.js';
import { startDemoStack, type DemoStack } from './stack.js';
import { judgeDemo } from './verdict.js';
import { followDemoRollout } from './view.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Leave the stack running after the rollout until SIGINT/SIGTERM. @default false */
  keep?: boolean;
  /** Put a simulated LocalAI frontend with constant traffic in front of the fleet, and drain through it. @default false */
  frontend?: boolean;
  /** @default process.stdout */
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Runs the demo; resolves to the exit code once everything it started has stopped. */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const style = outputStyle(out);
  const say = (line: string): void => void out.write(`demo: ${line}\n`);
  const startedAt = Date.now();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-demo-'));
  const logFile = path.join(logDir, 'demo.log');
  const log = createLogger(
    { level: process.env['LOG_LEVEL'] ?? 'warn', name: 'fleet-rollout-demo' },
    pino.destination({ dest: logFile, sync: true }),
  );

  const stopper = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptedBy !== undefined) {
      // A second Ctrl-C: leave now; the exit hook of the managed processes kills the servers.
      out.write('demo: stopping at once\n');
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    interruptedBy = signal;
    stopper.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stack: DemoStack | undefined;
  let dashboard: Dashboard | undefined;
  let keepLogs = false;
  try {
    const nodes = demoNodes();
    try {
      stack = await startDemoStack({
        logDir,
        log,
        nodes: simulatedNodes(nodes),
        say,
        ...(options.frontend === true
          ? {
              frontend: {
                model: `${DEMO_BACKEND}-model`,
                backend: DEMO_BACKEND,
                replicasPerNode: REPLICAS_PER_NODE,
                // A legacy worker predates the frontend's node registry: it is upgraded without a drain.
                nodeIds: nodes.filter((n) => n.role !== DemoRole.Legacy).map((n) => n.id),
              },
            }
          : {}),
      });
    } catch (err) {
      if (interruptedBy !== undefined) return SIGNAL_EXIT[interruptedBy] ?? 1;
      keepLogs = true;
      if (err instanceof ToolMissingError) throw new UnreachableError(`cannot start the demo: ${err.message}`);
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      throw new UnreachableError(`cannot start the local servers: ${message} (logs in ${logDir})`);
    }
    dashboard = await startDashboard({ client: stack.client, listen: { host: '127.0.0.1', port: 0 }, log });
    const dashboardUrl = `${dashboard.url}rollouts/${DEMO_BACKEND}`;
    say(`Temporal ${stack.temporalAddress}, NATS ${stack.natsUrl}, Web UI ${stack.uiUrl}, dashboard ${dashboard.url}`);
    if (stopper.signal.aborted) {
      say(`${interruptedBy ?? 'interrupted'}: stopping before the rollout started`);
      return SIGNAL_EXIT[interruptedBy ?? 'SIGINT'] ?? 1;
    }

    const started = await startRollout(stack.client, demoSpec(nodes, stack.frontend?.url), {
      taskQueue: stack.taskQueue,
    });
    const settings = parseTemporalSettings({ address: stack.temporalAddress, uiUrl: stack.uiUrl });
    say(
      `started ${started.workflowId}: upgrading ${DEMO_BACKEND} on ${nodes.length} nodes in 3 zones (2 replicas each)`,
    );
    say('policy: canary 1 node (promoted after 3s), then maxParallel 3, maxUnavailable 50%, maxFailures 1');
    if (stack.frontend !== undefined)
      say(
        'each node is drained in the LocalAI frontend before its upgrade and resumed after (states draining, resuming)',
      );
    say(`follow it in the Web UI: ${workflowUiUrl(settings, started.workflowId, started.runId)}`);
    say(`or on the dashboard: ${dashboardUrl}`);
    out.write('\n');

    const final = await followDemoRollout(stack.client, DEMO_BACKEND, { out, style, signal: stopper.signal });
    if (final === undefined) {
      say(`${interruptedBy ?? 'interrupted'}: the rollout was still running`);
      return SIGNAL_EXIT[interruptedBy ?? 'SIGINT'] ?? 1;
    }
    const verdict = judgeDemo(final.status, nodes);
    out.write(`${summaryLines(style, final.status, verdict).join('\n')}\n\n`);
    const traffic = stack.frontend?.traffic();
    if (traffic !== undefined) say(trafficLine(final.status, traffic));
    say(`Temporal Web UI: ${stack.uiUrl} (rollout: ${workflowUiUrl(settings, final.workflowId, final.runId)})`);
    say(`dashboard: ${dashboardUrl}`);
    say(elapsedLine(startedAt, Date.now()));
    const code = verdict.asDesigned ? ExitCode.Ok : ExitCode.RolloutFailed;
    if (!verdict.asDesigned) keepLogs = true;

    if (options.keep === true && !stopper.signal.aborted) {
      const inventoryFile = path.join(logDir, 'inventory.json');
      writeFileSync(inventoryFile, `${JSON.stringify(demoInventory(nodes), null, 2)}\n`);
      const info = { ...stack, inventoryFile, nodes, dashboardUrl: dashboard.url };
      out.write(`${keepLines(info).join('\n')}\n`);
      await new Promise<void>((resolve) => stopper.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    return code;
  } catch (err) {
    keepLogs = true;
    throw err;
  } finally {
    await dashboard?.close();
    if (stack !== undefined) {
      say('stopping the worker, the simulated fleet, nats-server and the Temporal dev server');
      await stack.stop();
      say('stopped everything the demo started');
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (keepLogs) say(`logs kept in ${logDir}`);
    else rmSync(logDir, { recursive: true, force: true });
  }
}

/** What the drain did for the frontend's traffic, e.g. `frontend: 11 nodes drained and resumed; traffic 1480 requests, 0 failed`. */
function trafficLine(status: RolloutStatus, traffic: TrafficStats): string {
  const resumed = status.nodes.filter((n) => n.steps?.some((s) => s.startsWith('resumed in the frontend'))).length;
  const held = status.heldDrained?.length ?? 0;
  const first = traffic.failures[0];
  const example = first === undefined ? '' : `; first: ${first.at} ${first.nodeId ?? ''} ${first.message}`;
  return `frontend: ${resumed} nodes drained and resumed${held > 0 ? `, ${held} held drained` : ''}; traffic ${traffic.sent} requests, ${traffic.failed} failed (killed in flight ${traffic.byKind.killed}, stale row ${traffic.byKind['stale-row']}, no node ${traffic.byKind['no-node']})${example}`;
}
