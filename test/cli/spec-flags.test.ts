/** Flags → rollout spec: every flag maps to its field as written; mistakes name the flag. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/cli/exit.js';
import { checkedSpecFromFlags, specFromFlags } from '../../src/cli/spec-flags.js';
import { parseInventory } from '../../src/cli/inventory-file.js';

void test('every rollout flag maps onto the spec, durations and percentages kept as written', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-flags-'));
  const inventory = path.join(dir, 'fleet.json');
  writeFileSync(inventory, JSON.stringify({ nodes: [{ id: 'gpu-1', labels: { zone: 'eu' }, replicas: 2 }] }));
  const spec = specFromFlags(
    {
      backend: 'llama-cpp',
      nodes: ['gpu-2,gpu-3', 'gpu-4'],
      exclude: ['gpu-3'],
      selector: ['zone=eu,tier=gpu'],
      inventory,
      'max-parallel': '4',
      'max-unavailable': '20%',
      batches: '1,10%,50%',
      canary: '2',
      promote: '30m',
      'max-failures': '5%',
      'on-failure': 'continue',
      'upgrade-timeout': '10m',
      'healthy-deadline': '45m',
      'unreachable-grace': '90s',
      'drain-grace': '5s',
      'min-healthy-time': '0s',
      'progress-deadline': '2h',
      'max-attempts': '2',
      window: 'sat,sun 02:00-06:00',
      'target-version': 'v2.0.0',
      galleries: '[{"name":"localai","url":"https://example.com/index.yaml"}]',
      uri: 'oci://registry/backends/llama-cpp:v2',
      name: 'llama-cpp',
      alias: 'llama',
      reason: 'CVE fix',
      'requested-by': 'ops@example.com',
    },
    'Europe/Berlin',
  );
  assert.deepEqual(spec, {
    backend: 'llama-cpp',
    nodes: ['gpu-2', 'gpu-3', 'gpu-4'],
    exclude: ['gpu-3'],
    selector: { zone: 'eu', tier: 'gpu' },
    inventory: [{ id: 'gpu-1', labels: { zone: 'eu' }, replicas: 2 }],
    maxParallel: 4,
    maxUnavailable: '20%',
    batches: ['1', '10%', '50%'],
    canary: { nodes: 2, promote: '30m' },
    maxFailures: '5%',
    onFailure: 'continue',
    upgradeTimeout: '10m',
    healthyDeadline: '45m',
    unreachableGrace: '90s',
    drainGrace: '5s',
    minHealthyTime: '0s',
    progressDeadline: '2h',
    maxAttempts: 2,
    window: { days: ['sun', 'sat'], start: '02:00', end: '06:00', timeZone: 'Europe/Berlin' },
    targetVersion: 'v2.0.0',
    galleries: '[{"name":"localai","url":"https://example.com/index.yaml"}]',
    uri: 'oci://registry/backends/llama-cpp:v2',
    name: 'llama-cpp',
    alias: 'llama',
    reason: 'CVE fix',
    requestedBy: 'ops@example.com',
  });
});

void test('a malformed --drain-grace is refused naming the flag and how to write it', () => {
  assert.throws(
    () => specFromFlags({ backend: 'vllm', nodes: ['a'], 'drain-grace': 'half a minute' }),
    (err: unknown) => err instanceof UsageError && /--drain-grace/.test(err.message) && /30s/.test(err.message),
  );
});

void test('only --backend and targets are needed; the canary promotes manually by default', () => {
  assert.deepEqual(specFromFlags({ backend: 'vllm', nodes: ['a'], canary: '1' }), {
    backend: 'vllm',
    nodes: ['a'],
    canary: { nodes: 1, promote: 'manual' },
  });
});

void test('whole-spec problems are reported under the flag that causes them', () => {
  assert.throws(
    () => checkedSpecFromFlags({ backend: 'x', nodes: ['a'], selector: ['zone=eu'] }),
    (err: unknown) => err instanceof UsageError && /^--selector: a selector needs an inventory/.test(err.message),
  );
  assert.throws(
    () => checkedSpecFromFlags({ backend: 'x', nodes: ['a'], galleries: 'nope' }),
    (err: unknown) => err instanceof UsageError && /^--galleries: /.test(err.message),
  );
  assert.throws(
    () => checkedSpecFromFlags({ backend: 'bad name', nodes: ['a'] }),
    (err: unknown) => err instanceof UsageError && /^--backend: backend must not contain spaces/.test(err.message),
  );
});

void test('inventory files: a list or { nodes }, each problem named by its path', () => {
  assert.deepEqual(parseInventory('f', [{ id: 'a' }]), [{ id: 'a' }]);
  assert.deepEqual(parseInventory('f', { nodes: [{ id: 'a', replicas: 1 }] }), [{ id: 'a', replicas: 1 }]);
  assert.throws(
    () => parseInventory('f', { nodes: [{ id: 'a', replicas: -1 }] }),
    /^UsageError: --inventory: f: nodes\[0\]\.replicas: /,
  );
  assert.throws(
    () => parseInventory('f', [{ id: 'a', zone: 'eu' }]),
    /--inventory: f: \[0\]: Unrecognized key: "zone"/,
  );
  assert.throws(
    () => parseInventory('f', 'gpu-1'),
    /--inventory: f: expected a list of \{ id, name\?, labels\?, replicas\? \}/,
  );
});

void test('--start-check=false turns the start check off; --replica-ready-timeout is kept as written', () => {
  const spec = specFromFlags({
    backend: 'llama-cpp',
    nodes: ['a'],
    'start-check': 'false',
    'replica-ready-timeout': '90s',
  });
  assert.equal(spec.startCheck, false);
  assert.equal(spec.replicaReadyTimeout, '90s');
  assert.equal(specFromFlags({ backend: 'b', nodes: ['a'], 'start-check': 'true' }).startCheck, true);
  assert.throws(
    () => specFromFlags({ backend: 'b', nodes: ['a'], 'start-check': 'no' }),
    (err: Error) => err instanceof UsageError && /--start-check: "no" is neither true nor false/.test(err.message),
  );
});
