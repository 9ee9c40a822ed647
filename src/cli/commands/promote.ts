/** `fleet-rollout promote BACKEND [--full]`: open the canary gate; with `--full`, skip every remaining gate. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Promotes a rollout's canary. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'promote',
      positionals: ['BACKEND'],
      description:
        'Promotes the canary of the rollout of BACKEND: the remaining waves start.\n' +
        'With --full, every remaining gate is skipped: the canary gate and the barriers between waves\n' +
        '(nodes of the next wave start while the current one finishes; maxParallel and the replica budget still hold).',
      reason: true,
      switches: [{ name: 'full', help: 'skip every remaining gate (canary gate, wave barriers)' }],
      examples: [
        'fleet-rollout promote llama-cpp --reason "canary error rate flat for 1h"',
        'fleet-rollout promote llama-cpp --full --reason "hotfix: go everywhere now"',
      ],
      call: (backend, _args, reason, switches) => controlCalls.promote(backend, reason, switches.has('full')),
    },
    args,
  );
}
