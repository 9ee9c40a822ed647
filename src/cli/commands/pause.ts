/** `fleet-rollout pause BACKEND`: no new node starts until resume; in-flight nodes finish. */
import { controlCalls } from '../../client/control-calls.js';
import { runControl } from '../control-command.js';

/** Pauses a rollout. */
export async function run(args: string[]): Promise<number> {
  return await runControl(
    {
      name: 'pause',
      positionals: ['BACKEND'],
      description: 'Pauses the rollout of BACKEND: nodes in flight finish, no new node starts until resume.',
      reason: true,
      examples: ['fleet-rollout pause llama-cpp --reason "error rate up in eu-1"'],
      call: (backend, _args, reason) => controlCalls.pause(backend, reason),
    },
    args,
  );
}
