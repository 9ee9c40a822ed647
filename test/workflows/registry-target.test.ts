/**
 * Knowing the target, end to end on real parts: a real OCI registry (go-containerregistry's
 * `registry`, images pushed with `crane`), real agents with the real installer pulling by digest,
 * a real Temporal dev server and nats-server. The gallery names a mutable tag: the rollout resolves
 * its digest, upgrades only the nodes on an older one, and a repeat sends nothing; a scheduled
 * trigger against an up-to-date fleet starts nothing and says so, and after a push upgrades exactly
 * the drifted nodes. A target that cannot be resolved fails the rollout before any node is
 * touched. `backend.upgrade` requests are observed passively on the wire. With
 * RECORD_HISTORIES=1 it records both paths for the replay test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { rolloutHistory } from '../../src/client/visibility.js';
import { createSchedule, deleteSchedule, describeSchedule } from '../../src/client/schedules.js';
import { triggerSchedule } from '../../src/client/schedule-trigger.js';
import { StatusJsonSchema } from '../../src/client/status-json.js';
import type { RolloutSpecInput } from '../../src/domain/spec.js';
import { shortDigest } from '../../src/domain/upgrade-target.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { expectExit, runCli, temporalArgs, waitFor } from '../cli/cli-harness.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { recordHistory } from '../support/histories.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { startRegistryFleet, type RegistryFleet } from '../support/registry-fleet.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true, registry: true });
const orch = useOrchestrator(servers);

async function withFleet(count: number, body: (fleet: RegistryFleet) => Promise<void>): Promise<void> {
  const fleet = await startRegistryFleet({ nc: orch.nc, registryHost: servers.registry.host, count, log: orch.log });
  try {
    await body(fleet);
  } finally {
    await fleet.stop();
  }
}

const upgrades = (observer: FleetObserver): number => observer.requests.filter((r) => r.kind === 'upgrade').length;

void test(
  '6 real agents, 2 on the tag digest, 4 on an older one: 4 upgrades by digest, 2 up-to-date; a repeat sends none',
  withLogs(servers, async () => {
    await withFleet(6, async (fleet) => {
      const old = await fleet.push('v1');
      await fleet.install(fleet.ids);
      const fresh = await fleet.push('v2');
      const [a, b] = fleet.ids as [string, string];
      await fleet.install([a, b]);
      const observer = await FleetObserver.start(orch.nc, ['upgrade']);
      try {
        const spec: RolloutSpecInput = {
          backend: fleet.backend,
          nodes: fleet.ids,
          galleries: fleet.galleries,
          maxParallel: 4,
          minHealthyTime: 0,
          reason: 'new image on the tag',
        };
        const run = async () =>
          await orch.client.workflow.execute(rolloutWorkflow, {
            taskQueue: orch.taskQueue,
            workflowId: rolloutWorkflowId(fleet.backend),
            args: [{ spec }],
          });
        const first = await run();
        assert.equal(first.phase, 'succeeded', first.message);
        recordHistory(servers.temporal.address, rolloutWorkflowId(fleet.backend), 'registry-target');
        assert.deepEqual(
          [first.target?.digest, first.target?.source, first.target?.entry],
          [fresh, 'gallery', fleet.backend],
        );
        assert.deepEqual([first.counts.succeeded, first.counts.upToDate, first.counts.failed], [4, 2, 0]);
        assert.equal(upgrades(observer), 4, 'exactly the 4 nodes on the old digest got backend.upgrade');
        for (const node of first.nodes) {
          if (node.id === a || node.id === b) {
            assert.deepEqual([node.state, node.attempts], ['up-to-date', 0]);
            assert.equal(observer.forNode(node.id).length, 0);
          } else {
            assert.equal(node.state, 'succeeded', JSON.stringify(node.steps));
            assert.deepEqual([node.before?.digest, node.after?.digest], [old, fresh]);
            assert.ok(
              node.steps?.some((s) => s.includes('decided by digest')),
              JSON.stringify(node.steps),
            );
          }
        }

        const second = await run();
        assert.equal(second.phase, 'succeeded');
        assert.match(second.message, /^nothing to do: all 6 nodes already run the target/);
        assert.equal(second.counts.upToDate, 6);
        assert.equal(upgrades(observer), 4, 'the second identical rollout sent no backend.upgrade');
      } finally {
        observer.stop();
      }

      const status = await runCli(['status', fleet.backend, '--json', ...temporalArgs(servers)]);
      expectExit(status, 0, 'status --json');
      const doc = StatusJsonSchema.parse(JSON.parse(status.stdout));
      assert.deepEqual([doc.target?.digest, doc.target?.source, doc.counts.upToDate], [fresh, 'gallery', 6]);
      assert.match(doc.target?.description ?? '', new RegExp(`gallery entry ${fleet.backend} of file://`));
      const text = await runCli(['status', fleet.backend, ...temporalArgs(servers)]);
      expectExit(text, 0, 'status');
      assert.match(text.stdout, new RegExp(`target: digest ${shortDigest(fresh)}, uri ${fleet.image}`));
      const history = await waitFor('both runs in history', async () => {
        const out = await runCli(['history', fleet.backend, ...temporalArgs(servers)]);
        return out.stdout.split('\n').filter((l) => l.includes(`digest ${shortDigest(fresh)}`)).length >= 2
          ? out
          : undefined;
      });
      expectExit(history, 0, 'history');
      assert.match(history.stdout, /TARGET/);
    });
  }),
);

void test(
  'a scheduled trigger against an up-to-date fleet starts nothing and says so; after a push it upgrades the drifted nodes',
  withLogs(servers, async () => {
    await withFleet(3, async (fleet) => {
      await fleet.push('v1');
      await fleet.install(fleet.ids);
      const scheduleId = uniqueName('sched');
      await createSchedule(orch.client, {
        scheduleId,
        taskQueue: orch.taskQueue,
        cron: ['0 3 1 1 *'],
        spec: { backend: fleet.backend, nodes: fleet.ids, galleries: fleet.galleries, minHealthyTime: 0 },
      });
      const observer = await FleetObserver.start(orch.nc, ['upgrade']);
      try {
        const idle = await triggerSchedule(orch.client, scheduleId, { timeoutMs: 60_000 });
        assert.equal(idle?.started, false);
        assert.equal(idle?.upToDate, true);
        assert.match(idle?.skipped ?? '', /^up to date, nothing started: all 3 nodes already run digest sha256:/);
        assert.equal(upgrades(observer), 0, 'no node got a request');
        const described = await describeSchedule(orch.client, scheduleId);
        assert.match(described.recentActions.at(-1)?.outcome ?? '', /^up to date, nothing started/);
        recordHistory(servers.temporal.address, idle?.workflowId ?? '', 'scheduled-up-to-date');
        const [drifted] = fleet.ids as [string];
        await fleet.push('v2');
        const keep = fleet.ids.slice(1);
        await fleet.install(keep);
        observer.requests.length = 0;

        const next = await triggerSchedule(orch.client, scheduleId, { timeoutMs: 60_000 });
        assert.equal(next?.started, true, next?.skipped);
        const result = await orch.client.workflow
          .getHandle<typeof rolloutWorkflow>(rolloutWorkflowId(fleet.backend))
          .result();
        assert.equal(result.phase, 'succeeded', result.message);
        assert.deepEqual([result.counts.succeeded, result.counts.upToDate], [1, 2]);
        assert.deepEqual(
          observer.requests.map((r) => r.nodeToken),
          [drifted],
          'exactly the drifted node got backend.upgrade',
        );

        const runs = await waitFor('the up-to-date trigger in history', async () => {
          const found = await rolloutHistory(orch.client, fleet.backend);
          return found.length >= 2 ? found : undefined;
        });
        assert.deepEqual(
          runs.map((r) => r.outcome.replace(/:.*/, '')),
          ['succeeded', 'up to date, nothing started'],
        );
        assert.match(runs[0]?.target ?? '', /gallery entry/);
        const text = await runCli(['history', fleet.backend, ...temporalArgs(servers)]);
        expectExit(text, 0, 'history');
        assert.match(text.stdout, /up to date, nothing started: all 3 nodes already run digest sha256:[0-9a-f]{12}/);
        const describe = await runCli(['schedule', 'describe', scheduleId, ...temporalArgs(servers)]);
        expectExit(describe, 0, 'schedule describe');
        assert.match(
          describe.stdout,
          /recent actions:\n {4}\w{3} \d{4}-\d\d-\d\d \d\d:\d\d UTC {2}up to date, nothing started: all 3 nodes/,
        );
      } finally {
        observer.stop();
        await deleteSchedule(orch.client, scheduleId);
      }
    });
  }),
);

