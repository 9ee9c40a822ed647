/** `fleet --frontend-*` and `--traffic-*` flags: what they turn into, and errors that name the flag. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError } from '../../src/agent/simulation-flags.js';
import { fleetFrontendOptions } from '../../src/agent/simulated-frontend/fleet-wiring.js';

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
  assert.deepEqual(options.traffic, { ratePerSec: 20, requestMs: 300 });
  assert.deepEqual([...options.catalog], [['llama-cpp-model', 'llama-cpp']]);
});

void test('bad values name the flag and the expected form', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ 'frontend-listen': 'localhost' }, /--frontend-listen "localhost": expected HOST:PORT/],
    [{ 'frontend-listen': ':80' }, /--frontend-listen/],
    [{ 'frontend-listen': '127.0.0.1:0', 'frontend-tick': 'soon' }, /--frontend-tick "soon"/],
    [{ 'frontend-listen': '127.0.0.1:0', 'traffic-rps': '-1' }, /--traffic-rps "-1": expected a non-negative number/],
    [{ 'frontend-listen': '127.0.0.1:0', 'frontend-pending-nodes': 'x9' }, /"x9" is not a node of this fleet/],
  ];
  for (const [values, message] of bad) {
    assert.throws(
      () => fleetFrontendOptions(values, ids, knobs),
      (err: Error) => {
        assert.ok(err instanceof FlagError, String(err));
        return message.test(err.message);
      },
    );
  }
});
