/**
 * Recorded workflow histories: a frozen record of what earlier code ran. Files under
 * `test/histories/` are only ever added (see its README): `recordHistory` names a new file after the
 * commit that recorded it and refuses to overwrite one. Its sha256 goes beside it in
 * `<file>.sha256` (the histories recorded first are listed in the frozen `MANIFEST`), so recording
 * only ever adds files, and the replay test fails when a recorded history is modified instead of added.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { locateTool, PROJECT_ROOT } from '../../src/local/tools.js';

export const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test', 'histories');
export const MANIFEST_PATH = path.join(HISTORIES_DIR, 'MANIFEST');

/** sha256 of a file's bytes, hex. */
export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** One `<sha256>  <file>` line per recorded history, from `MANIFEST` and every `*.sha256` beside the files. */
function manifestLines(): string[] {
  const sidecars = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.sha256'));
  return [MANIFEST_PATH, ...sidecars.map((f) => path.join(HISTORIES_DIR, f))].flatMap((f) =>
    readFileSync(f, 'utf8').split('\n'),
  );
}

/** The manifest: file name → sha256. */
export function readManifest(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of manifestLines()) {
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[2], match[1]);
  }
  return entries;
}

function currentCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'uncommitted';
  }
}

/**
 * With RECORD_HISTORIES=1, writes a finished run's history (the latest run, or `runId`) to `test/histories/<name>-<commit>.json`
 * with its sha256 beside it (`<file>.sha256`). An existing file is never overwritten: record after committing
 * the change that makes a new history worth keeping.
 */
export function recordHistory(temporalAddress: string, workflowId: string, name: string, runId?: string): void {
  if (process.env['RECORD_HISTORIES'] !== '1') return;
  const file = `${name}-${currentCommit()}.json`;
  const target = path.join(HISTORIES_DIR, file);
  if (existsSync(target)) {
    throw new Error(`${file} exists already: recorded histories are never overwritten (commit first, then record)`);
  }
  const json = execFileSync(locateTool('temporal'), [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    ...(runId !== undefined ? ['--run-id', runId] : []),
    '--address',
    temporalAddress,
    '--output',
    'json',
  ]);
  writeFileSync(target, json, { flag: 'wx' });
  writeFileSync(`${target}.sha256`, `${sha256Of(target)}  ${file}\n`, { flag: 'wx' });
}
