/**
 * End to end through the built CLI: `pause` stops new nodes until `resume`, `abort` ends a
 * rollout with the in-flight node reported and the pending ones never started, and refused
 * controls exit 1 with the workflow's reason.
 */
import { hostname, userInfo } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../../src/client/index.js';
import { StatusJsonSchema } from '../../src/client/status-json.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs, upgradeRequests, waitFor } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'pause holds every new node until resume; a second pause and an unknown node are refused',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 5, { installMs: 500 });
    try {
      const flags = [
        '--backend',
        backend,
        '--nodes',
        ids.join(','),
        '--min-healthy-time',
        '0s',
        ...temporalArgs(servers, orchestrator),
      ];
      expectExit(await runCli(['start', ...flags]), 0, 'start');
      const paused = await runCli(['pause', backend, '--reason', 'e2e pause', ...temporalArgs(servers)]);
      expectExit(paused, 0, 'pause');
      assert.match(
        paused.stdout,
        new RegExp(
          `^paused ${backend} \\(reason: e2e pause\\): \\d+ nodes? in flight finish(?:es)?, \\d+ nodes? pending waits? for 'fleet-rollout resume ${backend}'\n$`,
        ),
      );
      const history = await orchestrator.client.workflow.getHandle(`rollout:${backend}`).fetchHistory();
      const accepted = (history.events ?? []).find((e) => e.workflowExecutionUpdateAcceptedEventAttributes != null);
      const request = accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      assert.equal(request?.input?.name, 'pause');
      assert.equal(request?.meta?.identity, `${userInfo().username}@${hostname()}`, 'who paused is in the history');

      const again = await runCli(['pause', backend, ...temporalArgs(servers)]);
      expectExit(again, 1, 'second pause');
      assert.match(again.stderr, /cannot pause .*: the rollout is already paused/);
      const skip = await runCli(['skip', backend, 'no-such-node', ...temporalArgs(servers)]);
      expectExit(skip, 1, 'skip of an unknown node');
      assert.match(skip.stderr, /node "no-such-node" is not part of this rollout/);

      const held = await runCli(['status', backend, ...temporalArgs(servers)]);
      expectExit(held, 0, 'status of a paused rollout');
      assert.match(
        held.stdout.split('\n')[1] ?? '',
        new RegExp(`^last control: pause by ${userInfo().username}@${hostname()} \\(e2e pause\\) at \\S+Z$`),
      );

      const settled = await waitFor('the paused rollout to have nothing in flight', async () => {
        const s = (await getStatus(orchestrator.client, backend)).status;
        return s.phase === 'paused' && s.counts.inFlight === 0 && s.nodes.length === ids.length ? s : undefined;
      });
      assert.ok(settled.counts.pending > 0, `pause came too late to observe: ${JSON.stringify(settled.counts)}`);
      const requests = upgradeRequests(fleet);
      const watchUntil = Date.now() + 1_500;
      while (Date.now() < watchUntil) {
        const s = (await getStatus(orchestrator.client, backend)).status;
        assert.equal(s.phase, 'paused');
        assert.equal(s.counts.pending, settled.counts.pending, 'no node starts while paused');
        assert.equal(upgradeRequests(fleet), requests, 'no upgrade request is sent while paused');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      expectExit(await runCli(['resume', backend, ...temporalArgs(servers)]), 0, 'resume');
      const watched = await runCli(['watch', backend, ...temporalArgs(servers)]);
      expectExit(watched, 0, 'watch');
      for (const id of ids) assert.match(watched.stdout, new RegExp(`^${id}\\s+-\\s+\\d\\s+succeeded`, 'm'));
      assert.equal(upgradeRequests(fleet), ids.length);

      const who = `${userInfo().username}@${hostname()}`;
      const listed = await runCli(['history', backend, ...temporalArgs(servers)]);
      expectExit(listed, 0, 'history');
      assert.ok(listed.stdout.includes(`pause by ${who} (e2e pause); resume by ${who}`), listed.stdout);
      const runId = StatusJsonSchema.parse(
        JSON.parse((await runCli(['status', backend, '--json', ...temporalArgs(servers)])).stdout),
      ).runId;
      const detail = await runCli(['history', backend, '--run', runId, ...temporalArgs(servers)]);
      expectExit(detail, 0, 'history --run');
      assert.match(
        detail.stdout,
        new RegExp(`^${backend}: succeeded: every one of the 5 targeted nodes upgraded$`, 'm'),
      );
      assert.match(detail.stdout, new RegExp(`^  \\S+Z\\s+pause\\s+${who.replace(/[.]/g, '\\.')}\\s+e2e pause$`, 'm'));
      assert.match(detail.stdout, new RegExp(`^  \\S+Z\\s+resume\\s+${who.replace(/[.]/g, '\\.')}$`, 'm'));
      const json = JSON.parse(
        (await runCli(['history', backend, '--run', runId, '-o', 'json', ...temporalArgs(servers)])).stdout,
      ) as {
        controls: { control: string; by: string; reason: string | null }[];
      };
      assert.deepEqual(
        json.controls.map((c) => [c.control, c.by, c.reason]),
        [
          ['pause', who, 'e2e pause'],
          ['resume', who, null],
        ],
      );
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'abort ends the rollout: the node in flight is reported, pending nodes never start, watch exits 1',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 3, { installMs: 20_000 });
    try {
      const flags = [
        '--backend',
        backend,
        '--nodes',
        ids.join(','),
        '--min-healthy-time',
        '0s',
        ...temporalArgs(servers, orchestrator),
      ];
      expectExit(await runCli(['start', ...flags]), 0, 'start');
      await waitFor('a node to be upgrading', async () => {
        const s = (await getStatus(orchestrator.client, backend)).status;
        return s.nodes.some((n) => n.state === 'upgrading') ? true : undefined;
      });
      const aborted = await runCli(['abort', backend, '--reason', 'e2e abort', ...temporalArgs(servers)]);
      expectExit(aborted, 0, 'abort');
      const upgrading = (await getStatus(orchestrator.client, backend)).status.nodes.filter(
        (n) => n.state !== 'pending',
      );
      assert.equal(upgrading.length, 1);
      const caught = upgrading[0]?.id ?? '';
      assert.equal(
        aborted.stdout,
        `aborted ${backend} (reason: e2e abort): 2 pending nodes will not start\n` +
          `caught mid-upgrade (their upgrade is cancelled; the node may have applied it): ${caught}\n` +
          `check what they have installed: fleet-rollout nodes ${backend} --nodes ${caught}\n`,
      );

      const watched = await runCli(['watch', backend, ...temporalArgs(servers)]);
      expectExit(watched, 1, 'watch of an aborted rollout');
      assert.match(watched.stdout, new RegExp(`${backend}: aborted`));

      const status = await runCli(['status', backend, '--json', ...temporalArgs(servers)]);
      expectExit(status, 1, 'status of an aborted rollout');
      const doc = StatusJsonSchema.parse(JSON.parse(status.stdout));
      assert.equal(doc.phase, 'aborted');
      assert.match(doc.message, /e2e abort/);
      const states = doc.nodes.map((n) => n.state).sort();
      assert.deepEqual(states, ['pending', 'pending', 'unknown']);
      assert.match(doc.nodes.find((n) => n.state === 'unknown')?.error ?? '', /aborted mid-upgrade/);
      assert.equal(upgradeRequests(fleet), 1, 'only the node in flight was ever asked to upgrade');
    } finally {
      await fleet.stop();
    }
  }),
);
