/**
 * The admin routes `/api/nodes/*` of the simulated frontend, with LocalAI's status codes and
 * bodies (reference: localai-frontend-api.md §3), including its quirks: `PATCH`/`PUT` of labels
 * store a spurious `id` label, `PUT` drops the auto-labels, `DELETE` of a label is `204` even
 * for a key that does not exist, unknown ids give `200 []` on models and `500` on drain/resume.
 */
import { configObject, goJsonBody, nodeError, nodeObject, rowObject } from './bodies.js';
import type { NodeLink } from './node-link.js';
import { NodeStatus, type FrontendRegistry } from './registry.js';

/** A response: status, body (already encoded) and extra headers. */
export interface RouteResponse {
  status: number;
  body: string;
}

/** What a route handler gets. */
export interface RouteContext {
  registry: FrontendRegistry;
  link: NodeLink;
}

const json = (status: number, value: unknown): RouteResponse => ({ status, body: goJsonBody(value) });
const err = (status: number, message: string): RouteResponse => ({ status, body: nodeError(status, message) });
const empty = (): RouteResponse => ({ status: 204, body: '' });

function stringMap(body: unknown): Record<string, string> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body);
  return entries.every(([, v]) => typeof v === 'string')
    ? Object.fromEntries(entries as [string, string][])
    : undefined;
}

function setLabels(ctx: RouteContext, id: string, labels: Record<string, string>): RouteResponse {
  const node = ctx.registry.node(id);
  if (node === undefined) return err(404, 'node not found');
  // LocalAI binds the `:id` path parameter into the label map too.
  node.labels = { ...labels, id };
  return json(200, Object.fromEntries(Object.entries(node.labels).sort(([a], [b]) => (a < b ? -1 : 1))));
}

function scheduling(ctx: RouteContext, body: unknown): RouteResponse {
  if (typeof body !== 'object' || body === null) return err(400, 'invalid request body');
  const b = body as Record<string, unknown>;
  const modelName = typeof b['model_name'] === 'string' ? b['model_name'] : '';
  if (modelName === '') return err(400, 'model_name is required');
  const minReplicas = typeof b['min_replicas'] === 'number' ? b['min_replicas'] : 0;
  const maxReplicas = typeof b['max_replicas'] === 'number' ? b['max_replicas'] : 0;
  const spreadAll = b['spread_all'] === true;
  if (spreadAll && (minReplicas !== 0 || maxReplicas !== 0))
    return err(400, 'spread_all and min_replicas/max_replicas are mutually exclusive');
  if (maxReplicas > 0 && minReplicas > maxReplicas) return err(400, 'min_replicas must be <= max_replicas');
  const selector = b['node_selector'] === undefined ? undefined : stringMap(b['node_selector']);
  if (b['node_selector'] !== undefined && selector === undefined) return err(400, 'invalid request body');
  const config = ctx.registry.upsertConfig({
    modelName,
    minReplicas,
    maxReplicas,
    spreadAll,
    ...(selector === undefined ? {} : { nodeSelector: selector }),
  });
  return json(200, configObject(config));
}

/** Routes an admin request (auth already checked); `undefined` for a path that is not an admin route. */
export async function adminRoute(
  ctx: RouteContext,
  method: string,
  parts: readonly string[],
  body: unknown,
): Promise<RouteResponse | undefined> {
  const { registry } = ctx;
  const [first, second, third] = parts;
  if (first === undefined)
    return method === 'GET'
      ? json(
          200,
          registry.nodes().map((n) => nodeObject(n, registry.rows(n.id))),
        )
      : undefined;
  if (first === 'models' && second === undefined && method === 'GET') {
    const healthy = (nodeId: string) => registry.node(nodeId)?.status === NodeStatus.Healthy;
    return json(
      200,
      registry
        .rows()
        .filter((r) => healthy(r.nodeId))
        .map(rowObject),
    );
  }
  if (first === 'scheduling') {
    if (second === undefined && method === 'GET') return json(200, registry.configs().map(configObject));
    if (second === undefined && method === 'POST') return scheduling(ctx, body);
    if (second !== undefined && method === 'GET') {
      const config = registry.config(second);
      return config === undefined ? err(404, 'no scheduling config for model') : json(200, configObject(config));
    }
    if (second !== undefined && method === 'DELETE') {
      registry.deleteConfig(second);
      return empty();
    }
    return undefined;
  }
  const id = first;
  const node = registry.node(id);
  if (second === undefined) {
    if (method === 'GET')
      return node === undefined ? err(404, 'node not found') : json(200, nodeObject(node, registry.rows(id)));
    if (method === 'DELETE') {
      registry.deregister(id);
      return json(200, { message: 'node deregistered' });
    }
    return undefined;
  }
  switch (`${method} ${second}`) {
    case 'GET models':
      return json(200, registry.rows(id).map(rowObject));
    case 'POST drain':
      return registry.drain(id) ? json(200, { message: 'node set to draining' }) : err(500, 'failed to drain node');
    case 'POST resume':
      return registry.resume(id) ? json(200, { message: 'node resumed' }) : err(500, 'failed to resume node');
    case 'POST approve':
      if (!registry.approve(id) || node === undefined) return err(400, 'failed to approve node');
      return json(200, { id, message: 'node approved', name: node.name, node_type: 'backend', status: 'healthy' });
    case 'GET backends':
      if (node === undefined) return err(500, 'failed to list backends on node');
      try {
        return json(200, await ctx.link.backends(id));
      } catch {
        return err(500, 'failed to list backends on node');
      }
    case 'GET labels':
      return json(200, node?.labels ?? {});
    case 'PATCH labels': {
      const labels = stringMap(body);
      if (labels === undefined) return err(400, 'invalid request body');
      return setLabels(ctx, id, { ...(node?.labels ?? {}), ...labels });
    }
    case 'PUT labels': {
      const labels = stringMap(body);
      if (labels === undefined) return err(400, 'invalid request body');
      return setLabels(ctx, id, labels);
    }
    case 'DELETE labels':
      if (node !== undefined && third !== undefined) delete node.labels[third];
      return third === undefined ? undefined : empty();
    default:
      return undefined;
  }
}
