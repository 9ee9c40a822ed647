/** The chaos campaign's pure parts: the trace reader, the fault plan and every invariant, each shown to catch its fault. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInvariants, type InvariantInput } from '../../bench/chaos/invariants.js';
import { describePlan, planFaults } from '../../bench/chaos/faults.js';
import { nodeRequests, parseTrace, type NodeRequest } from '../../bench/chaos/wire-trace.js';

const TRACE = [
  '[7259] 2026/12/03 13:21:38.737341 [TRC] 127.0.0.1:53744 - cid:6 - "v2.29.3:nats.js" - <<- [PUB nodes.a.backend.upgrade _INBOX.X.1 28]',
  '[7259] 2026/12/03 13:21:38.737349 [TRC] 127.0.0.1:53744 - cid:6 - "v2.29.3:nats.js" - <<- MSG_PAYLOAD: ["{\\"backend\\":\\"b\\",\\"op_id\\":\\"o1\\"}"]',
  '[7259] 2026/12/03 13:21:38.737377 [TRC] 127.0.0.1:53736 - cid:5 - "v2.29.3:nats.js" - ->> [MSG nodes.a.backend.upgrade 1 _INBOX.X.1 28]',
  '[7259] 2026/12/03 13:21:38.745592 [TRC] 127.0.0.1:53736 - cid:5 - "v2.29.3:nats.js" - <<- [PUB _INBOX.X.1 16]',
  '[7259] 2026/12/03 13:21:38.745633 [TRC] 127.0.0.1:53736 - cid:5 - "v2.29.3:nats.js" - <<- MSG_PAYLOAD: ["{\\"success\\":true}"]',
  '[7259] 2026/12/03 13:21:39.000000 [TRC] 127.0.0.1:53736 - cid:5 - "v2.29.3:nats.js" - <<- [PUB nodes.a.backend.install.o1.progress 40]',
  '[7259] 2026/12/03 13:21:39.000100 [TRC] 127.0.0.1:53736 - cid:5 - "v2.29.3:nats.js" - <<- MSG_PAYLOAD: ["{\\"op_id\\":\\"o1\\"}"]',
].join('\n');

void test('parseTrace and nodeRequests pair requests to nodes with their replies by inbox', () => {
  const messages = parseTrace(TRACE);
  assert.deepEqual(
    messages.map((m) => [m.subject, m.reply, m.payload]),
    [
      ['nodes.a.backend.upgrade', '_INBOX.X.1', '{"backend":"b","op_id":"o1"}'],
      ['_INBOX.X.1', undefined, '{"success":true}'],
      ['nodes.a.backend.install.o1.progress', undefined, '{"op_id":"o1"}'],
    ],
  );
  const [upgrade, ...rest] = nodeRequests(messages);
  assert.equal(rest.length, 0, 'progress events are not requests');
  assert.equal(upgrade?.kind, 'upgrade');
  assert.equal(upgrade?.nodeToken, 'a');
  assert.deepEqual(upgrade?.reply?.body, { success: true });
  assert.equal((upgrade?.reply?.at ?? 0) - (upgrade?.at ?? 0), 8);
  assert.equal(upgrade?.undelivered, undefined, 'the node got it');
});

void test('a request that no subscriber received is marked undelivered', () => {
  const lost = [
    '[7259] 2026/12/03 13:21:40.000000 [TRC] 127.0.0.1:53744 - cid:6 - "v2.29.3:nats.js" - <<- [PUB nodes.a.backend.upgrade _INBOX.Y 28]',
    '[7259] 2026/12/03 13:21:40.000010 [TRC] 127.0.0.1:53744 - cid:6 - "v2.29.3:nats.js" - <<- MSG_PAYLOAD: ["{\\"backend\\":\\"b\\",\\"op_id\\":\\"o1\\"}"]',
  ].join('\n');
  const [, upgrade] = nodeRequests(parseTrace(`${TRACE}\n${lost}`));
  assert.equal(upgrade?.kind, 'upgrade');
  assert.equal(upgrade?.undelivered, true);
});

void test('planFaults: 2–4 faults per seed, sorted, the same plan for the same seed', () => {
  for (let seed = 1; seed <= 50; seed += 1) {
    const plan = planFaults(seed, 6, 8_000);
    assert.ok(plan.faults.length >= 2 && plan.faults.length <= 4, describePlan(plan));
    assert.deepEqual(
      plan.faults.map((f) => f.atMs),
      [...plan.faults.map((f) => f.atMs)].sort((a, b) => a - b),
    );
    assert.ok(plan.faults.every((f) => f.atMs >= 300 && f.atMs <= 8_000 && f.durationMs >= 300));
    assert.equal(plan.faults.filter((f) => f.kind === 'agent-crash').length, plan.crashNode === undefined ? 0 : 1);
    assert.deepEqual(planFaults(seed, 6, 8_000), plan);
  }
  assert.notDeepEqual(planFaults(1, 6, 8_000), planFaults(2, 6, 8_000));
});

const OLD = '2026-12-03T13:00:00.000Z';
const NEW = '2026-12-03T13:00:05.000Z';
const listReply = (at: string) => ({ backends: [{ name: 'b', installed_at: at, version: 'v1.0.0' }] });
const req = (
  at: number,
  kind: string,
  body: Record<string, unknown>,
  reply?: Record<string, unknown>,
): NodeRequest => ({
  at,
  nodeToken: 'a',
  kind,
  body,
  ...(reply !== undefined ? { reply: { at: at + 10, body: reply } } : {}),
});

const healthy: InvariantInput = {
  backend: 'b',
  phase: 'succeeded',
  message: 'done',
  nodes: [{ id: 'a', token: 'a', state: 'succeeded' }],
  targets: ['a'],
  skippedAtDiscovery: [],
  replicasPerNode: 2,
  replicaBudget: 4,
  requests: [
    req(1_000, 'upgrade', { backend: 'b', op_id: 'o1' }),
    req(12_000, 'list', {}, listReply(OLD)),
    req(23_000, 'upgrade', { backend: 'b', op_id: 'o1' }, { success: true }),
    req(24_000, 'list', {}, listReply(NEW)),
  ],
  before: new Map([['a', OLD]]),
  after: new Map([['a', { installedAt: NEW, version: 'v1.0.1' }]]),
  expectedVersion: 'v1.0.1',
  stagedFailures: new Set(),
  workerLog: '{"level":30,"msg":"orchestrator worker running"}',
  statusQueryOk: true,
};

void test('a verified re-send with one op id, on the new install, keeps every invariant', () => {
  assert.deepEqual(checkInvariants(healthy), []);
});

void test('each invariant catches its fault', () => {
  const kinds = (input: Partial<InvariantInput>): string[] =>
    checkInvariants({ ...healthy, ...input }).map((v) => v.invariant);
  assert.deepEqual(kinds({ phase: undefined }), ['terminal']);
  assert.deepEqual(kinds({ phase: 'halted' }), ['terminal']);
  assert.deepEqual(kinds({ targets: ['a', 'z'] }), ['node-reason']);
  assert.deepEqual(kinds({ targets: ['a', 'z'], skippedAtDiscovery: [{ id: 'z', reason: 'unreachable' }] }), [
    'collateral-failure',
  ]);
  assert.deepEqual(kinds({ nodes: [{ id: 'a', token: 'a', state: 'upgrading' }] }), ['node-reason']);
  assert.deepEqual(kinds({ nodes: [{ id: 'a', token: 'a', state: 'failed' }] }), ['node-reason', 'collateral-failure']);
  assert.deepEqual(
    kinds({ nodes: [{ id: 'a', token: 'a', state: 'failed', lastError: 'x' }], stagedFailures: new Set(['a']) }),
    [],
  );
  const [first, check, second, verify] = healthy.requests;
  assert.ok(first !== undefined && check !== undefined && second !== undefined && verify !== undefined);
  assert.deepEqual(kinds({ requests: [first, check, { ...second, body: { backend: 'b', op_id: 'o2' } }, verify] }), [
    'op-id',
  ]);
  assert.deepEqual(kinds({ requests: [first, second, verify] }), ['unexplained-resend']);
  assert.deepEqual(
    kinds({ requests: [{ ...first, undelivered: true }, second, verify] }),
    [],
    'a request nobody received (no responders) may be sent again without a check',
  );
  assert.deepEqual(kinds({ requests: [first, { ...check, reply: { at: 12_010, body: listReply(NEW) } }, second] }), [
    'unexplained-resend',
  ]);
  const other = (token: string, at: number): NodeRequest[] => [
    { ...req(at, 'upgrade', { backend: 'b', op_id: token }), nodeToken: token },
    { ...req(at + 5_000, 'list', {}, listReply(NEW)), nodeToken: token },
  ];
  assert.deepEqual(kinds({ requests: [...healthy.requests, ...other('c', 2_000)] }), []);
  assert.deepEqual(kinds({ requests: [...healthy.requests, ...other('c', 2_000), ...other('d', 3_000)] }), [
    'replica-budget',
  ]);
  assert.deepEqual(kinds({ after: new Map([['a', { installedAt: OLD, version: 'v1.0.0' }]]) }), ['new-install']);
  assert.deepEqual(kinds({ after: new Map() }), ['new-install']);
  assert.deepEqual(kinds({ workerLog: 'Nondeterminism error: UpsertWorkflowSearchAttributesMachine' }), [
    'nondeterminism',
  ]);
  assert.deepEqual(kinds({ statusQueryOk: false }), ['nondeterminism']);
  assert.deepEqual(kinds({ replicasRunning: new Map([['a', 2]]) }), []);
  assert.deepEqual(kinds({ replicasRunning: new Map([['a', 0]]) }), ['replicas-restored']);
});