void test(
  'a target that cannot be resolved fails the rollout before any node is touched, naming the registry, tag or entry',
  withLogs(servers, async () => {
    await withFleet(1, async (fleet) => {
      await fleet.push('v1');
      await fleet.install(fleet.ids);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-bad-target-'));
      const index = (name: string, body: string): string => {
        writeFileSync(path.join(dir, name), body);
        return pathToFileURL(path.join(dir, name)).href;
      };
      const host = servers.registry.host;
      const observer = await FleetObserver.start(orch.nc, ['upgrade']);
      const failure = async (url: string): Promise<string> => {
        const spec: RolloutSpecInput = { backend: fleet.backend, nodes: fleet.ids, index: url, minHealthyTime: 0 };
        const handle = await orch.client.workflow.start(rolloutWorkflow, {
          taskQueue: orch.taskQueue,
          workflowId: `${rolloutWorkflowId(fleet.backend)}-${uniqueName('bad')}`,
          args: [{ spec }],
        });
        const err = await handle.result().then(
          () => assert.fail('the rollout should fail'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError, String(err));
        const cause = err.cause as (Error & { cause?: Error }) | undefined;
        return `${cause?.message ?? ''} ${cause?.cause?.message ?? ''}`;
      };
      try {
        const tag = await failure(index('tag.yaml', `- name: ${fleet.backend}\n  uri: ${host}/backends/x:nope\n`));
        assert.match(tag, /cannot resolve the target: .*registry 127\.0\.0\.1:\d+.*backends\/x:nope.*not found/);
        const entry = await failure(index('entry.yaml', `- name: other\n  uri: ${host}/backends/x:nope\n`));
        assert.match(entry, new RegExp(`no entry "${fleet.backend}" in gallery index file://.*entry\\.yaml`));
        const down = await failure(index('down.yaml', `- name: ${fleet.backend}\n  uri: 127.0.0.1:1/backends/x:v1\n`));
        assert.match(down, /cannot resolve the target: .*127\.0\.0\.1:1/);
        assert.equal(upgrades(observer), 0, 'no node got a request');
      } finally {
        observer.stop();
      }
    });
  }),
);
