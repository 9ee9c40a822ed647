/**
 * Drained nodes are never left drained by accident, on real Temporal and NATS with simulated
 * nodes and the simulated frontend: an abort mid-drain and a kill -9 of the orchestrator worker
 * mid-drain both end with every node resumed; a node whose new build fails its start check stays
 * drained and `status` lists it with the commands that resume it.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { startSimulatedFleet, type SimulatedFleet } from '../../src/agent/index.js';
import {
  NodeStatus,
  startSimulatedFrontend,
  type SimulatedFrontend,
} from '../../src/agent/simulated/frontend/index.js';
import { createFrontendClient } from '../../src/frontend/index.js';
import { type ManagedProcess, waitUntil } from '../../src/local/managed-process.js';
import { installRuntimeLogger } from '../../src/worker.js';
import {
  abortUpdate,
  resumeUpdate,
  retryNodeUpdate,
  rolloutWorkflowId,
  statusQuery,
} from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { startOrchestrator, testLogger, type TestOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { spawnWorker } from '../support/worker-process.js';

const servers = useServers({ temporal: true, nats: true });
const ADMIN_KEY = 'drain-admin-key';
let base: TestOrchestrator;
before(async () => {
  installRuntimeLogger(testLogger());
  base = await startOrchestrator(servers);
});

interface Stack {
  backend: string;
  model: string;
  ids: string[];
  fleet: SimulatedFleet;
  frontend: SimulatedFrontend;
  stop(): Promise<void>;
}

/** `count` simulated nodes serving one replica each of a `min_replicas` model, behind the simulated frontend. */
async function startStack(
  options: { count?: number; failStart?: string; failStartOn?: number; scheduled?: boolean } = {},
): Promise<Stack> {
  const { count = 3, failStart, failStartOn, scheduled = true } = options;
  const backend = uniqueName('drain');
  const prefix = uniqueName('d');
  const model = `${backend}-model`;
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const fleet = await startSimulatedFleet({
    nc: base.nc,
    log: base.log,
    nodes: ids.map((id, i) => ({
      id,
      backend,
      version: 'v1.0.0',
      installMs: 50,
      replicas: 1,
      ...(failStart === undefined || (failStartOn !== undefined && failStartOn !== i) ? {} : { failStart }),
    })),
  });
  const frontend = await startSimulatedFrontend({
    nc: base.nc,
    log: base.log,
    nodes: ids.map((id) => ({ id })),
    catalog: new Map([[model, backend]]),
    scheduling: scheduled ? [{ model, minReplicas: ids.length }] : [],
    auth: { apiKeys: [ADMIN_KEY] },
    tickMs: 500,
  });
  return {
    backend,
    model,
    ids,
    fleet,
    frontend,
    async stop() {
      await frontend.stop();
      await fleet.stop();
    },
  };
}

/** Holds a request in flight on `nodeId` (as the router does), so its drain waits the whole grace. */
function holdRequest(stack: Stack, nodeId: string): void {
  const row = stack.frontend.registry.rows(nodeId)[0];
  assert.ok(row !== undefined, `${nodeId} has a model row`);
  stack.frontend.registry.reserve(row);
}

const statuses = (stack: Stack): string[] => stack.ids.map((id) => stack.frontend.registry.node(id)?.status ?? '?');

async function drainingInFrontend(stack: Stack, nodeId: string): Promise<void> {
  await waitUntil(
    `${nodeId} draining in the frontend`,
    () => Promise.resolve(stack.frontend.registry.node(nodeId)?.status === NodeStatus.Draining),
    60_000,
  );
}

void test(
  'an abort mid-drain resumes the node, which is left pending with nothing sent to it',
  withLogs(servers, async () => {
    const stack = await startStack();
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    try {
      const first = stack.ids[0] ?? '';
      holdRequest(stack, first);
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: { backend: stack.backend, nodes: stack.ids, frontend: { url: stack.frontend.url }, drainGrace: '5m' },
          },
        ],
      });
      await drainingInFrontend(stack, first);
      await handle.executeUpdate(abortUpdate, { args: [{ reason: 'test' }] });
      const result = await handle.result();
      assert.equal(result.phase, 'aborted');
      assert.deepEqual(statuses(stack), ['healthy', 'healthy', 'healthy'], 'no node is left drained');
      const node = result.nodes.find((n) => n.id === first);
      assert.equal(node?.state, 'pending');
      assert.ok(node?.steps?.includes('resumed in the frontend (aborted)'), node?.steps?.join(' | '));
      assert.equal(result.heldDrained, undefined);
    } finally {
      await orch.stop();
      await stack.stop();
    }
  }),
);

