/**
 * The light protobuf used by control commands: what it writes decodes with the Temporal SDK's own
 * protobuf root, and what the SDK writes decodes with it; the update names match the workflow's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { ControlUpdate, controlCalls } from '../../src/client/control-calls.js';
import { bytesField, decodeMessage, encodeMessage, numberField } from '../../src/client/grpc-wire.js';
import * as messages from '../../src/workflows/messages.js';

void test('an update request written field by field decodes with the SDK root', () => {
  const bytes = encodeMessage([
    [1, 'default'],
    [2, [[1, 'rollout:llama-cpp']]],
    [4, [[1, 3]]],
    [
      5,
      [
        [
          1,
          [
            [1, 'update-1'],
            [2, 'ops@host'],
          ],
        ],
        [
          2,
          [
            [2, 'pause'],
            [
              3,
              [
                [
                  1,
                  [
                    [
                      1,
                      [
                        [1, 'encoding'],
                        [2, Buffer.from('json/plain')],
                      ],
                    ],
                    [2, Buffer.from('{"reason":"é ✓"}')],
                  ],
                ],
              ],
            ],
          ],
        ],
      ],
    ],
  ]);
  const decoded = temporal.api.workflowservice.v1.UpdateWorkflowExecutionRequest.decode(bytes);
  assert.equal(decoded.namespace, 'default');
  assert.equal(decoded.workflowExecution?.workflowId, 'rollout:llama-cpp');
  assert.equal(decoded.waitPolicy?.lifecycleStage, 3);
  assert.equal(decoded.request?.meta?.updateId, 'update-1');
  assert.equal(decoded.request?.meta?.identity, 'ops@host');
  assert.equal(decoded.request?.input?.name, 'pause');
  const payload = decoded.request?.input?.args?.payloads?.[0];
  assert.equal(Buffer.from(payload?.metadata?.['encoding'] ?? []).toString(), 'json/plain');
  assert.deepEqual(JSON.parse(Buffer.from(payload?.data ?? []).toString()), { reason: 'é ✓' });
});

void test('a reply written by the SDK root decodes field by field, long varints included', () => {
  const bytes = temporal.api.workflowservice.v1.UpdateWorkflowExecutionResponse.encode({
    stage: 3,
    outcome: { failure: { message: 'the rollout is already paused', source: 'TypeScriptSDK' } },
  }).finish();
  const fields = decodeMessage(Buffer.from(bytes));
  assert.equal(numberField(fields, 3), 3);
  const failure = decodeMessage(bytesField(decodeMessage(bytesField(fields, 2) as Buffer), 2) as Buffer);
  assert.equal(bytesField(failure, 1)?.toString(), 'the rollout is already paused');
  assert.equal(numberField(decodeMessage(encodeMessage([[1, 2 ** 40 + 5]])), 1), 2 ** 40 + 5);
  assert.throws(() => decodeMessage(Buffer.from([0x0a, 0x05, 0x61])), /truncated/);
});

void test('the control update names are the workflow’s update names', () => {
  assert.equal(messages.pauseUpdate.name, ControlUpdate.pause);
  assert.equal(messages.resumeUpdate.name, ControlUpdate.resume);
  assert.equal(messages.abortUpdate.name, ControlUpdate.abort);
  assert.equal(messages.promoteUpdate.name, ControlUpdate.promote);
  assert.equal(messages.setMaxParallelUpdate.name, ControlUpdate.setMaxParallel);
  assert.equal(messages.skipNodeUpdate.name, ControlUpdate.skipNode);
  assert.equal(messages.retryNodeUpdate.name, ControlUpdate.retryNode);
  assert.equal(messages.rolloutWorkflowId('x'), `rollout:x`);
  assert.deepEqual(controlCalls.pause('x', 'why').args, [{ reason: 'why' }]);
  assert.deepEqual(controlCalls.abort('x').args, [{}]);
});
