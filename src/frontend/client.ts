/**
 * A small HTTP client of a LocalAI frontend's node-registry admin API (`/api/nodes/*`): the
 * inventory, a node's model rows, drain and resume, scheduling configs. Every reply is parsed
 * with zod; every failure is a {@link FrontendError} whose message says what to do. The API key
 * never appears in a message.
 */
import { z } from 'zod';
import {
  FrontendNodeSchema,
  ModelRowListSchema,
  NodeListSchema,
  SchedulingListSchema,
  type FrontendNode,
  type ModelRow,
  type SchedulingConfig,
} from './schemas.js';

/** Ways a frontend call fails. */
export const FrontendFailure = {
  /** 401: no key, a wrong key, or the registration token (which is not an admin key). */
  Unauthorized: 'unauthorized',
  /** 403: a valid key of a non-admin user. */
  Forbidden: 'forbidden',
  /** 404 (an unknown node on routes that say so). */
  NotFound: 'not-found',
  /** Any other non-2xx status, e.g. 500 `failed to drain node` for an unknown id. */
  Rejected: 'rejected',
  /** No HTTP answer (refused, DNS, timeout). */
  Unreachable: 'unreachable',
  /** A 2xx body that does not parse. */
  BadReply: 'bad-reply',
} as const;
export type FrontendFailure = (typeof FrontendFailure)[keyof typeof FrontendFailure];

/** A failed call; `status` is the HTTP status when there was one. */
export class FrontendError extends Error {
  override readonly name = 'FrontendError';
  constructor(
    readonly kind: FrontendFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Where the frontend is and how to authenticate. */
export interface FrontendConfig {
  /** Base URL, e.g. `http://localai:8080`. */
  url: string;
  /** An admin key: one of the frontend's `LOCALAI_API_KEY`s or an admin user's `lai-…` key. */
  apiKey?: string;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

/** The calls the orchestrator makes. */
export interface FrontendClient {
  readonly url: string;
  listNodes(): Promise<FrontendNode[]>;
  /** One node. @throws FrontendError `not-found` for an unknown id. */
  node(nodeId: string): Promise<FrontendNode>;
  nodeModels(nodeId: string): Promise<ModelRow[]>;
  /** Rows in state `loaded` on healthy nodes. */
  loadedModels(): Promise<ModelRow[]>;
  scheduling(): Promise<SchedulingConfig[]>;
  drain(nodeId: string): Promise<void>;
  resume(nodeId: string): Promise<void>;
}

function authAdvice(status: 401 | 403, url: string): string {
  return status === 401
    ? `the LocalAI frontend at ${url} refused the API key (401): /api/nodes needs an admin key; give one with --localai-api-key, --localai-api-key-file or LOCALAI_API_KEY (one of the frontend's LOCALAI_API_KEY values, or an admin user's key; the registration token is not accepted there)`
    : `the LocalAI frontend at ${url} accepted the API key but its user is not an admin (403): /api/nodes needs an admin key (one of the frontend's LOCALAI_API_KEY values, or a key of an admin user)`;
}

/** Creates a client; nothing is sent until a method is called. */
export function createFrontendClient(config: FrontendConfig): FrontendClient {
  const base = config.url.replace(/\/+$/, '');
  const call = async <S extends z.ZodType>(method: string, path: string, schema: S): Promise<z.output<S>> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: config.apiKey === undefined ? {} : { authorization: `Bearer ${config.apiKey}` },
        signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new FrontendError(
        FrontendFailure.Unreachable,
        `the LocalAI frontend at ${base} did not answer ${method} ${path} (${cause}): check --localai-url and that the frontend runs`,
      );
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403)
      throw new FrontendError(
        res.status === 401 ? FrontendFailure.Unauthorized : FrontendFailure.Forbidden,
        authAdvice(res.status, base),
        res.status,
      );
    if (!res.ok) {
      const message = /"message":"([^"]*)"/.exec(text)?.[1] ?? text.trim().slice(0, 200);
      throw new FrontendError(
        res.status === 404 ? FrontendFailure.NotFound : FrontendFailure.Rejected,
        `${method} ${path} on the LocalAI frontend at ${base}: ${res.status} ${message}`,
        res.status,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new FrontendError(
        FrontendFailure.BadReply,
        `${method} ${path}: the reply is not JSON: ${text.slice(0, 80)}`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new FrontendError(
        FrontendFailure.BadReply,
        `${method} ${path}: unexpected reply: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`,
      );
    return parsed.data;
  };
  const id = (nodeId: string): string => encodeURIComponent(nodeId);
  const ignore = z.unknown();
  return {
    url: base,
    listNodes: () => call('GET', '/api/nodes', NodeListSchema),
    node: (nodeId) => call('GET', `/api/nodes/${id(nodeId)}`, FrontendNodeSchema),
    nodeModels: (nodeId) => call('GET', `/api/nodes/${id(nodeId)}/models`, ModelRowListSchema),
    loadedModels: () => call('GET', '/api/nodes/models', ModelRowListSchema),
    scheduling: () => call('GET', '/api/nodes/scheduling', SchedulingListSchema),
    drain: async (nodeId) => {
      await call('POST', `/api/nodes/${id(nodeId)}/drain`, ignore);
    },
    resume: async (nodeId) => {
      await call('POST', `/api/nodes/${id(nodeId)}/resume`, ignore);
    },
  };
}
