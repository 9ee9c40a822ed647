/** `fleet-rollout resume BACKEND`: go on after a pause, or after a halt (accepting the failures so far). */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Resumes a paused or halted rollout. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'resume',
      positionals: ['BACKEND'],
      description: 'Resumes the rollout of BACKEND after a pause, or after a halt (the failures so far are accepted).',
      reason: true,
      examples: [
        'fleet-rollout resume llama-cpp',
        'fleet-rollout resume llama-cpp --reason "error rate back to normal"',
      ],
      call: (backend, _args, reason) => controlCalls.resume(backend, reason),
    },
    args,
  );
}
