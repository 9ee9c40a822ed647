/** Task queue of the orchestrator unless told otherwise. Kept apart from the worker so the CLI can read it without loading the worker. */
export const DEFAULT_TASK_QUEUE = 'fleet-rollout';
