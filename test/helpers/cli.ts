/** Running the built CLI (`node dist/src/cli/main.js`) in tests, and checking its one-line errors. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './fixtures.js';

export const cliMain = path.join(repoRoot, 'dist/src/cli/main.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI in another working directory (and environment), e.g. a scratch directory of a supply chain. */
export function runCliIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', cwd, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run any built entry point with node (e.g. the GitHub Action's `dist/src/action/main.js`) in an environment. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: repoRoot, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Run the CLI without blocking this process, so that servers the test runs in-process (hostile registries, TUF
 * servers on 127.0.0.1) can answer it.
 */
export function runCliAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function runCli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure prints exactly one line `error[CODE]: ...` (plus an optional hint line), no stack, and exits with `status`. */
export function assertOneLineError(r: CliRun, code: string, status: number, ...fragments: string[]): void {
  assert.equal(r.status, status, `exit status; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('  hint: '));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.ok(lines[0]!.startsWith(`error[${code}]: `), r.stderr);
  for (const f of fragments) assert.ok(lines[0]!.includes(f), `${lines[0]} lacks ${f}`);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
}
