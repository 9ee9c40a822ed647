/**
 * TLS to a real nats-server whose certificate names only an IP address (`IP:127.0.0.1`), with a
 * CA generated here with openssl: the right CA connects, a wrong CA or a certificate for another
 * IP is refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startNatsServer, type NatsServer } from '../../src/local/dev-servers.js';
import { connectNats, NatsConnectError } from '../../src/nats/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-rollout-tls-'));
const at = (name: string): string => path.join(dir, name);
const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  );
}

function makeServerCert(name: string, ca: string, san: string): void {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    '/CN=nats-under-test',
  );
  writeFileSync(at(`${name}.ext`), `subjectAltName=${san}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
}

const servers: NatsServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
});

async function tlsServer(cert: string): Promise<NatsServer> {
  const server = await startNatsServer({
    logDir: dir,
    config: `tls { cert_file: "${at(`${cert}.pem`)}", key_file: "${at(`${cert}.key`)}" }\n`,
  });
  servers.push(server);
  return server;
}

async function refusal(work: Promise<unknown>): Promise<NatsConnectError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof NatsConnectError, String(err));
    return err;
  }
  assert.fail('the connection should have been refused');
}

void test('a certificate naming only IP 127.0.0.1 is accepted with the right CA, and messages flow', async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeServerCert('ip-only', 'ca', 'IP:127.0.0.1');
  const server = await tlsServer('ip-only');
  const nc = await connectNats({ servers: [server.url], tls: { caFile: at('ca.pem') } });
  try {
    const sub = nc.subscribe('tls.check', { max: 1 });
    nc.publish('tls.check', new TextEncoder().encode('over tls'));
    for await (const msg of sub) assert.equal(new TextDecoder().decode(msg.data), 'over tls');
  } finally {
    await nc.close();
  }
  const wrongCa = await refusal(connectNats({ servers: [server.url], tls: { caFile: at('other-ca.pem') } }));
  assert.match(wrongCa.message, /cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+ .*certificate/);
});

void test('a certificate for another IP address is still refused', async () => {
  makeServerCert('other-ip', 'ca', 'IP:127.0.0.2');
  const server = await tlsServer('other-ip');
  const err = await refusal(connectNats({ servers: [server.url], tls: { caFile: at('ca.pem') } }));
  assert.match(err.message, /does not match certificate's altnames/);
});
