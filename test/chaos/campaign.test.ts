/**
 * A short chaos campaign on the real stack (Temporal dev server on its database, nats-server with
 * tracing, the worker and the fleet as child processes): three seeds whose faults cover worker
 * kill -9 and SIGSTOP, nats-server and Temporal restarts and a fleet kill, three nodes each. Every
 * invariant must hold; a failure names the seed, the invariant and the kept directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCampaign } from '../../bench/chaos/campaign.js';
import { describePlan } from '../../bench/chaos/faults.js';

void test('chaos: seeds 4, 7 and 20 keep every invariant', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-test-'));
  const lines: string[] = [];
  const results = await runCampaign({
    seeds: [4, 7, 20],
    nodes: 3,
    installTime: '200ms-500ms',
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
      [4, 'succeeded', 3],
      [7, 'succeeded', 3],
      [20, 'succeeded', 3],
    ],
  );
  rmSync(dir, { recursive: true, force: true });
});
