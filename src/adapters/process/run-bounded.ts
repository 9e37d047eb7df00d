/**
 * Run a command from untrusted metadata (an in-toto inspection's `run`, CNAB-Sec 303 asks runtimes to bound
 * them): no shell (argv is executed as is), a given working directory, a timeout (the process group is
 * killed), a scrubbed environment (only PATH, and LANG/LC_ALL=C unless given) and a bound on the output kept
 * per stream (the rest is read and dropped, so the child never blocks on a full pipe).
 */
import { spawn } from 'node:child_process';
import { CnabTrustError } from '../../core/errors.js';
import { sandboxed } from './sandbox.js';

export interface BoundedRunOptions {
  cwd: string;
  /** Milliseconds before the command is killed. Default 60 s. */
  timeoutMs?: number;
  /** Bytes kept of stdout and of stderr each. Default 1 MiB. */
  maxOutputBytes?: number;
  /** The whole environment of the child. Default: PATH of this process, LANG=C, LC_ALL=C. */
  env?: Record<string, string>;
  /** Run inside the namespace sandbox (adapters/process/sandbox.ts), `cwd` its only writable directory. */
  sandbox?: boolean;
}

export interface BoundedRunResult {
  stdout: string;
  stderr: string;
  /** Exit status, or -(signal number) style: null when killed by a signal. */
  returnValue: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
}

export const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin';

export function scrubbedEnv(): Record<string, string> {
  return { PATH: process.env['PATH'] ?? SAFE_PATH, LANG: 'C', LC_ALL: 'C' };
}

export function runBounded(argv: readonly string[], options: BoundedRunOptions): Promise<BoundedRunResult> {
  if (argv.length === 0 || argv[0] === '') {
    return Promise.reject(new CnabTrustError('E_INTOTO_INSPECTION', 'empty command', { subject: 'command' }));
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const max = options.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const command = options.sandbox === true ? sandboxed(argv, options.cwd) : [...argv];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: options.cwd,
      env: options.env ?? scrubbedEnv(),
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the command's children too
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let truncated = false;
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < max) out.push(b.subarray(0, max - outLen));
      if (outLen + b.length > max) truncated = true;
      outLen += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errLen < max) err.push(b.subarray(0, max - errLen));
      if (errLen + b.length > max) truncated = true;
      errLen += b.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new CnabTrustError('E_INTOTO_INSPECTION', `cannot run ${JSON.stringify(argv[0])}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, {
          subject: argv[0]!,
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        returnValue: code,
        signal,
        timedOut,
        truncated,
      });
    });
  });
}
