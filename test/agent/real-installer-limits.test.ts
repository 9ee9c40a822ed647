/**
 * The real agent under its install limits, against real HTTP servers on loopback that never stop,
 * lie about their size, serve compression bombs or trickle bytes: each install stops early with a
 * clear error, the installed version stays, staging is left empty, and the backend's lock is freed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { subjects } from '../../src/protocol/index.js';
import { uniqueName } from '../support/servers.js';
import { withLogs } from '../support/servers.js';
import { galleries, useRealAgents } from './support/real-agents.js';
import { backendTarball, makeTar } from './support/tarball.js';
import { startCli } from './support/cli.js';
import { tempDir } from './support/files.js';
import { ask } from './support/wire.js';

const { servers, connection, setup } = useRealAgents();

const MiB = 1024 * 1024;
const LIMITS = { maxDownloadBytes: MiB, maxExtractedBytes: 4 * MiB, maxEntries: 500, idleTimeoutMs: 400 };

/** Writes 64 KiB chunks until the client goes away. */
const endless: http.RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 7);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

/** Sends `body` one byte every `everyMs`. */
const trickle =
  (body: Buffer, everyMs: number): http.RequestListener =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= body.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body.subarray(at, at + 1));
      at += 1;
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  };

void test(
  'endless, lying, bomb and trickling artifacts stop early, keep the old install and free the lock',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, dir, http } = await setup({ installLimits: LIMITS });
    http.files.set('/v1.tar.gz', backendTarball('v1'));
    http.files.set('/v2.tar.gz', backendTarball('v2'));
    const upgrade = (uri: string): Promise<string> =>
      ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'b', uri: `${http.url}${uri}` }), 20_000);
    assert.match(await upgrade('/v1.tar.gz'), /^\{"success":true/);
    const before = await ask(nc, subjects.list(id), '{}');

    http.handlers.set('/endless.tar.gz', endless);
    http.handlers.set('/announces-10GiB.tar.gz', (_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * MiB) });
      res.write(Buffer.alloc(1024));
    });
    http.handlers.set('/announces-1KiB.tar.gz', (_req, res) => {
      res.writeHead(200, { 'content-length': '1024' });
      res.write(Buffer.alloc(4 * MiB, 1));
      res.end();
    });
    http.handlers.set('/short.tar.gz', (_req, res) => {
      res.writeHead(200, { 'content-length': '4096' });
      res.write(Buffer.alloc(100), () => res.socket?.destroy());
    });
    const bomb = makeTar([{ path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 }, ...zeros(6)], { gzip: true });
    assert.ok(bomb.length < 64 * 1024, `the bomb is small (${bomb.length} bytes) and unpacks to 48 MiB`);
    http.files.set('/bomb.tar.gz', bomb);
    const many = Array.from({ length: 600 }, (_, i) => ({ path: `f/${i}`, content: 'x' }));
    http.files.set(
      '/many.tar.gz',
      makeTar([{ path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 }, ...many], { gzip: true }),
    );

    http.handlers.set('/trickle.tar.gz', trickle(backendTarball('t'), 50));
    const cases: [string, RegExp][] = [
      ['/endless.tar.gz', /endless\.tar\.gz is larger than 1 MiB, the limit \(--max-download-bytes\)/],
      ['/announces-10GiB.tar.gz', /announces-10GiB\.tar\.gz is larger than 1 MiB, the limit \(--max-download-bytes\)/],
      ['/announces-1KiB.tar.gz', /not a readable \.tar or \.tar\.gz archive/],
      [
        '/short.tar.gz',
        /failed to download \\"http:\/\/127\.0\.0\.1:\d+\/short\.tar\.gz\\": the connection broke after 100 of 4096 bytes \(terminated: other side closed\)/,
      ],
      ['/bomb.tar.gz', /the unpacked files exceed 4 MiB, the limit \(--max-extracted-bytes\)/],
      ['/many.tar.gz', /the archive holds more than 500 entries, the limit \(--max-entries\)/],
      // Never quiet for 400 ms, but 20 bytes a second is no progress.
      [
        '/trickle.tar.gz',
        /less than 1 KiB from http:\/\/127\.0\.0\.1:\d+\/trickle\.tar\.gz in 400 ms, the idle timeout/,
      ],
    ];
    for (const [uri, pattern] of cases) {
      const started = Date.now();
      const reply = await upgrade(uri);
      assert.match(reply, /^\{"success":false,"error":"upgrading backend from external URI: /, `${uri}: ${reply}`);
      assert.match(reply, pattern, `${uri}: ${reply}`);
      assert.ok(Date.now() - started < 10_000, `${uri} stopped early`);
      assert.equal(await ask(nc, subjects.list(id), '{}'), before, `${uri}: the installed version stays`);
      assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'staging')), [], `${uri}: staging is clean`);
      assert.deepEqual(readdirSync(path.join(dir, '.fleet-rollout', 'downloads')), [], `${uri}: downloads are clean`);
    }

    // One byte a second against a 400 ms idle timeout; an upgrade sent right after waits on the
    // backend's lock and must run as soon as the stalled one gives up.
    http.handlers.set('/slow.tar.gz', trickle(backendTarball('slow'), 1_000));
    const slow = upgrade('/slow.tar.gz');
    const next = upgrade('/v2.tar.gz');
    assert.match(
      await slow,
      /"error":"upgrading backend from external URI: less than 1 KiB from http:\/\/127\.0\.0\.1:\d+\/slow\.tar\.gz in 400 ms, the idle timeout \(--download-idle-timeout\)"/,
    );
    assert.match(await next, /^\{"success":true/, 'the queued upgrade is not stuck behind the lock');
    assert.match(await ask(nc, subjects.list(id), '{}'), /"uri":"http:\/\/127\.0\.0\.1:\d+\/v2\.tar\.gz"/);
  }),
);

