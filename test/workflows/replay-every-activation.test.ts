/**
 * The main workflow scenarios again, on workers that cache no workflow: every activation replays
 * the history from the start, so a branch that depends on anything but the history fails loudly.
 */
import '../support/replay-every-activation.js';
import './concurrent.test.js';
import './controls.test.js';
import './pre-upgrade-replicas.test.js';
import './rollout.test.js';
import './serving.test.js';
import './unknown-replicas.test.js';
