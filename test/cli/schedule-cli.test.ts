/**
 * End to end through the built CLI: a rollout schedule is created, listed and described;
 * `schedule trigger` starts the rollout, and a second trigger while it runs records the skip;
 * pause, unpause and delete work; a missing schedule exits 1.
 */
import { parse as parseYaml } from 'yaml';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs } from './cli-harness.js';

const servers = useServers();
const orchestrator = useOrchestrator(servers);

void test(
  'schedule trigger starts the rollout; a second trigger while it runs records the skip',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2);
    const id = uniqueName('sched');
    const temporal = temporalArgs(servers);
    try {
      // The canary waits for a manual promote, so the rollout is still running at the second trigger.
      const created = await runCli([
        'schedule',
        'create',
        '--id',
        id,
        '--backend',
        backend,
        '--nodes',
        ids.join(','),
        '--canary',
        '1',
        '--min-healthy-time',
        '0s',
        '--cron',
        '0 3 1 1 *',
        '--timezone',
        'Europe/Berlin',
        '--window',
        '00:00-00:00',
        ...temporalArgs(servers, orchestrator),
      ]);
      expectExit(created, 0, 'schedule create');
      assert.match(
        created.stdout,
        new RegExp(
          `created schedule ${id}: 0 3 1 1 \\* \\(Europe/Berlin\\); starts rollout:${backend}; next \\d{4}-01-01T02:00:00\\.000Z`,
        ),
      );

      const list = await runCli(['schedule', 'list', '--json', ...temporal]);
      expectExit(list, 0, 'schedule list');
      const listed = (JSON.parse(list.stdout) as { scheduleId: string; backend: string }[]).find(
        (s) => s.scheduleId === id,
      );
      assert.equal(listed?.backend, backend);

      const first = await runCli(['schedule', 'trigger', id, ...temporal]);
      expectExit(first, 0, 'first trigger');
      assert.equal(first.stdout.trim(), `started rollout:${backend}`);
      const second = await runCli(['schedule', 'trigger', id, ...temporal]);
      expectExit(second, 0, 'second trigger');
      assert.equal(second.stdout.trim(), `skipped: a rollout of ${backend} is already running (rollout:${backend})`);

      const described = await runCli(['schedule', 'describe', id, ...temporal]);
      expectExit(described, 0, 'schedule describe');
      assert.match(described.stdout, /when: 0 3 1 1 \* \(Europe\/Berlin\) · overlap skip/);
      assert.match(described.stdout, /window: sun,mon,tue,wed,thu,fri,sat 00:00-00:00 Europe\/Berlin/);
      const outcomes = described.stdout.split('\n').filter((l) => /^\s{4}\d{4}-/.test(l));
      assert.equal(outcomes.length, 2);
      assert.match(outcomes[0] ?? '', new RegExp(`started rollout:${backend}`));
      assert.match(outcomes[1] ?? '', new RegExp(`skipped: a rollout of ${backend} is already running`));

      expectExit(await runCli(['schedule', 'pause', id, '--note', 'freeze', ...temporal]), 0, 'schedule pause');
      const paused = JSON.parse((await runCli(['schedule', 'describe', id, '--json', ...temporal])).stdout) as {
        paused: boolean;
        note?: string;
      };
      assert.deepEqual([paused.paused, paused.note], [true, 'freeze']);
      const yaml = await runCli(['schedule', 'describe', id, '-o', 'yaml', ...temporal]);
      expectExit(yaml, 0, 'schedule describe -o yaml');
      assert.deepEqual(parseYaml(yaml.stdout), paused, 'the same document in yaml and json');
      expectExit(await runCli(['schedule', 'unpause', id, ...temporal]), 0, 'schedule unpause');

      expectExit(await runCli(['abort', backend, ...temporal]), 0, 'abort the scheduled rollout');
      expectExit(await runCli(['schedule', 'delete', id, ...temporal]), 0, 'schedule delete');
      const gone = await runCli(['schedule', 'describe', id, ...temporal]);
      expectExit(gone, 1, 'describe of a deleted schedule');
      assert.match(gone.stderr, new RegExp(`no schedule ${id}`));
    } finally {
      await fleet.stop();
    }
  }),
);
