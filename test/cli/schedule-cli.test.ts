/**
 * End to end through the built CLI: a rollout schedule is created, listed and described;
 * `schedule trigger` starts the rollout, and a second trigger while it runs records the skip;
 * pause, unpause and delete work; a missing schedule exits 1. A schedule over an inventory file
 * says where its targets came from, and a rollout it starts while the window is closed says until when.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli, startFleet, temporalArgs, waitFor } from './cli-harness.js';

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
      // A skip because the rollout still runs did not do what was asked: exit 1, naming the running run.
      const running = JSON.parse((await runCli(['status', backend, '--json', ...temporal])).stdout) as {
        runId: string;
      };
      const second = await runCli(['schedule', 'trigger', id, ...temporal]);
      expectExit(second, 1, 'second trigger');
      assert.equal(
        second.stdout.trim(),
        `skipped: a rollout of ${backend} is already running (rollout:${backend}), run ${running.runId}; follow it with 'fleet-rollout watch ${backend}'`,
      );

      const described = await runCli(['schedule', 'describe', id, ...temporal]);
      expectExit(described, 0, 'schedule describe');
      assert.match(described.stdout, /when: 0 3 1 1 \* \(Europe\/Berlin\) · overlap skip/);
      // Times in the schedule's zone: 03:00 in Berlin on 1 January is 02:00 UTC.
      assert.match(described.stdout, /next: \w{3} \d{4}-01-01 03:00 Europe\/Berlin \(\d{4}-01-01T02:00:00\.000Z\)/);
      assert.match(described.stdout, new RegExp(`targets: nodes ${ids.join(',')}\n`));
      assert.match(
        described.stdout,
        /policy: maxParallel 1 · maxUnavailable 25% · canary 1 \(manual promote\) · maxFailures 0 · onFailure halt · start check on · soak 0ms\n/,
      );
      assert.match(described.stdout, /window: sun,mon,tue,wed,thu,fri,sat 00:00-00:00 Europe\/Berlin/);
      const outcomes = described.stdout
        .split('\n')
        .filter((l) => /^\s{4}\w{3} \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Berlin {2}/.test(l));
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

void test(
  'a triggered rollout that waits for its maintenance window says until when; describe names the inventory file',
  withLogs(servers, async () => {
    const { fleet, backend, ids } = await startFleet(orchestrator, 2);
    const id = uniqueName('sched-window');
    const temporal = temporalArgs(servers);
    const dir = mkdtempSync(path.join(tmpdir(), 'schedule-inventory-'));
    try {
      const inventory = path.join(dir, 'fleet.yaml');
      writeFileSync(
        inventory,
        ids.map((n, i) => `- { id: ${n}, labels: { zone: ${i === 0 ? 'a' : 'b'} } }`).join('\n'),
      );
      // A one-minute window two hours from now (UTC): closed at the trigger.
      const opens = Math.floor((Date.now() + 2 * 3_600_000) / 60_000) * 60_000;
      const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
      const created = await runCli([
        'schedule',
        'create',
        '--id',
        id,
        '--backend',
        backend,
        '--inventory',
        inventory,
        '--selector',
        'zone=a',
        '--cron',
        '0 3 1 1 *',
        '--timezone',
        'Europe/Berlin',
        '--window',
        `${hhmm(opens)}-${hhmm(opens + 60_000)} UTC`,
        ...temporalArgs(servers, orchestrator),
      ]);
      expectExit(created, 0, 'schedule create');

      const described = await runCli(['schedule', 'describe', id, ...temporal]);
      expectExit(described, 0, 'schedule describe');
      assert.match(
        described.stdout,
        new RegExp(
          `targets: selector zone=a over inventory file ${inventory.replace(/[.]/g, '\\.')} \\(2 nodes, read \\d{4}-`,
        ),
      );
      assert.match(
        described.stdout,
        new RegExp(`window: sun,mon,tue,wed,thu,fri,sat ${hhmm(opens)}-${hhmm(opens + 60_000)} UTC`),
      );

      const trigger = await runCli(['schedule', 'trigger', id, ...temporal]);
      expectExit(trigger, 0, 'trigger');
      const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(opens).getUTCDay()] ?? '';
      const iso = new Date(opens).toISOString();
      assert.equal(
        trigger.stdout.trim(),
        `started rollout:${backend}; it waits for its maintenance window until ${day} ${iso.slice(0, 16).replace('T', ' ')} UTC (${iso})`,
      );

      // status says the same, in JSON and in text.
      const waiting = await waitFor('the rollout to wait for its window', async () => {
        const st = JSON.parse((await runCli(['status', backend, '--json', ...temporal])).stdout) as {
          waiting: string | null;
          waitingUntil: string | null;
          counts: { total: number };
        };
        return st.waiting === 'window-closed' ? st : undefined;
      });
      assert.equal(waiting.waitingUntil, iso);
      assert.equal(waiting.counts.total, 1, 'the selector picked one node of the inventory');
      const text = await runCli(['status', backend, ...temporal]);
      assert.match(
        text.stdout,
        new RegExp(`waiting for the maintenance window, closed until ${iso.replace(/[.]/g, '\\.')} \\(in 1h5\\dm`),
      );
      expectExit(await runCli(['abort', backend, ...temporal]), 0, 'abort the waiting rollout');
      expectExit(await runCli(['schedule', 'delete', id, ...temporal]), 0, 'schedule delete');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fleet.stop();
    }
  }),
);
