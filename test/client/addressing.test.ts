import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backendOfWorkflowId,
  MemoKey,
  RolloutSearchAttribute,
  RolloutUpdate,
  rolloutMemo,
  rolloutWorkflowId,
  STATUS_QUERY,
} from '../../src/addressing.js';
import * as messages from '../../src/workflows/messages.js';
import {
  RolloutBackendKey,
  RolloutFailedNodesKey,
  RolloutPhaseKey,
  RolloutProgressPctKey,
  startSearchAttributes,
} from '../../src/workflows/search-attributes.js';

void test('a rollout is addressed as rollout:<backend>, and the backend reads back from the id', () => {
  assert.equal(rolloutWorkflowId('llama-cpp'), 'rollout:llama-cpp');
  assert.equal(backendOfWorkflowId(rolloutWorkflowId('a:b')), 'a:b');
  assert.equal(backendOfWorkflowId('other'), 'other');
});

void test('the workflow defines its query and updates under the names the light clients send', () => {
  assert.equal(messages.statusQuery.name, STATUS_QUERY);
  const updates = [
    messages.pauseUpdate,
    messages.resumeUpdate,
    messages.abortUpdate,
    messages.promoteUpdate,
    messages.setMaxParallelUpdate,
    messages.skipNodeUpdate,
    messages.retryNodeUpdate,
  ].map((u) => u.name);
  assert.deepEqual(updates.sort(), Object.values(RolloutUpdate).sort());
});

void test('the typed search attribute keys carry the declared names, and a rollout starts discovering', () => {
  assert.deepEqual(
    [RolloutBackendKey, RolloutPhaseKey, RolloutProgressPctKey, RolloutFailedNodesKey].map((k) => k.name),
    Object.values(RolloutSearchAttribute).map((a) => a.name),
  );
  assert.deepEqual(
    startSearchAttributes('llama-cpp').map((p) => [p.key.name, p.value]),
    [
      ['RolloutBackend', 'llama-cpp'],
      ['RolloutPhase', 'discovering'],
    ],
  );
});

void test('the start memo names who asked, and why and to what only when known', () => {
  assert.deepEqual(rolloutMemo({ requestedBy: 'ops@host' }), { [MemoKey.RequestedBy]: 'ops@host' });
  assert.deepEqual(rolloutMemo({ requestedBy: 'ops@host', reason: 'CVE', target: 'v2' }), {
    requestedBy: 'ops@host',
    reason: 'CVE',
    target: 'v2',
  });
});
