import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connectNats,
  listenProgress,
  NatsConnectError,
  NatsRequestError,
  openReplyInbox,
  RequestFailure,
  requestMessage,
  type InboxMessage,
} from '../../src/nats/index.js';
import { encodeMessage, MessageType, subjects } from '../../src/protocol/index.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ nats: true });

async function failureOf(work: Promise<unknown>): Promise<NatsRequestError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof NatsRequestError, `expected a NatsRequestError, got ${String(err)}`);
    return err;
  }
  assert.fail('the request should have failed');
}

void test(
  'no responders, timeout and a malformed reply are distinct failures',
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    try {
      const node = uniqueName('n');
      const none = await failureOf(
        requestMessage(
          nc,
          subjects.list(node),
          MessageType.BackendListRequest,
          {},
          MessageType.BackendListReply,
          2_000,
        ),
      );
      assert.equal(none.kind, RequestFailure.NoResponders);

      const silent = nc.subscribe(subjects.list(`${node}-silent`));
      const timeout = await failureOf(
        requestMessage(
          nc,
          subjects.list(`${node}-silent`),
          MessageType.BackendListRequest,
          {},
          MessageType.BackendListReply,
          300,
        ),
      );
      assert.equal(timeout.kind, RequestFailure.Timeout);
      silent.unsubscribe();

      nc.subscribe(subjects.upgrade(node), {
        callback: (_e, msg) => msg.respond(new TextEncoder().encode('{"success":"yes"}')),
      });
      const malformed = await failureOf(
        requestMessage(
          nc,
          subjects.upgrade(node),
          MessageType.BackendUpgradeRequest,
          { backend: 'llama-cpp' },
          MessageType.BackendUpgradeReply,
          2_000,
        ),
      );
      assert.equal(malformed.kind, RequestFailure.MalformedReply);
      assert.equal(malformed.field, 'success');
      assert.match(malformed.message, /success/);

      nc.subscribe(subjects.list(`${node}-ok`), {
        callback: (_e, msg) =>
          msg.respond(
            encodeMessage(MessageType.BackendListReply, {
              backends: [{ name: 'llama-cpp', isSystem: false, isMeta: false, version: 'v1' }],
            }),
          ),
      });
      const reply = await requestMessage(
        nc,
        subjects.list(`${node}-ok`),
        MessageType.BackendListRequest,
        {},
        MessageType.BackendListReply,
        2_000,
      );
      assert.equal(reply.backends[0]?.version, 'v1');
    } finally {
      await nc.close();
    }
  }),
);

void test(
  'a progress listener is subscribed before the request goes out and sees the first event',
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    const publisher = await connectNats({ servers: [servers.nats.url] });
    try {
      const node = uniqueName('n');
      const subject = subjects.progress(node, 'op-1');
      const seen: number[] = [];
      const listener = await listenProgress(nc, subject, (e) => seen.push(e.percentage));
      publisher.publish(
        subject,
        encodeMessage(MessageType.BackendInstallProgressEvent, {
          opId: 'op-1',
          nodeId: node,
          backend: 'b',
          percentage: 1,
        }),
      );
      publisher.publish(subject, 'not json');
      await publisher.flush();
      for (let i = 0; i < 50 && listener.received < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen, [1]);
      assert.equal(listener.received, 2, 'the malformed event was received and dropped');
      listener.stop();
    } finally {
      await nc.close();
      await publisher.close();
    }
  }),
);

const tokenServer = useServers({ nats: { token: 's3cret-token' } });
const userServer = useServers({ nats: { user: 'fleet', password: 'pa55word' } });

