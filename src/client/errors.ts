/**
 * The client's typed errors. Each message is one readable line that says what was wrong and what
 * to do; the CLI maps them to exit codes (bad input 2, unreachable 3, anything else 1).
 */
import type { SpecIssue } from '../domain/spec.js';

/** Temporal cannot be reached at the configured address; the message names it and how to start a local server. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** One problem of an invalid spec: the field's path (`maxUnavailable`, `inventory[0].id`) and what is wrong. */
export type SpecProblem = SpecIssue;

/** The rollout spec, a node id or a schedule spec is invalid; the message names the field and the expected form. */
export class InvalidSpecError extends Error {
  override readonly name = 'InvalidSpecError';

  constructor(
    message: string,
    /** Every problem found, each naming its field (the CLI maps fields to flags). */
    readonly problems: readonly SpecProblem[] = [],
  ) {
    super(message);
  }
}

/** A rollout of the backend is already running; the message names the running run. */
export class RolloutAlreadyRunningError extends Error {
  override readonly name = 'RolloutAlreadyRunningError';

  constructor(
    message: string,
    /** Workflow id of the running rollout (`rollout:<backend>`). */
    readonly workflowId: string,
    /** Run id of the running rollout. */
    readonly runId: string,
  ) {
    super(message);
  }
}

/** No rollout (or schedule) with that name exists. */
export class RolloutNotFoundError extends Error {
  override readonly name = 'RolloutNotFoundError';
}

/** A rollout is running, but no orchestrator worker answers for it (its status cannot be read). */
export class RolloutUnavailableError extends Error {
  override readonly name = 'RolloutUnavailableError';
}

/** The workflow refused a control (its update validator rejected the transition); the message is the workflow's. */
export class ControlRejectedError extends Error {
  override readonly name = 'ControlRejectedError';
}

/** The connection settings are unusable (e.g. a TLS file cannot be read); the message names the setting. */
export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';

  constructor(
    message: string,
    /** The settings field at fault (`address`, `tlsCert`, …), when one is. */
    readonly field?: string,
    /** What is wrong with it, without the field name. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** An undo cannot be done (the run is still going, changed nothing, or its earlier install cannot be named). */
export class UndoRefusedError extends Error {
  override readonly name = 'UndoRefusedError';
}
