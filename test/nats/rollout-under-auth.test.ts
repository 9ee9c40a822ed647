/**
 * A whole rollout on a nats-server configured with the generated per-node permissions: the real
 * orchestrator worker (Temporal dev server, real activities) as the orchestrator user, and two
 * real agents (`fleet-rollout agent --simulate`) each as its own node user, one of them legacy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { AuthMode, buildAuthorization, PermissionSet } from '../../src/nats/authorization.js';
import { connectNats } from '../../src/nats/index.js';
import { createOrchestratorWorker, installRuntimeLogger } from '../../src/worker.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { startCli, type CliProcess } from '../agent/support/cli.js';
import { testLogger } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const ids = [uniqueName('auth-new'), uniqueName('auth-old')];
const auth = buildAuthorization({ mode: AuthMode.Nkey, set: PermissionSet.Strict, nodeIds: ids });
const servers = useServers({ temporal: true, nats: { config: auth.config } });
const seeds = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-seeds-'));

void test(
  'a rollout with a legacy fallback succeeds when every party has only its own permissions',
  withLogs(servers, async () => {
    installRuntimeLogger(testLogger());
    const agents: CliProcess[] = [];
    const seedOf = (nodeId: string | undefined): string => {
      const user = auth.users.find((u) => u.nodeId === nodeId);
      assert.ok(user !== undefined);
      const file = path.join(seeds, `${user.user}.nk`);
      writeFileSync(file, user.secret, { mode: 0o600 });
      return file;
    };
    for (const [index, id] of ids.entries()) {
      const agent = startCli([
        'agent',
        '--node-id',
        id,
        '--simulate',
        '--backend',
        'llama-cpp@v1.0.0',
        '--install-time',
        '200ms',
        ...(index === 1 ? ['--legacy'] : []),
        '--nats-url',
        servers.nats.url,
        '--nats-nkey-seed-file',
        seedOf(id),
      ]);
      agents.push(agent);
      await agent.ready;
    }
    const nc = await connectNats({ servers: [servers.nats.url], nkeySeed: orchestratorSeed() });
    const connection = await Connection.connect({ address: servers.temporal.address });
    const native = await NativeConnection.connect({ address: servers.temporal.address });
    const taskQueue = uniqueName('tq-auth');
    const worker = await createOrchestratorWorker({ connection: native, nc, log: testLogger(), taskQueue });
    const running = worker.run();
    try {
      const client = new Client({ connection });
      const handle = await client.workflow.start(rolloutWorkflow, {
        taskQueue,
        workflowId: rolloutWorkflowId('llama-cpp'),
        args: [{ spec: { backend: 'llama-cpp', nodes: ids, maxParallel: 2, minHealthyTime: 0 } }],
      });
      const result = await handle.result();
      assert.equal(result.phase, 'succeeded', result.message);
      assert.deepEqual(result.nodes.map((n) => [n.id, n.state, n.fallback === true]).sort(), [
        [ids[0], 'succeeded', false],
        [ids[1], 'succeeded', true],
      ]);
    } finally {
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await nc.close();
      for (const agent of agents) {
        agent.child.kill('SIGTERM');
        await agent.exited;
      }
    }
  }),
);

function orchestratorSeed(): string {
  const user = auth.users.find((u) => u.role === 'orchestrator');
  assert.ok(user !== undefined);
  return user.secret;
}
