import type { NatsConnection } from 'nats';
import type { FrontendClient } from '../frontend/index.js';
import type { Logger } from '../log.js';

/** What the activities need from their host process. */
export interface ActivityDeps {
  nc: NatsConnection;
  log: Logger;
  /** Override of the `backend.list` timeout (ms). @default 30000 */
  listTimeoutMs?: number;
  /** The LocalAI frontend of the fleet, when the worker was given one (`--localai-url`). */
  frontend?: FrontendClient;
}
