/**
 * The orchestrator's side of a LocalAI frontend (distributed mode): its node registry as
 * inventory, and the drain/resume and model-row calls of a node's upgrade.
 */
export * from './client.js';
export * from './inventory.js';
export * from './schemas.js';
