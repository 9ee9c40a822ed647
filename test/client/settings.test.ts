/** Temporal connection settings: environment, validation, Web UI links, secrets kept out of text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSettingsError } from '../../src/client/errors.js';
import { parseTemporalSettings, temporalConnectionOptions } from '../../src/client/connect.js';
import {
  describeTemporalSettings,
  temporalSettingsFromEnv,
  webUiBase,
  workflowUiUrl,
} from '../../src/client/settings.js';

void test('settings come from TEMPORAL_* variables; empty ones count as unset', () => {
  assert.deepEqual(
    temporalSettingsFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: '', TEMPORAL_API_KEY: 'k' }),
    {
      address: 'temporal:7233',
      apiKey: 'k',
    },
  );
  assert.deepEqual(parseTemporalSettings({}), { address: '127.0.0.1:7233', namespace: 'default' });
});

void test('invalid settings name the field; half a TLS pair is refused', () => {
  assert.throws(
    () => parseTemporalSettings({ address: 'localhost' }),
    (err: unknown) =>
      err instanceof InvalidSettingsError && err.field === 'address' && /host:port/.test(err.detail ?? ''),
  );
  assert.throws(
    () => parseTemporalSettings({ tlsCert: 'c.pem' }),
    (err: unknown) => err instanceof InvalidSettingsError && err.field === 'tlsCert',
  );
});

void test('an API key implies TLS; descriptions never contain it', () => {
  const settings = parseTemporalSettings({
    address: 'ns.acct.tmprl.cloud:7233',
    namespace: 'ns.acct',
    apiKey: 'secret-key',
  });
  assert.deepEqual(temporalConnectionOptions(settings), {
    address: 'ns.acct.tmprl.cloud:7233',
    tls: true,
    apiKey: 'secret-key',
  });
  assert.equal(describeTemporalSettings(settings), 'ns.acct.tmprl.cloud:7233 (namespace ns.acct, API key)');
  assert.throws(
    () => temporalConnectionOptions(parseTemporalSettings({ tlsCa: '/nonexistent/ca.pem' })),
    /TLS CA file: cannot read \/nonexistent\/ca\.pem: no such file/,
  );
});

void test('Web UI links: the dev server convention, Temporal Cloud, or the configured base', () => {
  assert.equal(webUiBase(parseTemporalSettings({ address: '127.0.0.1:7233' })), 'http://127.0.0.1:8233');
  assert.equal(webUiBase(parseTemporalSettings({ address: 'ns.acct.tmprl.cloud:7233' })), 'https://cloud.temporal.io');
  const settings = parseTemporalSettings({ namespace: 'prod', uiUrl: 'https://temporal.example.com/' });
  assert.equal(
    workflowUiUrl(settings, 'rollout:llama-cpp', 'run-1'),
    'https://temporal.example.com/namespaces/prod/workflows/rollout%3Allama-cpp/run-1/history',
  );
  assert.equal(
    workflowUiUrl(settings, 'rollout:llama-cpp'),
    'https://temporal.example.com/namespaces/prod/workflows/rollout%3Allama-cpp',
  );
});

void test('settings checks: unknown keys, non-strings, empty values and bad URLs name the field', () => {
  const refused: [unknown, string, RegExp][] = [
    [{ adress: '127.0.0.1:7233' }, 'adress', /unknown setting "adress"/],
    [{ namespace: 7 }, 'namespace', /expected a string, got number/],
    [{ apiKey: '' }, 'apiKey', /must not be empty/],
    [{ uiUrl: 'not a url' }, 'uiUrl', /expected a URL such as http:\/\/127\.0\.0\.1:8233/],
    [{ tlsKey: 'k.pem' }, 'tlsCert', /needs both the cert and the key file/],
  ];
  for (const [input, field, detail] of refused)
    assert.throws(
      () => parseTemporalSettings(input as Parameters<typeof parseTemporalSettings>[0]),
      (err: unknown) => err instanceof InvalidSettingsError && err.field === field && detail.test(err.detail ?? ''),
      JSON.stringify(input),
    );
  assert.deepEqual(parseTemporalSettings({ address: '[::1]:7233', tlsCert: 'c.pem', tlsKey: 'k.pem' }), {
    address: '[::1]:7233',
    namespace: 'default',
    tlsCert: 'c.pem',
    tlsKey: 'k.pem',
  });
});