void test(
  'a node whose new build fails its start check stays drained and status lists it; a retry takes it over and resumes it',
  withLogs(servers, async () => {
    const stack = await startStack({ failStart: 'v1.0.1' });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    try {
      const first = stack.ids[0] ?? '';
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: {
              backend: stack.backend,
              nodes: stack.ids,
              minHealthyTime: 0,
              frontend: {
                url: stack.frontend.url,
                leftOut: [{ id: 'gpu-pending', reason: 'pending in the frontend' }],
              },
            },
          },
        ],
      });
      await waitUntil('the halt', async () => (await handle.query(statusQuery, {})).phase === 'halted', 60_000);
      const status = await handle.query(statusQuery, {});
      assert.equal(status.nodes.find((n) => n.id === first)?.state, 'failed');
      assert.deepEqual(statuses(stack), ['draining', 'healthy', 'healthy'], 'only the failed-start node is drained');
      assert.equal(status.heldDrained?.length, 1);
      assert.equal(status.heldDrained?.[0]?.id, first);
      assert.match(status.heldDrained?.[0]?.reason ?? '', /start check/);
      assert.match(status.heldDrained?.[0]?.resume ?? '', new RegExp(`fleet-rollout retry ${stack.backend} ${first}`));
      assert.match(status.heldDrained?.[0]?.resume ?? '', new RegExp(`/api/nodes/${first}/resume`));
      assert.deepEqual(status.skippedAtDiscovery, [{ id: 'gpu-pending', reason: 'pending in the frontend' }]);
      // A retry takes the node over in its drained state (no refusal as someone else's drain); the
      // simulated gallery's next build starts, so it is resumed; the next node then fails and is held.
      await handle.executeUpdate(retryNodeUpdate, { args: [first] });
      await handle.executeUpdate(resumeUpdate, { args: [{}] });
      const second = stack.ids[1] ?? '';
      await waitUntil(
        'the retried node upgraded and the next one failed',
        async () => {
          const s = await handle.query(statusQuery, {});
          return s.phase === 'halted' && s.nodes.find((n) => n.id === second)?.state === 'failed';
        },
        60_000,
      );
      const after = await handle.query(statusQuery, {});
      const retried = after.nodes.find((n) => n.id === first);
      assert.equal(retried?.state, 'succeeded');
      assert.ok(retried?.steps?.includes('drain: still held drained from its failed start check'));
      assert.ok(retried?.steps?.includes('resumed in the frontend (upgraded)'), retried?.steps?.join(' | '));
      assert.deepEqual(statuses(stack), ['healthy', 'draining', 'healthy']);
      assert.deepEqual(
        after.heldDrained?.map((h) => h.id),
        [second],
      );
      await handle.executeUpdate(abortUpdate, { args: [{ reason: 'test' }] });
      const result = await handle.result();
      assert.equal(result.heldDrained?.[0]?.id, second, 'still reported after the end');
      assert.equal(stack.frontend.registry.node(second)?.status, NodeStatus.Draining);
    } finally {
      await orch.stop();
      await stack.stop();
    }
  }),
);

void test(
  'two nodes upgraded in parallel are never drained together: the second waits for the first to be resumed',
  withLogs(servers, async () => {
    const stack = await startStack({ count: 2 });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    let bothDrained = 0;
    const sample = setInterval(() => {
      if (statuses(stack).every((s) => s === NodeStatus.Draining)) bothDrained += 1;
    }, 10);
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: {
              backend: stack.backend,
              nodes: stack.ids,
              maxParallel: 2,
              maxUnavailable: '100%',
              minHealthyTime: 0,
              frontend: { url: stack.frontend.url },
            },
          },
        ],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.equal(bothDrained, 0, 'both nodes were drained at once');
      const waited = result.nodes.filter((n) => n.steps?.some((s) => s.startsWith('drain waits: it is the last node')));
      assert.equal(waited.length, 1, result.nodes.map((n) => n.steps?.join(' | ')).join('\n'));
      assert.deepEqual(statuses(stack), ['healthy', 'healthy']);
    } finally {
      clearInterval(sample);
      await orch.stop();
      await stack.stop();
    }
  }),
);

void test(
  'the only node serving a model is not drained: it fails saying why, and nothing is sent to it',
  withLogs(servers, async () => {
    const stack = await startStack({ count: 1 });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          { spec: { backend: stack.backend, nodes: stack.ids, maxFailures: 1, frontend: { url: stack.frontend.url } } },
        ],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'failed');
      const node = result.nodes[0];
      assert.equal(node?.state, 'failed');
      assert.match(node?.lastError ?? '', new RegExp(`not drained: it is the last node serving ${stack.model}`));
      assert.equal(node?.attempts, 0, 'no upgrade was sent');
      assert.deepEqual(statuses(stack), ['healthy']);
    } finally {
      await orch.stop();
      await stack.stop();
    }
  }),
);

