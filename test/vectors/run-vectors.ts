/**
 * Runs the shared wire vectors and reports: `node dist/test/vectors/run-vectors.js`.
 *
 * Reads `PROTOCOL_VECTORS` (resolved against the working directory) or, by default,
 * `../shared/protocol/vectors.json` next to the project root. Prints each failure and a final
 * `vectors: N passed, M failed` line; exits 1 when anything failed or nothing ran.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runVectors } from './vectors.js';

/** The default vectors file: the project root is three levels above `dist/test/vectors/`. */
export function defaultVectorsPath(): string {
  return path.resolve(__dirname, '../../..', '../shared/protocol/vectors.json');
}

/** The vectors file this run uses: `PROTOCOL_VECTORS` when set, else `defaultVectorsPath()`. */
export function vectorsPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['PROTOCOL_VECTORS'];
  return configured !== undefined && configured !== '' ? path.resolve(configured) : defaultVectorsPath();
}

/** Reads and parses a vectors file. @throws Error naming the file when it is unreadable or not JSON. */
export function readVectors(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read vectors file ${file}: ${(err as Error).message}; set PROTOCOL_VECTORS to its path`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`vectors file ${file} is not JSON: ${(err as Error).message}`);
  }
}

function main(): number {
  const file = vectorsPath();
  let contents: unknown;
  try {
    contents = readVectors(file);
  } catch (err) {
    console.log(`FAIL [(file)] ${file}: ${(err as Error).message}`);
    console.log('vectors: 0 passed, 1 failed');
    return 1;
  }
  const { passed, failed } = runVectors(contents);
  for (const failure of failed) {
    console.log(`FAIL [${failure.section}] ${failure.name}: ${failure.detail}`);
  }
  if (passed + failed.length === 0) console.log(`FAIL [(file)] ${file}: no vector cases`);
  console.log(`vectors: ${passed} passed, ${failed.length} failed`);
  return failed.length > 0 || passed === 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main();
}
