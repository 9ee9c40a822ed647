import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeOrThrow,
  encodeMessage,
  encodeMessageBytes,
  formatGoFloat,
  messageSchemas,
  MessageType,
  ProtocolEncodeError,
  STOP_ALL_PAYLOAD,
  wireFields,
  type MessageInput,
  type WireField,
  type WireShape,
} from '../../src/protocol/index.js';

const stop = (backend: string): string => encodeMessage('BackendStopRequest', { backend });

void describe('encode: Go string escaping', () => {
  const cases: [label: string, input: string, wire: string][] = [
    ['HTML characters', '<a href="x">&</a>', String.raw`"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e"`],
    ['line and paragraph separators', 'a\u2028b\u2029c', String.raw`"a\u2028b\u2029c"`],
    ['short escapes', '\b\f\n\r\t"\\', String.raw`"\b\f\n\r\t\"\\"`],
    ['other C0 controls in lowercase hex', '\u0000\u0001\u001f', String.raw`"\u0000\u0001\u001f"`],
    ['DEL and non-ASCII stay literal', '\u007fé€😀', '"\u007fé€😀"'],
    ['lone high surrogate', 'a\ud800b', String.raw`"a\ufffdb"`],
    ['lone low surrogate', '\udc00', String.raw`"\ufffd"`],
    ['reversed pair', '\ude00\ud83d', String.raw`"\ufffd\ufffd"`],
    ['U+FFFD itself stays literal', '\ufffd', '"\ufffd"'],
  ];
  for (const [label, input, wire] of cases) {
    void test(label, () => {
      assert.equal(stop(input), `{"backend":${wire}}`);
    });
  }

  void test('bytes are the UTF-8 of the text', () => {
    const bytes = encodeMessageBytes('BackendStopRequest', { backend: 'é<' });
    assert.deepEqual([...bytes], [...Buffer.from('{"backend":"é\\u003c"}', 'utf8')]);
  });
});

void describe('encode: Go float formatting', () => {
  const cases: [value: number, wire: string][] = [
    [19.6, '19.6'],
    [0, '0'],
    [-0, '-0'],
    [100, '100'],
    [0.1, '0.1'],
    [12.5, '12.5'],
    [-3.25, '-3.25'],
    [33.333333333333336, '33.333333333333336'],
    [1e20, '100000000000000000000'],
    [123456789012345680000, '123456789012345680000'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.000001, '0.000001'],
    [0.0000012345, '0.0000012345'],
    [1e-7, '1e-7'],
    [-2.5e-8, '-2.5e-8'],
    [1.234e-10, '1.234e-10'],
    [5e-324, '5e-324'],
  ];
  for (const [value, wire] of cases) {
    void test(`${Object.is(value, -0) ? '-0' : String(value)} → ${wire}`, () => {
      assert.equal(formatGoFloat(value), wire);
      const event = encodeMessage('BackendInstallProgressEvent', {
        opId: 'o',
        nodeId: 'n',
        backend: 'b',
        percentage: value,
      });
      assert.equal(event, `{"op_id":"o","node_id":"n","backend":"b","percentage":${wire}}`);
    });
  }

  void test('NaN and infinities are refused, as Go refuses them', () => {
    assert.throws(() => formatGoFloat(Number.NaN), RangeError);
    assert.throws(() => formatGoFloat(Number.NEGATIVE_INFINITY), RangeError);
  });
});

void describe('encode: omitempty and nil lists', () => {
  const cases: { [T in MessageType]: [T, MessageInput<T>, string] }[MessageType][] = [
    [
      'BackendUpgradeRequest',
      { backend: 'b', backendGalleries: '', uri: '', name: '', alias: '', replicaIndex: 0, opId: '' },
      '{"backend":"b"}',
    ],
    ['BackendUpgradeRequest', { backend: '' }, '{"backend":""}'],
    ['BackendInstallRequest', { backend: 'b', force: false, replicaIndex: 0, modelId: '' }, '{"backend":"b"}'],
    ['BackendInstallRequest', { backend: 'b', replicaIndex: -1 }, '{"backend":"b","replica_index":-1}'],
    [
      'BackendUpgradeReply',
      { success: false, stoppedProcessKeys: [], reportsStoppedProcesses: false },
      '{"success":false}',
    ],
    ['BackendDeleteReply', { success: true, error: '' }, '{"success":true}'],
    ['BackendInstallReply', { success: false, address: '', error: 'boom' }, '{"success":false,"error":"boom"}'],
    [
      'BackendInstallProgressEvent',
      { opId: '', nodeId: '', backend: '', percentage: 0, total: '' },
      '{"op_id":"","node_id":"","backend":"","percentage":0}',
    ],
    ['BackendListReply', { backends: [] }, '{"backends":null}'],
    [
      'BackendListReply',
      { backends: [{ name: 'x', isSystem: false, isMeta: false, digest: '' }] },
      '{"backends":[{"name":"x","is_system":false,"is_meta":false}]}',
    ],
    ['ModelsRunningReply', { models: [] }, '{"models":[]}'],
    [
      'ModelsRunningReply',
      { models: [{ modelId: 'm', replicaIndex: 0, address: '' }] },
      '{"models":[{"model_id":"m","replica_index":0}]}',
    ],
    ['BackendStopRequest', { backend: 'b', force: false }, '{"backend":"b"}'],
    ['BackendListRequest', {}, '{}'],
    ['ModelsRunningRequest', {}, '{}'],
    ['BackendDeleteRequest', { backend: 'b' }, '{"backend":"b"}'],
  ];
  for (const [type, value, wire] of cases) {
    void test(`${type} ${wire}`, () => {
      assert.equal(encodeMessage(type, value as MessageInput<typeof type>), wire);
    });
  }

  void test('stop-all is the literal null and decodes as an empty backend', () => {
    assert.equal(STOP_ALL_PAYLOAD, 'null');
    assert.deepEqual(decodeOrThrow('BackendStopRequest', STOP_ALL_PAYLOAD), { backend: '' });
  });
});

void describe('encode: values that do not fit', () => {
  const cases: [label: string, encode: () => string, field: string][] = [
    [
      'fractional int32',
      () => encodeMessage('BackendUpgradeRequest', { backend: 'b', replicaIndex: 1.5 }),
      'replica_index',
    ],
    [
      'int32 overflow',
      () => encodeMessage('BackendInstallRequest', { backend: 'b', replicaIndex: 2 ** 31 }),
      'replica_index',
    ],
    [
      'NaN float',
      () => encodeMessage('BackendInstallProgressEvent', { opId: '', nodeId: '', backend: '', percentage: Number.NaN }),
      'percentage',
    ],
    [
      'nested int32',
      () => encodeMessage('ModelsRunningReply', { models: [{ modelId: 'm', replicaIndex: -(2 ** 31) - 1 }] }),
      'models.0.replica_index',
    ],
  ];
  for (const [label, encode, field] of cases) {
    void test(label, () => {
      assert.throws(encode, (err: unknown) => err instanceof ProtocolEncodeError && err.field === field);
    });
  }
});

void describe('wire tables', () => {
  for (const type of Object.values(MessageType)) {
    void test(`${type}: schema keys and wire keys agree`, () => {
      const fields: [string, WireField][] = Object.entries(wireFields[type] as WireShape);
      assert.deepEqual(
        Object.keys(messageSchemas[type].shape),
        fields.map(([key]) => key),
      );
      for (const [key, field] of fields) {
        assert.match(field.wire, /^[a-z]+(_[a-z]+)*$/);
        assert.equal(
          field.wire.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
          key,
        );
      }
    });
  }
});
