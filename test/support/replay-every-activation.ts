/**
 * Imported first by a test file: every orchestrator the file starts caches no workflow, so each
 * activation replays the history from the start.
 */
import { replayEveryActivation } from './orchestrator.js';

replayEveryActivation();
