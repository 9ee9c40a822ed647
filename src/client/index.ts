/**
 * The typed client of fleet-rollout: connect, start and read rollouts, control them, find them,
 * plan them without side effects, and schedule recurring fleet upgrades.
 */
export * from './errors.js';
export * from './settings.js';
export * from './connect.js';
export { checkRolloutSpec, checkedRolloutSpec, CheckedRolloutSpec } from './spec-check.js';
export * from './rollouts.js';
export * from './status.js';
export * from './status-json.js';
export * from './history-json.js';
export * from './list-json.js';
export * from './nodes-json.js';
export * from './controls.js';
export * from './visibility.js';
export * from './cron.js';
export * from './schedules.js';
export * from './schedule-trigger.js';
export * from './plan.js';
export * from './plan-target.js';
export * from './install-name.js';
export * from './control-events.js';
export * from './undo-plan.js';
export * from './undo.js';
