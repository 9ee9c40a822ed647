/** Every workflow the orchestrator worker hosts. */
export { rolloutWorkflow } from './rollout.js';
export { scheduledRolloutWorkflow } from './scheduled.js';