void test(
  'onFailure revert drains each upgraded node around its revert, and reverts and resumes the node held drained',
  withLogs(servers, async () => {
    const stack = await startStack({ failStart: 'v1.0.1', failStartOn: 1 });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: {
              backend: stack.backend,
              nodes: stack.ids,
              minHealthyTime: 0,
              onFailure: 'revert',
              frontend: { url: stack.frontend.url },
            },
          },
        ],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'failed');
      assert.match(result.message, /reverted 2 of 2 upgraded nodes/);
      assert.deepEqual(
        result.nodes.map((n) => n.state),
        ['succeeded', 'failed', 'pending'],
      );
      for (const node of result.nodes.slice(0, 2)) {
        const steps = node.steps ?? [];
        const reverted = steps.findIndex((s) => s.startsWith('reverted to v1.0.0'));
        assert.ok(reverted > 0, steps.join(' | '));
        assert.ok(
          steps.slice(0, reverted).some((s) => s.startsWith('drained')),
          'drained before its revert',
        );
        assert.equal(steps[reverted + 1], 'resumed in the frontend (reverted)');
      }
      assert.equal(result.heldDrained, undefined, 'the reverted node is no longer held');
      assert.deepEqual(statuses(stack), ['healthy', 'healthy', 'healthy']);
    } finally {
      await orch.stop();
      await stack.stop();
    }
  }),
);

void test(
  'a node whose worker re-registers mid-upgrade is reported as un-drained by its restart; a model without min_replicas is said to load on its next request',
  withLogs(servers, async () => {
    const stack = await startStack({ count: 2, scheduled: false });
    const orch = await startOrchestrator(servers, {
      frontend: createFrontendClient({ url: stack.frontend.url, apiKey: ADMIN_KEY }),
    });
    try {
      const first = stack.ids[0] ?? '';
      holdRequest(stack, first);
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: {
              backend: stack.backend,
              nodes: [first],
              minHealthyTime: 0,
              frontend: { url: stack.frontend.url },
              drainGrace: '3s',
            },
          },
        ],
      });
      await drainingInFrontend(stack, first);
      // What a worker restart does in LocalAI: its re-registration sets the node healthy.
      stack.frontend.registry.setStatus(first, NodeStatus.Healthy);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      const steps = result.nodes[0]?.steps ?? [];
      assert.ok(
        steps.some((s) => s.startsWith('resume: already healthy: its worker restarted')),
        steps.join(' | '),
      );
      assert.ok(steps.includes(`${stack.model}: no min_replicas in the frontend, will load on the next request`));
      assert.ok(!steps.some((s) => s.startsWith('waiting for the frontend to reload')));
    } finally {
      await orch.stop();
      await stack.stop();
    }
  }),
);

/** The orchestrator worker as its own process, with the frontend. */
async function spawnFrontendWorker(taskQueue: string, frontendUrl: string): Promise<ManagedProcess> {
  return await spawnWorker(servers, taskQueue, ['--localai-url', frontendUrl, '--localai-api-key', ADMIN_KEY]);
}

void test(
  'kill -9 of the orchestrator worker mid-drain: a new worker finishes the rollout and every node ends resumed',
  { timeout: 300_000 },
  withLogs(servers, async () => {
    const stack = await startStack();
    const taskQueue = uniqueName('tq');
    let worker = await spawnFrontendWorker(taskQueue, stack.frontend.url);
    try {
      const first = stack.ids[0] ?? '';
      holdRequest(stack, first);
      const handle = await base.client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId(stack.backend),
        args: [
          {
            spec: {
              backend: stack.backend,
              nodes: stack.ids,
              minHealthyTime: 0,
              frontend: { url: stack.frontend.url },
              drainGrace: '4s',
            },
          },
        ],
      });
      await drainingInFrontend(stack, first);
      await worker.kill();
      worker = await spawnFrontendWorker(taskQueue, stack.frontend.url);
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.deepEqual(statuses(stack), ['healthy', 'healthy', 'healthy'], 'every node resumed');
      for (const id of stack.ids)
        assert.ok(
          stack.frontend.registry.rows(id).some((r) => r.modelName === stack.model),
          `${id} serves its replica again`,
        );
      const node = result.nodes.find((n) => n.id === first);
      assert.ok(
        node?.steps?.some((s) => /^drained; waited \d+ ms/.test(s)),
        node?.steps?.join(' | '),
      );
      assert.ok(node?.steps?.includes('resumed in the frontend (upgraded)'));
    } finally {
      await worker.stop();
      await stack.stop();
    }
  }),
);
