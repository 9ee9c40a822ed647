/**
 * `fleet-rollout plan` with a target: real agents on images from a real OCI registry, the gallery
 * naming a mutable tag. Pushing a new build moves the resolved digest; plan shows old → new per
 * node, the nodes already on it, and the drift; target failures are usage errors naming the
 * registry, tag, entry or line.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NatsConnection } from 'nats';
import { connectNats } from '../../src/nats/index.js';
import { shortDigest } from '../../src/domain/upgrade-target.js';
import { FleetObserver } from '../support/fleet-observer.js';
import { testLogger } from '../support/orchestrator.js';
import { startRegistryFleet } from '../support/registry-fleet.js';
import { useServers, withLogs } from '../support/servers.js';
import { expectExit, runCli } from './cli-harness.js';

const servers = useServers({ nats: true, registry: true });
let nc: NatsConnection;

before(async () => {
  await servers.ready;
  nc = await connectNats({ servers: [servers.nats.url] });
  servers.beforeStop(() => nc.drain());
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

void test(
  'a new image on the tag: plan shows old → new digest per node, the nodes already on it, and the drift',
  withLogs(servers, async () => {
    const fleet = await startRegistryFleet({ nc, registryHost: servers.registry.host, count: 4, log: testLogger() });
    try {
      const old = await fleet.push('v1');
      await fleet.install(fleet.ids);
      const args = ['plan', '--backend', fleet.backend, '--nodes', fleet.ids.join(','), '--nats-url', servers.nats.url];
      const before = await runCli([...args, '--galleries', fleet.galleries]);
      expectExit(before, 0, 'plan before the push');
      assert.match(before.stdout, /: 0 nodes in 0 waves, 4 up to date/);
      assert.match(before.stdout, new RegExp(`Drift: none, all 4 nodes run digest ${escape(shortDigest(old))}`));
      assert.match(before.stdout, /Nothing to do: all 4 nodes already run the target\./);

      const fresh = await fleet.push('v2');
      assert.notEqual(fresh, old, 'a new build gives the tag a new digest');
      const [a, b, c, d] = fleet.ids as [string, string, string, string];
      await fleet.install([a]);
      const observer = await FleetObserver.start(nc, ['upgrade', 'install']);
      const text = await runCli([...args, '--galleries', fleet.galleries]);
      observer.stop();
      expectExit(text, 0, 'plan');
      const o = escape(shortDigest(old));
      const n = escape(shortDigest(fresh));
      assert.match(text.stdout, new RegExp(`Plan for ${fleet.backend}: 3 nodes in 1 wave, 1 up to date`));
      assert.match(
        text.stdout,
        new RegExp(`target: digest ${n}, uri ${escape(fleet.image)} \\(gallery entry ${fleet.backend} of file://`),
      );
      for (const id of [b, c, d]) assert.match(text.stdout, new RegExp(`${id}\\s.*${o} → ${n}\\n`));
      assert.match(
        text.stdout,
        new RegExp(`Up to date \\(no request; --force reinstalls them\\):\\n.*\\n\\s+${a}\\s.*${n} → up to date\\n`),
      );
      assert.match(text.stdout, new RegExp(`Drift: 3 of 4 nodes run digest ${o}; 1 disagree: ${a} \\(digest ${n}\\)`));
      assert.equal(observer.requests.length, 0, 'plan sends no upgrade');

      const json = await runCli([...args, '--galleries', fleet.galleries, '--json']);
      expectExit(json, 0, 'plan --json');
      const plan = JSON.parse(json.stdout) as {
        target: { digest: string; source: string; entry: string };
        upToDate: { id: string; comparison: { matches: boolean; decidedBy: string } }[];
        drift: { majority: string; drifted: { id: string }[] };
        waves: { nodes: { id: string; comparison: { upgrade: boolean; detail: string } }[] }[];
      };
      assert.deepEqual([plan.target.digest, plan.target.source, plan.target.entry], [fresh, 'gallery', fleet.backend]);
      assert.deepEqual(
        plan.upToDate.map((u) => [u.id, u.comparison.matches, u.comparison.decidedBy]),
        [[a, true, 'digest']],
      );
      assert.deepEqual(
        plan.drift.drifted.map((x) => x.id),
        [a],
      );
      const planned = plan.waves.flatMap((w) => w.nodes);
      assert.deepEqual(planned.map((p) => p.id).sort(), [b, c, d].sort());
      for (const p of planned) assert.match(p.comparison.detail, new RegExp(`digest ${o} ≠ target ${n}`));

      const forced = await runCli([...args, '--galleries', fleet.galleries, '--force']);
      expectExit(forced, 0, 'plan --force');
      assert.match(forced.stdout, /: 4 nodes in 1 wave\n/);
      assert.match(forced.stdout, new RegExp(`${a}\\s.*${n} → ${n} \\(forced\\)`));
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'target failures are usage errors naming the registry, the tag, the entry or the line',
  withLogs(servers, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-plan-target-'));
    const index = (name: string, body: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, body);
      return pathToFileURL(file).href;
    };
    const host = servers.registry.host;
    const plan = (backend: string, url: string) =>
      runCli(['plan', '--backend', backend, '--nodes', 'n1', '--index', url, '--nats-url', servers.nats.url]);

    const missingTag = await plan('be', index('tag.yaml', `- name: be\n  uri: ${host}/backends/be:nope\n`));
    expectExit(missingTag, 2, 'a tag that does not exist');
    assert.match(missingTag.stderr, new RegExp(`registry ${escape(host)}.*backends/be:nope.*not found`));

    const unreachable = await plan('be', index('down.yaml', '- name: be\n  uri: 127.0.0.1:1/backends/be:latest\n'));
    expectExit(unreachable, 2, 'an unreachable registry');
    assert.match(unreachable.stderr, /cannot resolve the target: .*127\.0\.0\.1:1/);

    const noEntry = await plan('other', index('entry.yaml', `- name: be\n  uri: ${host}/backends/be:latest\n`));
    expectExit(noEntry, 2, 'no gallery entry for the backend');
    assert.match(noEntry.stderr, /no entry "other" in gallery index file:\/\/.*entry\.yaml/);

    const malformed = await plan('be', index('bad.yaml', '- name: be\n  uri: [unclosed\n'));
    expectExit(malformed, 2, 'a malformed index');
    assert.match(malformed.stderr, /bad\.yaml is not valid YAML \(line \d+\)/);
  }),
);
