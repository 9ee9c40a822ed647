/**
 * Sends a control as one `UpdateWorkflowExecution` gRPC call without loading the Temporal SDK: the
 * CLI's control commands start, send and exit within a few hundred milliseconds. Arguments and the
 * result travel as `json/plain` payloads, the SDK's default; refusals and a missing rollout become
 * the same errors as with {@link ./controls.ts}.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname, userInfo } from 'node:os';
import type { RolloutStatus, StatusQueryOptions } from '../workflows/status.js';
import { rolloutWorkflowId, STATUS_QUERY } from '../addressing.js';
import {
  controlRejected,
  DROPPED_UPDATE_RETRY_MS,
  isDroppedUpdate,
  rolloutNotRunning,
  type ControlCall,
} from './control-calls.js';
import { temporalConnectionOptions, unreachableMessage } from './connect.js';
import { RolloutUnavailableError, TemporalUnreachableError } from './errors.js';
import {
  bytesField,
  decodeMessage,
  encodeMessage,
  GrpcConnectError,
  GrpcStatusError,
  numberField,
  unaryCall,
  type GrpcTarget,
  type ProtoField,
} from './grpc-wire.js';
import type { TemporalSettings } from './settings.js';

const UPDATE_METHOD = '/temporal.api.workflowservice.v1.WorkflowService/UpdateWorkflowExecution';
const QUERY_METHOD = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';
/** `UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED`. */
const STAGE_COMPLETED = 3;
const GRPC_NOT_FOUND = 5;
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Options of {@link sendControlRpc}. */
export interface ControlRpcOptions {
  /** Recorded in the workflow history as who sent the update. @default "user@host" */
  identity?: string;
  /** How long to wait for the server to answer the connection. @default 5000 */
  connectTimeoutMs?: number;
  /** How long to wait for a worker to run the update. @default 60000 */
  answerTimeoutMs?: number;
}

/** `user@host` of this process: who sent a control. */
export function operatorIdentity(): string {
  let user = process.env['USER'] ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): the environment's name stays.
  }
  return `${user}@${hostname()}`;
}

function jsonPayload(value: unknown): ProtoField[] {
  const metadata: ProtoField = [
    1,
    [
      [1, 'encoding'],
      [2, Buffer.from('json/plain')],
    ],
  ];
  return [metadata, [2, Buffer.from(JSON.stringify(value), 'utf8')]];
}

function decodePayload(payload: Buffer): unknown {
  const fields = decodeMessage(payload);
  let encoding = '';
  for (const entry of fields.filter((f) => f.num === 1 && Buffer.isBuffer(f.value))) {
    const kv = decodeMessage(entry.value as Buffer);
    if (bytesField(kv, 1)?.toString() === 'encoding') encoding = bytesField(kv, 2)?.toString() ?? '';
  }
  const data = bytesField(fields, 2) ?? Buffer.alloc(0);
  if (encoding === 'binary/null') return undefined;
  if (encoding !== 'json/plain') throw new Error(`the update answered with a ${encoding || 'bare'} payload`);
  return JSON.parse(data.toString('utf8'));
}

/** The value of the first payload of a `Payloads` message. */
function firstPayload(payloads: Buffer | undefined): unknown {
  const payload = bytesField(decodeMessage(payloads ?? Buffer.alloc(0)), 1);
  return payload === undefined ? undefined : decodePayload(payload);
}

function updateRequest(namespace: string, call: ControlCall, updateId: string, identity: string): Buffer {
  return encodeMessage([
    [1, namespace],
    [2, [[1, rolloutWorkflowId(call.backend)]]],
    [4, [[1, STAGE_COMPLETED]]],
    [
      5,
      [
        [
          1,
          [
            [1, updateId],
            [2, identity],
          ],
        ],
        [
          2,
          [
            [2, call.update],
            [3, call.args.map((arg): ProtoField => [1, jsonPayload(arg)])],
          ],
        ],
      ],
    ],
  ]);
}

function grpcTarget(settings: TemporalSettings, options: ControlRpcOptions): GrpcTarget {
  const connection = temporalConnectionOptions(settings);
  const headers: Record<string, string> = { 'temporal-namespace': settings.namespace };
  if (connection.apiKey !== undefined) headers['authorization'] = `Bearer ${connection.apiKey}`;
  const target: GrpcTarget = {
    authority: `${connection.tls === undefined ? 'http' : 'https'}://${settings.address}`,
    headers,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    callTimeoutMs: options.answerTimeoutMs ?? 60_000,
  };
  if (typeof connection.tls === 'object') {
    const tls: NonNullable<GrpcTarget['tls']> = {};
    if (connection.tls.serverRootCACertificate !== undefined)
      tls.ca = Buffer.from(connection.tls.serverRootCACertificate);
    if (connection.tls.clientCertPair !== undefined) {
      tls.cert = Buffer.from(connection.tls.clientCertPair.crt);
      tls.key = Buffer.from(connection.tls.clientCertPair.key);
    }
    target.tls = tls;
  }
  return target;
}

