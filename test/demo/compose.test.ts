/**
 * docker-compose.yml, checked without Docker: it parses (with merge keys, as Compose reads them),
 * names the services of the production-like stack, pins every image to an exact tag, publishes
 * the ports, orders start-up on health, and gives every long-running service a health check and
 * the environment it needs; Prometheus scrapes the worker and the agents, and Grafana is
 * provisioned with a dashboard that queries only metrics that exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AgentMetric, HISTOGRAM_BUCKETS, WorkerMetric } from '../../src/metrics/definitions.js';

const ROOT = path.resolve(__dirname, '../../..');

const ServiceSchema = z.object({
  image: z.string(),
  build: z.unknown().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  ports: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z
    .object({ test: z.array(z.string()).min(2) })
    .passthrough()
    .optional(),
  profiles: z.array(z.string()).optional(),
});
type Service = z.infer<typeof ServiceSchema>;

const ComposeSchema = z.object({ services: z.record(z.string(), ServiceSchema) });

function loadCompose(): Record<string, Service> {
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  return ComposeSchema.parse(parse(text, { merge: true })).services;
}

function service(services: Record<string, Service>, name: string): Service {
  const found = services[name];
  assert.ok(found !== undefined, `service ${name} is missing`);
  return found;
}

function commandText(s: Service): string {
  return Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');
}

const services = loadCompose();
const AGENTS = ['agent-1', 'agent-2', 'agent-3'];

void test('the stack: temporal, nats, the orchestrator worker and three agents', () => {
  for (const name of ['temporal', 'nats', 'worker', ...AGENTS]) service(services, name);
  assert.match(commandText(service(services, 'worker')), /^worker\b/);
  for (const name of AGENTS) assert.match(commandText(service(services, name)), /^agent --node-id \S+ --simulate\b/);
  const ids = AGENTS.map((name) => /--node-id (\S+)/.exec(commandText(service(services, name)))?.[1]);
  assert.equal(new Set(ids).size, 3, 'each agent serves its own node id');
  assert.match(commandText(service(services, 'agent-2')), /--legacy/);
  assert.match(commandText(service(services, 'agent-3')), /--hang \d+s/);
});

void test('every image is pinned to an exact version: a tag, never latest; Temporal and NATS are official images', () => {
  for (const [name, s] of Object.entries(services)) {
    const match = /^(?<repo>[a-z0-9./_-]+):(?<tag>[\w.-]+)$/.exec(s.image);
    assert.ok(match?.groups !== undefined, `${name}: image "${s.image}" has no tag`);
    const tag = match.groups['tag'] ?? '';
    assert.notEqual(tag, 'latest', `${name}: image "${s.image}" uses latest`);
    assert.match(tag, /^v?\d+\.\d+\.\d+/, `${name}: image "${s.image}" is not pinned to an exact version`);
  }
  assert.match(service(services, 'temporal').image, /^temporalio\/(temporal|auto-setup|server):/);
  assert.match(service(services, 'nats').image, /^nats:/);
  for (const name of ['worker', ...AGENTS]) assert.ok(service(services, name).build !== undefined, `${name} is built`);
});

void test('ports: the Temporal frontend and Web UI, NATS clients and monitoring', () => {
  const published = (name: string): string[] =>
    (service(services, name).ports ?? []).map((p) => p.split(':').pop() ?? '');
  assert.deepEqual(published('temporal').sort(), ['7233', '8233']);
  assert.deepEqual(published('nats').sort(), ['4222', '8222']);
  assert.match(commandText(service(services, 'temporal')), /start-dev --ip 0\.0\.0\.0/);
  for (const attr of [
    'RolloutBackend=Keyword',
    'RolloutPhase=Keyword',
    'RolloutProgressPct=Int',
    'RolloutFailedNodes=Int',
  ])
    assert.match(commandText(service(services, 'temporal')), new RegExp(`--search-attribute ${attr}`));
});

void test('start-up waits for health: the worker for temporal and nats, the agents for nats', () => {
  const worker = service(services, 'worker');
  assert.deepEqual(worker.depends_on, {
    temporal: { condition: 'service_healthy' },
    nats: { condition: 'service_healthy' },
  });
  for (const name of AGENTS)
    assert.deepEqual(service(services, name).depends_on, { nats: { condition: 'service_healthy' } });
  for (const [name, s] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
      assert.ok(services[dependency] !== undefined, `${name} depends on unknown service ${dependency}`);
      if (condition === 'service_healthy')
        assert.ok(
          services[dependency]?.healthcheck !== undefined,
          `${name} waits for ${dependency}, which has no health check`,
        );
    }
  }
});

void test('health checks on every long-running service, in exec form', () => {
  for (const [name, s] of Object.entries(services)) {
    if (s.profiles !== undefined) continue;
    assert.ok(s.healthcheck !== undefined, `${name} has no health check`);
    assert.ok(
      ['CMD', 'CMD-SHELL'].includes(s.healthcheck.test[0] ?? ''),
      `${name}: health check test must start with CMD`,
    );
  }
  assert.match(service(services, 'temporal').healthcheck?.test.join(' ') ?? '', /operator cluster health/);
  assert.match(service(services, 'nats').healthcheck?.test.join(' ') ?? '', /8222\/healthz/);
});

void test('environment: the worker reaches Temporal and NATS by service name, each agent NATS', () => {
  const worker = service(services, 'worker').environment ?? {};
  assert.equal(worker['TEMPORAL_ADDRESS'], 'temporal:7233');
  assert.equal(worker['NATS_URL'], 'nats://nats:4222');
  for (const name of AGENTS) {
    const env = service(services, name).environment ?? {};
    assert.equal(env['NATS_URL'], 'nats://nats:4222', name);
    assert.equal(env['NODE_ID'], /--node-id (\S+)/.exec(commandText(service(services, name)))?.[1], name);
  }
});

void test('metrics: the worker and the agents serve them, Prometheus scrapes each, Grafana shows the dashboard', () => {
  assert.equal(service(services, 'worker').environment?.['FLEET_ROLLOUT_METRICS_LISTEN'], '0.0.0.0:9464');
  for (const name of AGENTS)
    assert.equal(service(services, name).environment?.['FLEET_ROLLOUT_METRICS_LISTEN'], '0.0.0.0:9465', name);
  assert.match(service(services, 'prometheus').image, /^prom\/prometheus:v\d+\.\d+\.\d+$/);
  assert.match(service(services, 'grafana').image, /^grafana\/grafana:\d+\.\d+\.\d+$/);
  assert.deepEqual(service(services, 'grafana').depends_on, { prometheus: { condition: 'service_healthy' } });

  const raw = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { volumes?: string[] }>;
  };
  const mounts = (name: string) =>
    (raw.services[name]?.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':'));
  for (const [source] of [...mounts('prometheus'), ...mounts('grafana')])
    assert.ok(existsSync(path.join(ROOT, source ?? '')), `mounted ${source} exists`);
  assert.ok(
    mounts('grafana').some(([source, target]) => source === './dashboards' && target === '/var/lib/grafana/dashboards'),
  );

  const scrape = z
    .object({
      scrape_configs: z.array(
        z.object({ job_name: z.string(), static_configs: z.array(z.object({ targets: z.array(z.string()) })) }),
      ),
    })
    .parse(parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')));
  const targets = scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
  assert.ok(targets.includes('worker:9464'), 'the worker is scraped');
  for (const name of AGENTS) assert.ok(targets.includes(`${name}:9465`), `${name} is scraped`);

  const datasources = readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
  assert.match(datasources, /uid: prometheus/);
  assert.match(datasources, /url: http:\/\/prometheus:9090/);
});

void test('the Grafana dashboard queries only metrics that exist, through the provisioned datasource', () => {
  const dashboard = z
    .object({
      uid: z.string(),
      panels: z.array(
        z.object({
          type: z.string(),
          title: z.string(),
          datasource: z.object({ uid: z.string() }).optional(),
          targets: z.array(z.object({ expr: z.string() })).optional(),
        }),
      ),
    })
    .parse(JSON.parse(readFileSync(path.join(ROOT, 'dashboards/fleet-rollout.json'), 'utf8')));
  const known = new Set<string>([...Object.values(WorkerMetric), ...Object.values(AgentMetric)]);
  const histograms = new Set(Object.keys(HISTOGRAM_BUCKETS));
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 8, 'rollout progress, nodes by state, failure rate, NATS outcomes, durations, agents');
  const used = new Set<string>();
  for (const panel of panels) {
    assert.equal(panel.datasource?.uid, 'prometheus', panel.title);
    assert.ok((panel.targets ?? []).length > 0, `${panel.title} has queries`);
    for (const { expr } of panel.targets ?? []) {
      for (const name of expr.match(/\bfleet_rollout_\w+/g) ?? []) {
        const base = name.replace(/_bucket$/, '');
        assert.ok(known.has(name) || (name.endsWith('_bucket') && histograms.has(base)), `${panel.title}: ${name}`);
        used.add(base);
      }
    }
  }
  for (const metric of known) assert.ok(used.has(metric), `the dashboard shows ${metric}`);
});
