/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against the real
 * stack: the demo's rollout starts, node tiles change state as it proceeds, the Pause button
 * pauses it (as `status --json` shows; the page says it waits for resume and gives no ETA, and its
 * legend names every node state), a screenshot is saved, and Abort with a reason ends it.
 * With UPDATE_SCREENSHOTS=1 the screenshot also replaces docs/dashboard.png (shown by the README).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startSimulatedFleet } from '../../src/agent/index.js';
import { getStatus, resume, startRollout } from '../../src/client/index.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { DEMO_BACKEND, demoSpec, simulatedNodes } from '../../src/cli/demo/scenario.js';
import { PROJECT_ROOT } from '../../src/local/tools.js';
import { runCli } from '../cli/cli-harness.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { useServers, withLogs } from '../support/servers.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);

/** Runs `body` with a dashboard over the test's client on a free loopback port. */
async function withDashboard(token: string | undefined, body: (dashboard: Dashboard) => Promise<void>): Promise<void> {
  const dashboard = await startDashboard({
    client: orch.client,
    listen: { host: '127.0.0.1', port: 0 },
    log: orch.log,
    ...(token !== undefined ? { token } : {}),
  });
  try {
    await body(dashboard);
  } finally {
    await dashboard.close();
  }
}

/** GET with an arbitrary Host header (fetch does not let one set it). */
async function statusWithHost(url: string, host: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** A fresh browser profile in a temporary directory; removed afterwards. */
async function withBrowser(body: (page: Page) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the dashboard's browser test needs Debian's chromium; install it with 'apt-get update && apt-get install -y chromium' (as root), or set CHROMIUM=/path/to/chromium`,
    );
  const profile = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1360, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await body(page);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const IN_FLIGHT = '.tile[data-state="upgrading"], .tile[data-state="verifying"], .tile[data-state="soaking"]';

void test(
  'the page follows the rollout live; Pause pauses it (status --json agrees); Abort with a reason ends it',
  { timeout: 150_000 },
  withLogs(servers, async () => {
    const fleet = await startSimulatedFleet({ nc: orch.nc, nodes: simulatedNodes(), log: orch.log });
    try {
      await withDashboard(undefined, (dashboard) =>
        withBrowser(async (page) => {
          const started = await startRollout(orch.client, demoSpec(), { taskQueue: orch.taskQueue });
          await page.goto(`${dashboard.url}rollouts/${DEMO_BACKEND}`);
          await page.waitForSelector('.tile', { timeout: 30_000 });
          assert.equal(await page.locator('.tile').count(), 12, 'one tile per node');
          assert.deepEqual(
            await page.locator('table.grid tbody th').allTextContents(),
            ['ap-south', 'eu-west', 'us-east'],
            'one row per zone',
          );

          // A tile goes from pending to in flight to succeeded, pushed by the server.
          const first = page.locator(IN_FLIGHT).first();
          await first.waitFor({ timeout: 30_000 });
          const nodeId = (await first.getAttribute('data-node-id')) ?? '';
          assert.notEqual(nodeId, '');
          const tile = page.locator(`.tile[data-node-id="${nodeId}"]`);
          await page.locator(`.tile[data-node-id="${nodeId}"][data-state="succeeded"]`).waitFor({ timeout: 30_000 });
          assert.equal(await tile.getAttribute('data-state'), 'succeeded');
          assert.match((await tile.getAttribute('title')) ?? '', /v1\.4\.2 → v1\.4\.3/);

          // Once a few nodes are done, pause from the page.
          await page.locator('.tile[data-state="succeeded"]').nth(2).waitFor({ timeout: 60_000 });
          await page.locator('#pause').click();
          await page.locator('#phase', { hasText: /^paused$/ }).waitFor({ timeout: 10_000 });
          const cli = await runCli(['status', DEMO_BACKEND, '--json'], {
            env: { TEMPORAL_ADDRESS: servers.temporal.address },
          });
          assert.equal(cli.code, 0, cli.stderr);
          assert.equal((JSON.parse(cli.stdout) as { phase: string }).phase, 'paused');
          assert.equal(await page.locator('#resume').isEnabled(), true);
          assert.equal(await page.locator('#waiting').textContent(), 'resume (paused)');
          assert.equal(
            await page.locator('#eta').textContent(),
            'none: waits for resume (paused)',
            'no ETA while paused',
          );
          const legend = await page.locator('#legend span').allTextContents();
          for (const state of ['starting', 'restoring', 'up-to-date', 'soaking', 'unknown'])
            assert.ok(legend.includes(state), `the legend lists ${state}: ${legend.join(', ')}`);

          await tile.click();
          assert.match((await page.locator('#details-text').textContent()) ?? '', /state: succeeded/);
          const shot = path.join(servers.logDir, 'dashboard.png');
          await page.screenshot({ path: shot, fullPage: true });
          const png = readFileSync(shot);
          assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
          assert.ok(png.length > 20_000, `a real picture (${png.length} bytes)`);
          if (process.env['UPDATE_SCREENSHOTS'] === '1')
            copyFileSync(shot, path.join(PROJECT_ROOT, 'docs', 'dashboard.png'));

          // A change made elsewhere (the CLI's client) reaches the page through the event stream,
          // within the 500 ms poll plus one status query.
          const resumedAt = Date.now();
          await resume(orch.client, DEMO_BACKEND);
          await page.locator('#phase', { hasText: /^running$/ }).waitFor({ timeout: 10_000 });
          const lagMs = Date.now() - resumedAt;
          assert.doesNotMatch((await page.locator('#eta').textContent()) ?? '', /^none/, 'running again: no hold');
          assert.ok(lagMs < 2_000, `the page showed the resume after ${lagMs} ms`);

          await page.locator('#reason').fill('seen enough in the browser test');
          await page.locator('#abort').click();
          await page.locator('#phase', { hasText: /^aborted$/ }).waitFor({ timeout: 30_000 });
          const result = await started.handle.result();
          assert.equal(result.phase, 'aborted');
          assert.match(result.message, /seen enough in the browser test/);

          // The front page lists it among the recent rollouts, linking to its view.
          await page.goto(dashboard.url);
          const link = page.locator(`a[href="/rollouts/${DEMO_BACKEND}"]`);
          await link.waitFor({ timeout: 10_000 });
          await link.click();
          await page.locator('#phase', { hasText: /^aborted$/ }).waitFor({ timeout: 10_000 });
          assert.equal(await page.locator('#pause').isDisabled(), true, 'no controls on an ended rollout');
        }),
      );
    } finally {
      await fleet.stop();
    }
  }),
);

void test(
  'a token is checked on every request; controls need the control header and the same origin',
  withLogs(servers, async () => {
    const token = 'test-token-0123456789';
    await withDashboard(token, async (guarded) => {
      const api = `${guarded.url}api/rollouts`;
      assert.equal((await fetch(api)).status, 401);
      assert.equal((await fetch(api, { headers: { authorization: 'Bearer wrong-token-000000' } })).status, 401);
      assert.equal((await fetch(api, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      const login = await fetch(`${guarded.url}?token=${token}`, { redirect: 'manual' });
      assert.equal(login.status, 303);
      assert.equal(login.headers.get('location'), '/');
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
      assert.equal((await fetch(api, { headers: { cookie } })).status, 200);
      const pauseUrl = `${api}/${DEMO_BACKEND}/pause`;
      const auth = { authorization: `Bearer ${token}` };
      assert.equal((await fetch(pauseUrl, { method: 'POST', headers: auth })).status, 403, 'no control header');
      const crossSite = await fetch(pauseUrl, {
        method: 'POST',
        headers: { ...auth, 'x-fleet-rollout-control': '1', origin: 'http://evil.example' },
      });
      assert.equal(crossSite.status, 403, 'another origin');
      const status = await getStatus(orch.client, DEMO_BACKEND).catch(() => undefined);
      assert.notEqual(status?.status.phase, 'paused', 'no refused control reached the rollout');
    });
    await withDashboard(undefined, async (open) => {
      const api = `${open.url}api/rollouts`;
      assert.equal(await statusWithHost(api, 'attacker.example'), 403, 'without a token: loopback Host headers only');
      assert.equal(await statusWithHost(api, new URL(open.url).host), 200);
    });
    const refused = await runCli(['dashboard', '--listen', '0.0.0.0:8080'], {
      env: { TEMPORAL_ADDRESS: servers.temporal.address },
    });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /token is required: set --token or FLEET_ROLLOUT_DASHBOARD_TOKEN/);
  }),
);
