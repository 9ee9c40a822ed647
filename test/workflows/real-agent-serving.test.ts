/**
 * The serving-safe lifecycle against the real agent with its real installer: a build whose
 * `run.sh` exits at once fails the start check with its output; a build that starts passes, and
 * the probe process is gone afterwards.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { startAgent, type Agent } from '../../src/agent/index.js';
import { subjects } from '../../src/protocol/index.js';
import { rolloutWorkflowId } from '../../src/workflows/messages.js';
import { rolloutWorkflow } from '../../src/workflows/rollout.js';
import { tempDir } from '../agent/support/files.js';
import { backendTarball, makeTar } from '../agent/support/tarball.js';
import { ask } from '../agent/support/wire.js';
import { useOrchestrator } from '../support/orchestrator.js';
import { uniqueName, useServers, withLogs } from '../support/servers.js';

const servers = useServers({ temporal: true, nats: true });
const orch = useOrchestrator(servers);
const agents: Agent[] = [];
after(async () => {
  for (const agent of agents) await agent.stop(1_000);
});

void test(
  'real agent: v2 whose run.sh exits at once fails the start check with its output; v3 passes and the probe is gone',
  withLogs(servers, async () => {
    const root = tempDir('serving');
    const id = uniqueName('real');
    const agent = await startAgent({
      nc: orch.nc,
      nodeId: id,
      backendsDir: path.join(root, 'backends'),
      log: orch.log,
      readyTimeoutMs: 10_000,
      stopGraceMs: 1_000,
    });
    agents.push(agent);
    const artifact = (name: string, body: Buffer): string => {
      const file = path.join(root, name);
      writeFileSync(file, body);
      return pathToFileURL(file).href;
    };
    const v1 = artifact('llama-cpp-v1.0.0.tar.gz', backendTarball('v1.0.0'));
    const v2 = artifact(
      'llama-cpp-v2.0.0.tar.gz',
      makeTar(
        [{ path: 'run.sh', content: '#!/bin/sh\necho "fatal: libcuda.so.1 not found" >&2\nexit 1\n', mode: 0o755 }],
        {
          gzip: true,
        },
      ),
    );
    const v3 = artifact('llama-cpp-v3.0.0.tar.gz', backendTarball('v3.0.0'));
    assert.match(
      await ask(orch.nc, subjects.install(id), JSON.stringify({ backend: 'llama-cpp', uri: v1 }), 15_000),
      /"success":true/,
    );
    assert.match(
      await ask(
        orch.nc,
        subjects.install(id),
        JSON.stringify({ backend: 'llama-cpp', model_id: 'qwen', replica_index: 1 }),
        15_000,
      ),
      /"success":true/,
    );
    const rollout = async (uri: string) =>
      await (
        await orch.client.workflow.start(rolloutWorkflow, {
          taskQueue: orch.taskQueue,
          workflowId: `${rolloutWorkflowId('llama-cpp')}-${uniqueName('w')}`,
          args: [
            {
              spec: {
                backend: 'llama-cpp',
                nodes: [id],
                uri,
                name: 'llama-cpp',
                minHealthyTime: 0,
                replicaReadyTimeout: '20s',
                onFailure: 'continue',
              },
            },
          ],
        })
      ).result();

    const broken = await rollout(v2);
    assert.equal(broken.phase, 'failed');
    const failed = broken.nodes[0];
    assert.equal(failed?.state, 'failed', JSON.stringify(failed?.steps));
    assert.match(failed?.lastError ?? '', /start check failed .*died during startup.*libcuda\.so\.1 not found/s);
    assert.deepEqual(failed?.stoppedProcessKeys, ['llama-cpp#0', 'qwen#1'], 'the upgrade reply said what it stopped');
    assert.deepEqual(agent.processes(), [], 'nothing runs the broken build');

    const fixed = await rollout(v3);
    assert.equal(fixed.phase, 'succeeded', fixed.message);
    const node = fixed.nodes[0];
    assert.ok(
      node?.steps?.some((s) => /^start check passed \(probe fleet-rollout-probe-.*#0 stopped\)$/.test(s)),
      JSON.stringify(node?.steps),
    );
    assert.deepEqual(agent.processes(), [], 'the probe process is gone afterwards');
    assert.equal(await ask(orch.nc, subjects.modelsRunning(id), '{}'), '{"models":[]}');
  }),
);
