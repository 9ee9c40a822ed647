/**
 * A short chaos campaign on the real stack (Temporal dev server on its database, nats-server with
 * tracing, the worker and the fleet as child processes): three seeds whose faults cover worker
 * kill -9 and SIGSTOP, nats-server and Temporal restarts and a fleet kill, four nodes each. Every
 * invariant must hold; a failure names the seed, the invariant and the kept directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCampaign } from '../../bench/chaos/campaign.js';
import { describePlan } from '../../bench/chaos/faults.js';

void test('chaos: seeds 7, 10 and 12 keep every invariant', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-test-'));
  const lines: string[] = [];
  const results = await runCampaign({
    seeds: [7, 10, 12],
    nodes: 4,
    installMs: '200-500',
    faultWindowMs: 4_000,
    dir,
    say: (line) => void lines.push(line),
  });
  const kinds = new Set(results.flatMap((r) => r.plan.faults.map((f) => f.kind)));
  assert.deepEqual(
    [...kinds].sort(),
    ['fleet-kill', 'nats-restart', 'temporal-restart', 'worker-kill', 'worker-stop'],
    results.map((r) => describePlan(r.plan)).join(' | '),
  );
  const broken = results.filter((r) => r.violations.length > 0);
  assert.deepEqual(broken, [], `campaign directory ${dir}\n${lines.join('\n')}`);
  assert.deepEqual(
    results.map((r) => [r.seed, r.phase, r.succeeded]),
    [
      [7, 'succeeded', 4],
      [10, 'succeeded', 4],
      [12, 'succeeded', 4],
    ],
  );
  rmSync(dir, { recursive: true, force: true });
});
