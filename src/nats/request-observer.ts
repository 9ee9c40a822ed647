/**
 * An optional hook on {@link requestMessage}: observers learn the subject, result and duration
 * of every request, so metrics can count them without the request helper knowing about metrics.
 * Observers are per process; an observer that throws is ignored (a request never fails because
 * of one).
 */

/** How one request ended: `ok`, or the way it failed. */
export type RequestResult = 'ok' | 'no-responders' | 'timeout' | 'malformed-reply' | 'connection-lost';

/** One finished request. */
export interface RequestObservation {
  subject: string;
  result: RequestResult;
  /** From sending the request to its reply (decoded) or its failure. */
  durationMs: number;
}

/** Called once per finished request. */
export type RequestObserver = (observation: RequestObservation) => void;

const observers = new Set<RequestObserver>();

/** Adds an observer of every NATS request of this process; returns the function that removes it. */
export function observeRequests(observer: RequestObserver): () => void {
  observers.add(observer);
  return () => {
    observers.delete(observer);
  };
}

/** Reports a finished request to the observers. */
export function reportRequest(observation: RequestObservation): void {
  for (const observer of observers) {
    try {
      observer(observation);
    } catch {
      // An observer must never fail a request.
    }
  }
}
