/** The pure decision core: plain functions of explicit inputs, safe inside Temporal's workflow sandbox. */
export * from './budget.js';
export * from './duration.js';
export * from './failures.js';
export * from './node-state.js';
export * from './planner.js';
export * from './install-source.js';
export * from './spec.js';
export * from './targets.js';
export * from './window.js';
export * from './upgrade-target.js';
export * from './verification.js';
export * from './heartbeat.js';
export * from './plan.js';
