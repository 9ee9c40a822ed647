/**
 * The typed client against a real Temporal dev server, orchestrator worker and simulated fleet:
 * validation before sending, one rollout per backend, live heartbeat progress in `getStatus`,
 * readable refusals of controls, visibility queries and history.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abort,
  ControlRejectedError,
  getStatus,
  InvalidSpecError,
  listRollouts,
  pause,
  RolloutAlreadyRunningError,
  RolloutNotFoundError,
  rolloutHistory,
  skipNode,
  startRollout,
  StatusJsonSchema,
  toStatusJson,
} from '../../src/client/index.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';
import { startFleet, waitFor } from '../cli/cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'start, live status, controls, visibility and history through the client',
  withLogs(servers, async () => {
    const { client, taskQueue } = orchestrator;
    const { fleet, backend, ids } = await startFleet(orchestrator, 3, { installMs: 4_000 });
    try {
      await assert.rejects(
        startRollout(client, { backend, nodes: ids, maxUnavailable: '150%' }, { taskQueue }),
        (err: unknown) => {
          assert.ok(err instanceof InvalidSpecError);
          assert.deepEqual(
            err.problems.map((p) => p.path),
            ['maxUnavailable'],
          );
          return true;
        },
      );
      await assert.rejects(getStatus(client, backend), RolloutNotFoundError, 'nothing was started by an invalid spec');

      const spec = { backend, nodes: ids, minHealthyTime: '0s', reason: 'client test' };
      const started = await startRollout(client, spec, { taskQueue });
      assert.equal(started.workflowId, `rollout:${backend}`);
      await assert.rejects(startRollout(client, spec, { taskQueue }), (err: unknown) => {
        assert.ok(err instanceof RolloutAlreadyRunningError);
        assert.equal(err.runId, started.runId);
        assert.match(
          err.message,
          new RegExp(`already running: rollout:${backend} run ${started.runId}, started .* by \\S+@\\S+`),
        );
        return true;
      });
      const attached = await startRollout(client, spec, { taskQueue, attach: true });
      assert.deepEqual([attached.attached, attached.runId], [true, started.runId]);

      const live = await waitFor('live heartbeat progress of the node in flight', async () => {
        const snapshot = await getStatus(client, backend);
        const entry = Object.values(snapshot.live).find((p) => p.pct !== undefined && p.pct > 0);
        return entry === undefined ? undefined : { snapshot, entry };
      });
      const node = live.snapshot.status.nodes.find((n) => n.id === live.entry.nodeId);
      assert.equal(node?.pct, live.entry.pct, 'the node carries the live percentage');
      assert.equal(live.entry.activity, 'upgradeNode');
      const doc = StatusJsonSchema.parse(toStatusJson(live.snapshot));
      assert.equal(doc.nodes.find((n) => n.id === live.entry.nodeId)?.live, true);

      await pause(client, backend, { reason: 'client test' });
      await assert.rejects(
        pause(client, backend),
        (err: unknown) => err instanceof ControlRejectedError && /already paused/.test(err.message),
      );
      await assert.rejects(
        skipNode(client, backend, 'nope'),
        (err: unknown) => err instanceof ControlRejectedError && /"nope" is not part of this rollout/.test(err.message),
      );

      const running = await listRollouts(client, { backend, running: true });
      assert.deepEqual(
        running.map((r) => [r.workflowId, r.execution, r.requestedBy !== undefined]),
        [[`rollout:${backend}`, 'RUNNING', true]],
      );
      await waitFor('the paused phase in visibility', async () =>
        (await listRollouts(client, { backend, phase: 'paused' })).length === 1 ? true : undefined,
      );

      await abort(client, backend, { reason: 'client test over' });
      const final = await started.handle.result();
      assert.equal(final.phase, 'aborted');
      await assert.rejects(pause(client, backend), RolloutNotFoundError);
      const history = await rolloutHistory(client, backend);
      assert.deepEqual(
        history.map((h) => [h.outcome, h.reason, h.counts?.total]),
        [['aborted', 'client test', 3]],
      );
    } finally {
      await fleet.stop();
    }
  }),
);
