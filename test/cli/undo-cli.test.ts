/**
 * End to end through the built CLI: `undo` after a rollout sends every node back to the install
 * it had before (its recorded uri, verified by digest) with the run's policy; `--dry-run` starts
 * nothing; `--to-run` picks an earlier run; a run still going is refused with what to do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusJsonSchema } from '../../src/client/status-json.js';
import type { UndoPlan } from '../../src/client/undo-plan.js';
import type { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs, upgradeRequests, waitFor } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'undo sends the upgraded nodes back to their earlier install with the same policy; --dry-run starts nothing',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 3);
    try {
      const t = temporalArgs(servers, orchestrator);
      const q = temporalArgs(servers);
      const flags = ['--backend', backend, '--nodes', ids.join(','), '--max-parallel', '2', '--min-healthy-time', '0s'];
      expectExit(await runCli(['start', ...flags, '--wait', ...t]), 0, 'start --wait');
      const first = StatusJsonSchema.parse(JSON.parse((await runCli(['status', backend, '--json', ...q])).stdout));
      assert.deepEqual(
        first.nodes.map((n) => n.installedAfter),
        ids.map(() => 'v1.0.1'),
      );

      const dry = await runCli(['undo', backend, '--dry-run', ...t]);
      expectExit(dry, 0, 'undo --dry-run');
      assert.equal(
        dry.stdout,
        `undo of run ${first.runId} of ${backend}: 3 nodes from v1.0.1 back to v1.0.0\n` +
          `  nodes: ${ids.join(', ')}\n` +
          `  install: oci://registry.sim/backends/${backend}:v1.0.0 (verified by ${/sha256:[0-9a-f]{12}/.exec(dry.stdout)?.[0] ?? '?'})\n` +
          `dry run: nothing was started; without --dry-run this starts rollout:${backend}\n`,
      );
      const planned = JSON.parse((await runCli(['undo', backend, '--dry-run', '-o', 'json', ...t])).stdout) as UndoPlan;
      assert.equal(planned.spec.maxParallel, 2, 'the policy of the run is kept');
      assert.equal(planned.spec.minHealthyTime, '0s');
      assert.match(planned.spec.targetDigest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(upgradeRequests(fleet), 3, 'a dry run sends nothing');

      const undone = await runCli(['undo', backend, '--reason', 'bad build', ...t]);
      expectExit(undone, 0, 'undo');
      const runId = /^started rollout:\S+ run (\S+)$/m.exec(undone.stdout)?.[1] ?? '';
      assert.notEqual(runId, '', undone.stdout);
      const result = await orchestrator.client.workflow
        .getHandle<typeof rolloutWorkflow>(`rollout:${backend}`)
        .result();
      assert.equal(result.phase, 'succeeded');
      const after = StatusJsonSchema.parse(JSON.parse((await runCli(['status', backend, '--json', ...q])).stdout));
      assert.equal(after.runId, runId);
      assert.equal(after.reason, `undo of run ${first.runId}: bad build`);
      assert.deepEqual(
        after.nodes.map((n) => [n.installedBefore, n.installedAfter]),
        ids.map(() => ['v1.0.1', 'v1.0.0']),
      );
      assert.equal(upgradeRequests(fleet), 6);

      const back = await runCli(['undo', backend, '--to-run', first.runId, '--dry-run', ...t]);
      expectExit(back, 0, 'undo --to-run of the first run');
      assert.match(
        back.stdout,
        new RegExp(`^undo of run ${first.runId} of ${backend}: 3 nodes from v1\\.0\\.1 back to v1\\.0\\.0$`, 'm'),
      );
      const redo = await runCli(['undo', backend, '--dry-run', ...t]);
      assert.match(
        redo.stdout,
        new RegExp(`^undo of run ${runId} of ${backend}: 3 nodes from v1\\.0\\.0 back to v1\\.0\\.1$`, 'm'),
      );
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'undo of a run still going is refused with what to do; an unknown backend says so',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2, { installMs: 20_000 });
    try {
      const t = temporalArgs(servers, orchestrator);
      const q = temporalArgs(servers);
      expectExit(await runCli(['start', '--backend', backend, '--nodes', ids.join(','), ...t]), 0, 'start');
      await waitFor('the rollout to run', async () => {
        const s = await runCli(['status', backend, '--json', ...q]);
        return StatusJsonSchema.parse(JSON.parse(s.stdout)).phase === 'running' ? true : undefined;
      });
      const refused = await runCli(['undo', backend, ...t]);
      expectExit(refused, 1, 'undo of a running rollout');
      assert.match(
        refused.stderr,
        new RegExp(
          `^fleet-rollout: cannot undo run \\S+ of ${backend}: it is still running; abort it first \\('fleet-rollout abort ${backend}'\\)\n$`,
        ),
      );
      expectExit(await runCli(['abort', backend, ...q]), 0, 'abort');
      const unknown = await runCli(['undo', `${backend}-none`, ...t]);
      expectExit(unknown, 1, 'undo of a backend without rollouts');
      assert.match(unknown.stderr, /no rollout of \S+-none/);
    } finally {
      await fleet.stop();
    }
  }),
);