void test(
  'token and user/password authentication; wrong credentials give a clear error without the secret',
  withLogs(tokenServer, async () => {
    await userServer.ready;
    const good = await connectNats({ servers: [tokenServer.nats.url], token: 's3cret-token' });
    await good.close();
    await assert.rejects(connectNats({ servers: [tokenServer.nats.url], token: 'wrong-token' }), (err: Error) => {
      assert.ok(err instanceof NatsConnectError);
      assert.match(err.message, /refused our credentials/);
      assert.doesNotMatch(err.message, /wrong-token|s3cret/);
      return true;
    });
    const user = await connectNats({ servers: [userServer.nats.url], user: 'fleet', password: 'pa55word' });
    await user.close();
    await assert.rejects(
      connectNats({ servers: [userServer.nats.url], user: 'fleet', password: 'nope-nope' }),
      (err: Error) => {
        assert.match(err.message, /refused our credentials/);
        assert.doesNotMatch(err.message, /nope-nope|pa55word/);
        return true;
      },
    );
    const inUrl = await connectNats({ servers: [userServer.nats.url.replace('//', '//fleet:pa55word@')] });
    await inUrl.close();
    await assert.rejects(
      connectNats({ servers: [userServer.nats.url.replace('//', '//fleet:nope-nope@')] }),
      (err: Error) => {
        assert.match(err.message, /refused our credentials \(auth: user fleet\)/);
        assert.doesNotMatch(err.message, /nope-nope|pa55word/);
        return true;
      },
    );
    await assert.rejects(
      connectNats({ servers: ['nats://127.0.0.1:1'] }),
      /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/,
    );
  }),
);

void test(
  'a request that may ask again fails as connection-lost when NATS reconnects, not after its timeout',
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    try {
      const node = uniqueName('n');
      // A worker that takes the request and never answers: its reply is lost with the restart.
      nc.subscribe(subjects.install(node));
      await nc.flush();
      const startedAt = Date.now();
      const pending = failureOf(
        requestMessage(
          nc,
          subjects.install(node),
          MessageType.BackendInstallRequest,
          { backend: 'llama-cpp', modelId: 'm', replicaIndex: 0 },
          MessageType.BackendInstallReply,
          60_000,
          { failOnReconnect: true },
        ),
      );
      await servers.nats.restart();
      const lost = await pending;
      assert.equal(lost.kind, RequestFailure.ConnectionLost);
      assert.match(lost.message, /reconnected while waiting for the reply on nodes\..+\.backend\.install/);
      assert.ok(Date.now() - startedAt < 30_000, `gave up after ${Date.now() - startedAt} ms, not at the reconnect`);
    } finally {
      await nc.close();
    }
  }),
);

void test(
  'a request on its own inbox tells no responders apart and still hears a reply after its timeout',
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    try {
      const node = uniqueName('n');
      const ask = (inbox: ReturnType<typeof openReplyInbox>, timeoutMs: number) =>
        requestMessage(
          nc,
          subjects.upgrade(node),
          MessageType.BackendUpgradeRequest,
          { backend: 'llama-cpp', opId: 'op-1' },
          MessageType.BackendUpgradeReply,
          timeoutMs,
          { inbox },
        );
      const nobody = openReplyInbox(nc);
      assert.equal((await failureOf(ask(nobody, 5_000))).kind, RequestFailure.NoResponders);
      nobody.close();

      // A worker that answers 600 ms after a 200 ms timeout.
      nc.subscribe(subjects.upgrade(node), {
        callback: (_e, msg) =>
          void setTimeout(
            () =>
              msg.respond(
                encodeMessage(MessageType.BackendUpgradeReply, {
                  success: true,
                  stoppedProcessKeys: ['m#0'],
                  reportsStoppedProcesses: true,
                }),
              ),
            600,
          ),
      });
      await nc.flush();
      const inbox = openReplyInbox(nc);
      assert.equal((await failureOf(ask(inbox, 200))).kind, RequestFailure.Timeout);
      const late = await new Promise<InboxMessage>((resolve) => inbox.onLate(resolve));
      assert.equal(late.kind, 'reply');
      assert.match(
        late.kind === 'reply' ? new TextDecoder().decode(late.data) : '',
        /"stopped_process_keys":\["m#0"\]/,
      );
    } finally {
      await nc.close();
    }
  }),
);
