/** `fleet --frontend-*` and `--traffic-*` flags: what they turn into, and errors that name the flag. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/exit.js';
import { fleetFrontendOptions } from '../../src/cli/frontend-flags.js';

const knobs = { backend: 'llama-cpp', version: 'v1' };
const ids = ['n0', 'n1', 'n2'];

void test('no --frontend-listen: no frontend; the other frontend flags alone are refused', () => {
  assert.equal(fleetFrontendOptions({}, ids, knobs), undefined);
  assert.throws(
    () => fleetFrontendOptions({ 'traffic-rps': '5' }, ids, knobs),
    /--traffic-rps needs --frontend-listen/,
  );
});

void test('flags become nodes with zones and pending, auth, tick, scheduling and traffic', () => {
  const options = fleetFrontendOptions(
    {
      'frontend-listen': '127.0.0.1:0',
      'frontend-zones': 'a,b',
      'frontend-pending-nodes': 'n2',
      'frontend-api-key': 'k1,k2',
      'frontend-tick': '2s',
      'frontend-min-replicas': '3',
      'traffic-rps': '20',
      'traffic-request-time': '250ms',
    },
    ids,
    knobs,
  );
  assert.ok(options !== undefined);
  assert.deepEqual(options.nodes, [
    { id: 'n0', labels: { zone: 'a' } },
    { id: 'n1', labels: { zone: 'b' } },
    { id: 'n2', labels: { zone: 'a' }, pending: true },
  ]);
  assert.deepEqual([options.host, options.port, options.tickMs], ['127.0.0.1', 0, 2_000]);
  assert.deepEqual(options.auth?.apiKeys, ['k1', 'k2']);
  assert.deepEqual(options.scheduling, [{ model: 'llama-cpp-model', minReplicas: 3 }]);
  assert.deepEqual(options.traffic, { ratePerSec: 20, requestMs: 250 });
  const defaults = fleetFrontendOptions({ 'frontend-listen': '127.0.0.1:0', 'traffic-rps': '1' }, ids, knobs);
  assert.deepEqual([defaults?.traffic, defaults?.tickMs], [{ ratePerSec: 1, requestMs: 300 }, 30_000]);
  assert.deepEqual([...options.catalog], [['llama-cpp-model', 'llama-cpp']]);
});

void test('bad values name the flag and the expected form', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ 'frontend-listen': 'localhost' }, /--frontend-listen "localhost": expected HOST:PORT/],
    [{ 'frontend-listen': ':80' }, /--frontend-listen/],
    [
      { 'frontend-listen': '127.0.0.1:0', 'frontend-tick': 'soon' },
      /--frontend-tick: "soon" is not a positive duration/,
    ],
    [{ 'frontend-listen': '127.0.0.1:0', 'frontend-tick': '30' }, /--frontend-tick: "30" has no unit/],
    [{ 'frontend-listen': '127.0.0.1:0', 'traffic-request-time': '300' }, /--traffic-request-time: "300" has no unit/],
    [{ 'frontend-listen': '127.0.0.1:0', 'traffic-rps': '-1' }, /--traffic-rps "-1": expected a non-negative number/],
    [{ 'frontend-listen': '127.0.0.1:0', 'frontend-pending-nodes': 'x9' }, /"x9" is not a node of this fleet/],
  ];
  for (const [values, message] of bad) {
    assert.throws(
      () => fleetFrontendOptions(values, ids, knobs),
      (err: Error) => {
        assert.ok(err instanceof UsageError, String(err));
        return message.test(err.message);
      },
    );
  }
});
