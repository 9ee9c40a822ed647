/**
 * What the Temporal Web UI shows of a rollout: every activity and timer has a summary naming its
 * step and node, and the current details name the phase and the nodes in flight.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { waitUntil } from '../../src/local/managed-process.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

void test(
  'activities and timers carry readable summaries; the current details name the nodes in flight',
  withLogs(servers, async () => {
    const backend = uniqueName('ui');
    const id = uniqueName('gpu');
    const fleet = await startSimulatedFleet({
      nc: orch.nc,
      nodes: [{ id, backend, version: 'v1.0.0', installMs: 200, replicas: 1 }],
      log: orch.log,
    });
    try {
      const handle = await orch.client.workflow.start(rolloutWorkflow, {
        taskQueue: orch.taskQueue,
        workflowId: rolloutWorkflowId(backend),
        args: [{ spec: { backend, nodes: [id], minHealthyTime: '3s' } }],
      });
      // The Web UI reads the current details through the SDK's built-in metadata query.
      let details = '';
      await waitUntil(
        'the node soaking in the current details',
        async () => {
          const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
          details = meta.currentDetails ?? '';
          return details.includes(`in flight: ${id} (soaking)`);
        },
        30_000,
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; the details said: ${details}`);
      });
      assert.match(details, new RegExp(`\\*\\*${backend}\\*\\*: running`));
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);

      const summaries: string[] = [];
      for (const event of (await handle.fetchHistory()).events ?? []) {
        const payload = event.userMetadata?.summary;
        if (payload !== undefined && payload !== null)
          summaries.push(String(defaultPayloadConverter.fromPayload(payload)));
      }
      for (const expected of [
        `discover 1 nodes (${id})`,
        `upgrade ${id} (attempt 1)`,
        `start check ${id}`,
        `read replicas of ${id}`,
        `restore 1 replicas on ${id}`,
        `soak ${id} 3s`,
      ])
        assert.ok(
          summaries.some((s) => s.startsWith(expected)),
          `no summary starting "${expected}" in ${JSON.stringify(summaries)}`,
        );
    } finally {
      await fleet.stop();
    }
  }),
);
