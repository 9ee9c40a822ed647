/**
 * The orchestrator's progress listener on a real nats-server: events that name another node than
 * the subject's are dropped and counted, so one client cannot feed progress for another node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectNats, listenProgress, type ProgressEvent } from '../../src/nats/index.js';
import { encodeMessageBytes, MessageType, subjects } from '../../src/protocol/index.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ nats: true });

void test(
  'progress events whose node_id differs from the subject node are dropped and counted',
  withLogs(servers, async () => {
    const nc = await connectNats({ servers: [servers.nats.url] });
    try {
      // A dotted id: its subject token is sanitised, the event carries the raw id.
      const node = `${uniqueName('gpu')}.rack1`;
      const subject = subjects.progress(node, 'op-1');
      const accepted: ProgressEvent[] = [];
      let done: () => void = () => undefined;
      const last = new Promise<void>((resolve) => (done = resolve));
      const listener = await listenProgress(nc, subject, (event) => {
        accepted.push(event);
        if (event.percentage === 100) done();
      });
      const event = (nodeId: string, percentage: number): Uint8Array =>
        encodeMessageBytes(MessageType.BackendInstallProgressEvent, {
          opId: 'op-1',
          nodeId,
          backend: 'llama-cpp',
          percentage,
        });
      nc.publish(subject, event('someone-else', 99));
      nc.publish(subject, event(node, 40));
      nc.publish(subject, event('someone-else', 100));
      nc.publish(subject, event(node, 100));
      await last;
      listener.stop();
      assert.deepEqual(
        accepted.map((e) => [e.nodeId, e.percentage]),
        [
          [node, 40],
          [node, 100],
        ],
      );
      assert.equal(listener.foreign, 2);
      assert.equal(listener.received, 4);
      assert.equal(listener.latest()?.percentage, 100);
    } finally {
      await nc.close();
    }
  }),
);
