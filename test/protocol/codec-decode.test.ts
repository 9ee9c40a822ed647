import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeMessage,
  decodeOrThrow,
  encodeMessage,
  encodeMessageBytes,
  ProtocolDecodeError,
  type MessageType,
} from '../../src/protocol/index.js';

void describe('decode', () => {
  const upgradeDefaults = { stoppedProcessKeys: [], reportsStoppedProcesses: false };
  const accepted: [label: string, type: MessageType, wire: string, expected: unknown][] = [
    ['case-insensitive key', 'BackendUpgradeReply', '{"Success":true}', { success: true, ...upgradeDefaults }],
    [
      'upper-case keys',
      'BackendUpgradeReply',
      '{"SUCCESS":true,"Stopped_Process_Keys":["m#1"],"REPORTS_STOPPED_PROCESSES":true}',
      { success: true, stoppedProcessKeys: ['m#1'], reportsStoppedProcesses: true },
    ],
    ['Go folds the Kelvin sign onto k', 'BackendStopRequest', '{"bac\u212aend":"x"}', { backend: 'x' }],
    [
      'Go folds the long s onto s',
      'BackendUpgradeReply',
      '{"\u017fuccess":true}',
      { success: true, ...upgradeDefaults },
    ],
    [
      'unknown keys ignored',
      'BackendUpgradeReply',
      '{"success":true,"extra":{"deep":[1]},"Force":"x"}',
      { success: true, ...upgradeDefaults },
    ],
    [
      'missing success is false',
      'BackendInstallReply',
      '{"error":"internal marshal error"}',
      { success: false, error: 'internal marshal error' },
    ],
    ['null payload is all zero values', 'BackendUpgradeReply', 'null', { success: false, ...upgradeDefaults }],
    [
      'null fields are unset',
      'BackendUpgradeReply',
      '{"success":null,"error":null,"stopped_process_keys":null}',
      { success: false, ...upgradeDefaults },
    ],
    [
      'zero values of omitempty fields are absent',
      'BackendInstallReply',
      '{"success":true,"address":"","error":""}',
      { success: true },
    ],
    [
      'zero replica is absent',
      'BackendUpgradeRequest',
      '{"backend":"b","replica_index":0,"op_id":""}',
      { backend: 'b' },
    ],
    [
      'int32 bounds',
      'ModelsRunningReply',
      '{"models":[{"model_id":"a","replica_index":2147483647},{"model_id":"b","replica_index":-2147483648}]}',
      {
        models: [
          { modelId: 'a', replicaIndex: 2147483647 },
          { modelId: 'b', replicaIndex: -2147483648 },
        ],
      },
    ],
    ['missing list is empty', 'BackendListReply', '{}', { backends: [] }],
    [
      'null list element is a zero struct',
      'BackendListReply',
      '{"backends":[null]}',
      { backends: [{ name: '', isSystem: false, isMeta: false }] },
    ],
    ['lone surrogate escape becomes U+FFFD', 'BackendStopRequest', '{"backend":"a\\ud800"}', { backend: 'a\ufffd' }],
    ['last duplicate key wins', 'BackendStopRequest', '{"backend":"a","backend":"b"}', { backend: 'b' }],
  ];
  for (const [label, type, wire, expected] of accepted) {
    void test(label, () => {
      const result = decodeMessage(type, wire);
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.deepEqual(result.value, expected);
    });
  }

  const refused: [label: string, type: MessageType, wire: string | Uint8Array, field: string, detail?: string][] = [
    ['string for a bool', 'BackendUpgradeReply', '{"success":"yes"}', 'success', 'expected boolean, got string'],
    ['invalid JSON', 'BackendUpgradeReply', '{"success":tru', '(payload)'],
    ['empty payload', 'BackendListReply', '', '(payload)'],
    ['byte-order mark', 'BackendListReply', new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), '(payload)'],
    ['array payload', 'BackendUpgradeReply', '[]', '(payload)', 'expected object, got array'],
    ['int32 overflow', 'BackendUpgradeRequest', '{"backend":"b","replica_index":2147483648}', 'replica_index'],
    ['int32 underflow', 'BackendInstallRequest', '{"backend":"b","replica_index":-2147483649}', 'replica_index'],
    [
      'fractional int32',
      'ModelsRunningReply',
      '{"models":[{"model_id":"m","replica_index":0.5}]}',
      'models.0.replica_index',
    ],
    [
      'nested wrong type',
      'BackendListReply',
      '{"backends":[{"name":"a","installed_at":5}]}',
      'backends.0.installed_at',
      'expected string, got number',
    ],
    ['list element not an object', 'BackendListReply', '{"backends":[1]}', 'backends.0', 'expected object, got number'],
    [
      'list element wrong type',
      'BackendUpgradeReply',
      '{"success":true,"stopped_process_keys":["a",2]}',
      'stopped_process_keys.1',
    ],
    ['float out of range', 'BackendInstallProgressEvent', '{"percentage":1e400}', 'percentage'],
  ];
  for (const [label, type, wire, field, detail] of refused) {
    void test(`refuses ${label}`, () => {
      const result = decodeMessage(type, wire);
      assert.ok(!result.ok);
      assert.ok(result.error instanceof ProtocolDecodeError);
      assert.equal(result.error.field, field);
      assert.equal(result.error.messageType, type);
      if (detail !== undefined) assert.equal(result.error.message, `malformed ${type}: field "${field}": ${detail}`);
    });
  }

  void test('invalid UTF-8 becomes U+FFFD', () => {
    const bytes = new Uint8Array([...Buffer.from('{"backend":"a'), 0xff, ...Buffer.from('"}')]);
    assert.deepEqual(decodeOrThrow('BackendStopRequest', bytes), { backend: 'a\ufffd' });
  });

  void test('decodeOrThrow throws the decode error', () => {
    assert.throws(
      () => decodeOrThrow('BackendUpgradeReply', '{"success":"yes"}'),
      (err: unknown) => err instanceof ProtocolDecodeError && err.field === 'success',
    );
  });

  void test('decode of an encoding gives back the value', () => {
    const reply = {
      success: false,
      error: 'x <y> & z',
      stoppedProcessKeys: ['a#0', 'b#c#1'],
      reportsStoppedProcesses: true,
    };
    assert.deepEqual(decodeOrThrow('BackendUpgradeReply', encodeMessageBytes('BackendUpgradeReply', reply)), reply);
    const event = { opId: 'o', nodeId: 'n', backend: 'b', fileName: 'f', percentage: 19.6, phase: 'downloading' };
    assert.deepEqual(
      decodeOrThrow('BackendInstallProgressEvent', encodeMessage('BackendInstallProgressEvent', event)),
      event,
    );
  });
});
