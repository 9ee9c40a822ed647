/**
 * A fleet of real agents (real installer) whose backend comes from a real OCI registry: a gallery
 * index file names the image by a mutable tag, as LocalAI's own index does, and `push` moves the
 * tag to a new build. Nodes install through the gallery, so each records the digest it pulled.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NatsConnection } from 'nats';
import { startAgent, type Agent } from '../../src/agent/index.js';
import type { Logger } from '../../src/log.js';
import { subjects } from '../../src/protocol/index.js';
import { ask } from '../agent/support/wire.js';
import { pushBackendImage } from './oci-images.js';
import { uniqueName } from './servers.js';

/** A `run.sh` that listens on `$PORT`, so the rollout's start check passes. */
function runSh(): string {
  const server = "require('net').createServer((s)=>s.end()).listen(Number(process.env.PORT),'127.0.0.1')";
  return `#!/bin/sh\nexec "${process.execPath}" -e "${server}"\n`;
}

export interface RegistryFleet {
  backend: string;
  ids: string[];
  agents: Agent[];
  /** `127.0.0.1:<port>/backends/<backend>:latest`, the tag the gallery names. */
  image: string;
  /** `file://…/index.yaml` naming the backend's image (no version: the digest decides). */
  indexUrl: string;
  /** `backend_galleries` / `--galleries` naming the index. */
  galleries: string;
  /** Pushes a new build to the tag; returns its manifest digest. */
  push(build: string): Promise<string>;
  /** Installs (upgrades) the backend on `ids` from the gallery, as an operator would by hand. */
  install(ids: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `count` real agents on `nc` for a fresh backend of the registry at `registryHost`. */
export async function startRegistryFleet(options: {
  nc: NatsConnection;
  registryHost: string;
  count: number;
  log: Logger;
}): Promise<RegistryFleet> {
  const backend = uniqueName('llama');
  const root = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-registry-fleet-'));
  const image = `${options.registryHost}/backends/${backend}:latest`;
  const index = path.join(root, 'index.yaml');
  writeFileSync(index, `- name: ${backend}\n  uri: ${image}\n`);
  const indexUrl = pathToFileURL(index).href;
  const galleries = JSON.stringify([{ url: indexUrl, name: 'test' }]);
  const ids = Array.from({ length: options.count }, () => uniqueName('reg'));
  const agents: Agent[] = [];
  for (const id of ids) {
    const dir = path.join(root, id);
    mkdirSync(dir);
    agents.push(
      await startAgent({
        nc: options.nc,
        nodeId: id,
        backendsDir: dir,
        log: options.log,
        readyTimeoutMs: 10_000,
        stopGraceMs: 1_000,
      }),
    );
  }
  return {
    backend,
    ids,
    agents,
    image,
    indexUrl,
    galleries,
    push: async (build) => await pushBackendImage(image, { files: { 'run.sh': runSh(), VERSION: `${build}\n` } }),
    install: async (targets) => {
      await Promise.all(
        targets.map(async (id) => {
          const reply = await ask(
            options.nc,
            subjects.upgrade(id),
            JSON.stringify({ backend, backend_galleries: galleries }),
            30_000,
          );
          if (!reply.includes('"success":true')) throw new Error(`installing ${backend} on ${id} failed: ${reply}`);
        }),
      );
    },
    stop: async () => {
      for (const agent of agents) await agent.stop(1_000);
    },
  };
}
