/**
 * End to end through the built CLI: `resume --reason` and `promote --full --reason` at a canary
 * gate. The full promote skips the canary gate and the barrier between the remaining waves (a
 * later wave starts while the one before it is in flight), and the reasons with who sent them
 * show in `status` and `history`. `promote --full` is refused when no gate is left.
 */
import { hostname, userInfo } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getStatus } from '../../src/client/index.js';
import type { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs, upgradeRequests, waitFor } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);
const who = `${userInfo().username}@${hostname()}`;

void test(
  'promote --full at the canary gate: the last wave starts beside the one in flight; reasons show in status and history',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 5, { installMs: 1_500 });
    try {
      const flags = ['--backend', backend, '--nodes', ids.join(','), '--canary', '1', '--batches', '2'];
      const policy = ['--max-parallel', '4', '--min-healthy-time', '0s'];
      expectExit(await runCli(['start', ...flags, ...policy, ...temporalArgs(servers, orchestrator)]), 0, 'start');
      await waitFor('the canary gate', async () =>
        (await getStatus(orchestrator.client, backend)).status.waiting === 'canary-gate' ? true : undefined,
      );
      expectExit(await runCli(['pause', backend, '--reason', 'look first', ...temporalArgs(servers)]), 0, 'pause');
      const resumed = await runCli(['resume', backend, '--reason', 'looked', ...temporalArgs(servers)]);
      expectExit(resumed, 0, 'resume');
      assert.equal(
        resumed.stdout,
        `resumed ${backend} (reason: looked): the canary wave is done and waits for 'fleet-rollout promote ${backend}'\n`,
      );

      const promoted = await runCli(['promote', backend, '--full', '--reason', 'hotfix', ...temporalArgs(servers)]);
      expectExit(promoted, 0, 'promote --full');
      assert.equal(
        promoted.stdout,
        `promoted ${backend} in full (reason: hotfix): no canary gate or wave barrier is left, 4 nodes pending go on\n`,
      );

      const result = await orchestrator.client.workflow
        .getHandle<typeof rolloutWorkflow>(`rollout:${backend}`)
        .result();
      assert.equal(result.phase, 'succeeded');
      const byWave = (wave: number): { startedAt: number; finishedAt: number }[] =>
        result.nodes
          .filter((n) => n.wave === wave)
          .map((n) => ({ startedAt: n.startedAt ?? NaN, finishedAt: n.finishedAt ?? NaN }));
      assert.deepEqual(
        [0, 1, 2].map((w) => byWave(w).length),
        [1, 2, 2],
        'waves: canary 1, then batches of 2',
      );
      const lastWaveStart = Math.min(...byWave(2).map((n) => n.startedAt));
      const middleWaveEnd = Math.max(...byWave(1).map((n) => n.finishedAt));
      assert.ok(
        lastWaveStart < middleWaveEnd,
        `the last wave started (${lastWaveStart}) before the wave before it finished (${middleWaveEnd})`,
      );
      assert.equal(upgradeRequests(fleet), 5);
      recordHistory(servers.temporal.address, `rollout:${backend}`, 'promote-full');

      const status = await runCli(['status', backend, ...temporalArgs(servers)]);
      expectExit(status, 0, 'status');
      assert.equal(
        status.stdout.split('\n')[1],
        `last control: promote --full by ${who} (hotfix) at ${lastAt(status)}`,
      );

      const history = await runCli(['history', backend, ...temporalArgs(servers)]);
      expectExit(history, 0, 'history');
      assert.ok(
        history.stdout.includes(
          `pause by ${who} (look first); resume by ${who} (looked); promote --full by ${who} (hotfix)`,
        ),
        history.stdout,
      );

      const again = await runCli(['promote', backend, '--full', ...temporalArgs(servers)]);
      expectExit(again, 1, 'promote of an ended rollout');
      assert.match(again.stderr, new RegExp(`cannot fully promote ${backend}: no running rollout of ${backend}`));
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'promote --full is refused when the last wave runs; a plain promote without a canary says what --full does',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2, { installMs: 20_000 });
    try {
      const flags = ['--backend', backend, '--nodes', ids.join(','), '--min-healthy-time', '0s'];
      expectExit(await runCli(['start', ...flags, ...temporalArgs(servers, orchestrator)]), 0, 'start');
      await waitFor('a node in flight', async () =>
        (await getStatus(orchestrator.client, backend)).status.counts.inFlight > 0 ? true : undefined,
      );
      const full = await runCli(['promote', backend, '--full', ...temporalArgs(servers)]);
      expectExit(full, 1, 'promote --full in the last wave');
      assert.equal(
        full.stderr.trim(),
        `fleet-rollout: cannot fully promote ${backend}: no gate is left to skip: the last wave is running`,
      );
      const plain = await runCli(['promote', backend, ...temporalArgs(servers)]);
      expectExit(plain, 1, 'promote without a canary');
      assert.match(plain.stderr, /this rollout has no canary wave; nothing to promote \('promote --full' skips/);
      expectExit(await runCli(['abort', backend, ...temporalArgs(servers)]), 0, 'abort');
    } finally {
      await fleet.stop();
    }
  }),
);

/** The time at the end of the `last control:` line. */
function lastAt(result: { stdout: string }): string {
  return /^last control: .* at (\S+Z)$/m.exec(result.stdout)?.[1] ?? '(no last control line)';
}
