/** The frontend's part of `status`: left-out nodes join the skipped list; held-drained nodes say how to resume them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRolloutSpec, type RolloutSpec } from '../../src/domain/spec.js';
import { addFrontendStatus } from '../../src/workflows/frontend-status.js';
import type { NodeStatus, RolloutStatus } from '../../src/workflows/status.js';

function specWith(over: Record<string, unknown>): RolloutSpec {
  const parsed = parseRolloutSpec({ backend: 'llama-cpp', nodes: ['gpu-1', 'gpu-2'], ...over });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.spec;
}

const node = (id: string, over: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  name: id,
  zone: '',
  wave: 0,
  replicas: 1,
  state: 'failed',
  attempts: 1,
  fallback: false,
  ...over,
});

const status = (): RolloutStatus => ({ skippedAtDiscovery: [{ id: 'gpu-9', reason: 'no backend' }] }) as RolloutStatus;

void test('without a frontend the status is left as it is', () => {
  const s = status();
  addFrontendStatus(s, [node('gpu-1', { heldDrained: 'x' })], specWith({}));
  assert.deepEqual(s, status());
});

void test('left-out nodes are added once; held-drained nodes name the retry and the frontend route', () => {
  const s = status();
  const spec = specWith({
    frontend: {
      url: 'http://localai:8080/',
      leftOut: [
        { id: 'gpu-7', reason: 'pending in the LocalAI frontend' },
        { id: 'gpu-9', reason: 'duplicate' },
      ],
    },
  });
  addFrontendStatus(s, [node('gpu-1', { heldDrained: 'its new build failed the start check' }), node('gpu-2')], spec);
  assert.deepEqual(s.skippedAtDiscovery, [
    { id: 'gpu-9', reason: 'no backend' },
    { id: 'gpu-7', reason: 'pending in the LocalAI frontend' },
  ]);
  assert.equal(s.heldDrained?.length, 1);
  assert.equal(s.heldDrained?.[0]?.id, 'gpu-1');
  assert.equal(s.heldDrained?.[0]?.reason, 'its new build failed the start check');
  assert.match(s.heldDrained?.[0]?.resume ?? '', /fleet-rollout retry llama-cpp gpu-1/);
  assert.match(s.heldDrained?.[0]?.resume ?? '', /http:\/\/localai:8080\/api\/nodes\/gpu-1\/resume/);
  assert.doesNotMatch(s.heldDrained?.[0]?.resume ?? '', /8080\/\/api/);
});
