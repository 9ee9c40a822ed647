import type { NatsConnection } from 'nats';
import type { FrontendClient } from '../frontend/index.js';
import type { Logger } from '../log.js';
import type { LateReplies } from './late-replies.js';

/** What the activities need from their host process. */
export interface ActivityDeps {
  nc: NatsConnection;
  log: Logger;
  /** Override of the `backend.list` timeout (ms). @default 30000 */
  listTimeoutMs?: number;
  /** How long discovery keeps asking a node that does not answer (ms). @default 60000 */
  discoveryGraceMs?: number;
  /** The LocalAI frontend of the fleet, when the worker was given one (`--localai-url`). */
  frontend?: FrontendClient;
  /** Timed-out upgrade requests still listening for their reply; `createActivities` makes one when absent. */
  lateReplies?: LateReplies;
}