/** One call; transport errors become the client's errors for `call`. */
async function callTemporal(
  settings: TemporalSettings,
  target: GrpcTarget,
  call: ControlCall,
  method: string,
  request: Buffer,
): Promise<Buffer | 'deadline' | 'dropped'> {
  try {
    return await unaryCall(target, method, request);
  } catch (err) {
    if (err instanceof GrpcStatusError && err.code === GRPC_NOT_FOUND) throw rolloutNotRunning(call);
    if (err instanceof GrpcConnectError || (err instanceof GrpcStatusError && err.code === GRPC_UNAVAILABLE)) {
      const detail = settings.apiKey === undefined ? err.message : err.message.split(settings.apiKey).join('***');
      throw new TemporalUnreachableError(unreachableMessage(settings, detail));
    }
    if (err instanceof GrpcStatusError && err.code === GRPC_DEADLINE_EXCEEDED) return 'deadline';
    if (isDroppedUpdate(err)) return 'dropped';
    throw new Error(`cannot ${call.what} ${call.backend}: Temporal answered: ${(err as Error).message}`);
  }
}

/**
 * Sends `call` and waits until the workflow has run the update; resolves with the status it returned.
 * @throws ControlRejectedError when the workflow refuses the control (its validator's sentence).
 * @throws RolloutNotFoundError when no rollout of the backend is running.
 * @throws RolloutUnavailableError when no worker ran the update in time.
 * @throws TemporalUnreachableError when Temporal cannot be reached.
 */
export async function sendControlRpc(
  settings: TemporalSettings,
  call: ControlCall,
  options: ControlRpcOptions = {},
): Promise<RolloutStatus> {
  const target = grpcTarget(settings, options);
  const request = updateRequest(settings.namespace, call, randomUUID(), options.identity ?? operatorIdentity());
  const deadline = Date.now() + target.callTimeoutMs;
  for (;;) {
    const reply = await callTemporal(settings, target, call, UPDATE_METHOD, request);
    if (reply === 'deadline') break;
    if (reply === 'dropped') {
      // The same update id again: the workflow runs it once.
      if (Date.now() >= deadline) break;
      await sleep(DROPPED_UPDATE_RETRY_MS);
      continue;
    }
    const fields = decodeMessage(reply);
    const outcome = bytesField(fields, 2);
    if (numberField(fields, 3) >= STAGE_COMPLETED && outcome !== undefined) {
      const result = decodeMessage(outcome);
      const failure = bytesField(result, 2);
      if (failure !== undefined) throw controlRejected(call, bytesField(decodeMessage(failure), 1)?.toString() ?? '');
      return firstPayload(bytesField(result, 1)) as RolloutStatus;
    }
    // Not completed within the server's long poll: the same update id asks again without sending it twice.
    if (Date.now() >= deadline) break;
  }
  throw new RolloutUnavailableError(
    `cannot ${call.what} ${call.backend}: no orchestrator worker ran it within ${Math.round(target.callTimeoutMs / 1000)} s; is 'fleet-rollout worker' running on the rollout's task queue?`,
  );
}

/**
 * Asks the rollout of `call.backend` for its status with the given node selection (`status` query).
 * @throws the errors of {@link sendControlRpc}; a query the workflow rejects is an Error.
 */
export async function queryStatusRpc(
  settings: TemporalSettings,
  call: ControlCall,
  queryOptions: StatusQueryOptions,
  options: ControlRpcOptions = {},
): Promise<RolloutStatus> {
  const target = grpcTarget(settings, { ...options, answerTimeoutMs: options.answerTimeoutMs ?? 10_000 });
  const request = encodeMessage([
    [1, settings.namespace],
    [2, [[1, rolloutWorkflowId(call.backend)]]],
    [
      3,
      [
        [1, STATUS_QUERY],
        [2, [[1, jsonPayload(queryOptions)]]],
      ],
    ],
  ]);
  const reply = await callTemporal(settings, target, call, QUERY_METHOD, request);
  if (reply === 'deadline' || reply === 'dropped')
    throw new RolloutUnavailableError(`the status of ${call.backend} was not answered in time`);
  return firstPayload(bytesField(decodeMessage(reply), 1)) as RolloutStatus;
}