void test(
  'an install deadline stops a download that keeps trickling within the idle timeout',
  withLogs(servers, async () => {
    const nc = await connection();
    const { id, http } = await setup({ installLimits: { idleTimeoutMs: 5_000, deadlineMs: 1_000 } });
    http.handlers.set('/trickle.tar.gz', trickle(backendTarball('t'), 50));
    const started = Date.now();
    const reply = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 't', uri: `${http.url}/trickle.tar.gz` }),
      20_000,
    );
    assert.match(reply, /the install took longer than 1000 ms, the deadline \(--install-deadline\)/);
    assert.ok(Date.now() - started < 5_000, 'the deadline, not the idle timeout, ended it');
    assert.equal(await ask(nc, subjects.list(id), '{}'), '{"backends":null}');
  }),
);

void test(
  'a password in an artifact or gallery URI never reaches the reply or the log',
  withLogs(servers, async () => {
    const nc = await connection();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { id, http } = await setup({ log: createLogger({ level: 'debug' }, sink) });
    const host = http.url.replace('http://', '');
    const artifact = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'x', uri: `http://deploy:s3cr3t-pw@${host}/x.tar.gz` }),
      15_000,
    );
    assert.equal(
      artifact,
      `{"success":false,"error":"upgrading backend from external URI: \\"http://deploy:***@${host}/x.tar.gz\\" carries credentials (user:password@), which this agent does not send or record: serve the artifact from a URL without them","reports_stopped_processes":true}`,
    );
    http.files.set('/index.yaml', `- name: x\n  uri: http://deploy:s3cr3t-pw@${host}/x.tar.gz\n`);
    const gallery = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'x', backend_galleries: galleries(`${http.url}/index.yaml`) }),
      15_000,
    );
    assert.match(
      gallery,
      /"error":"upgrading backend from gallery: \\"http:\/\/deploy:\*\*\*@127\.0\.0\.1:\d+\/x\.tar\.gz\\" carries credentials/,
    );
    const unparsable = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'x', uri: 'http://deploy:s3cr3t-pw@[bad/x.tar.gz' }),
      15_000,
    );
    assert.match(unparsable, /"http:\/\/deploy:\*\*\*@\[bad\/x\.tar\.gz\\" is not a URL/);
    const image = await ask(
      nc,
      subjects.upgrade(id),
      JSON.stringify({ backend: 'x', uri: 'oci://deploy:s3cr3t-pw@127.0.0.1:1/x:v1' }),
      15_000,
    );
    assert.match(image, /invalid image reference \\"oci:\/\/deploy:\*\*\*@127\.0\.0\.1:1\/x:v1\\"/);
    assert.ok(
      lines.some((l) => l.includes('upgrade failed')),
      'the failures were logged',
    );
    for (const text of [artifact, gallery, unparsable, image, ...lines]) assert.ok(!text.includes('s3cr3t'), text);
  }),
);

/** `count` files of 8 MiB of zeros each. */
function zeros(count: number): { path: string; content: Buffer }[] {
  return Array.from({ length: count }, (_, i) => ({ path: `lib/zero-${i}.bin`, content: Buffer.alloc(8 * MiB) }));
}

void test(
  'the agent command takes the limits as flags and refuses malformed ones naming the flag',
  withLogs(servers, async () => {
    const nc = await connection();
    const root = tempDir('limits-cli');
    const bad = startCli(['agent', '--node-id', 'n1', '--backends-dir', root, '--max-download-bytes', 'lots']);
    bad.ready.catch(() => undefined);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /--max-download-bytes "lots": expected a positive size such as 68719476736 or 64GiB/);
    const id = uniqueName('cli');
    const agent = startCli([
      'agent',
      ...['--node-id', id, '--backends-dir', `${root}/backends`, '--nats-url', servers.nats.url],
      ...['--max-entries', '3', '--max-extracted-bytes', '1MiB'],
    ]);
    try {
      await agent.ready;
      const archive = `${root}/four.tar`;
      writeFileSync(archive, makeTar(['run.sh', 'a', 'b', 'c'].map((p) => ({ path: p, content: 'x' }))));
      assert.match(
        await ask(nc, subjects.upgrade(id), JSON.stringify({ backend: 'b', uri: `file://${archive}` }), 15_000),
        /the archive holds more than 3 entries, the limit \(--max-entries\)/,
      );
    } finally {
      agent.child.kill('SIGTERM');
    }
    assert.equal((await agent.exited).code, 0, agent.stderr());
  }),
);
