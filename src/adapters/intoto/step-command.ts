/**
 * Running the command of a supply-chain step the way `in-toto-run` does (in-toto 1.3.1 `execute_link`):
 * no shell (argv as given, the program looked up in PATH), the caller's environment and working directory,
 * stdout and stderr shown while the command runs and, with `recordStreams`, also captured as the link's
 * byproducts. Captured text is decoded as UTF-8 and its line endings read like Python's text mode
 * (CRLF and CR become LF), as the reference records them. The return value is the exit status; a command
 * killed by a signal records -N (Python's convention).
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { CnabTrustError } from '../../core/errors.js';

export interface StepCommandOptions {
  /** Capture stdout/stderr into the byproducts (the reference's `--record-streams`). */
  recordStreams: boolean;
  /** Kill the command after this many seconds (unset: no limit). */
  timeoutSeconds?: number;
  /** Working directory (default: the current one). */
  cwd?: string;
  /** Where to echo the command's output (default: this process's stdout/stderr). */
  echo?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } | false;
}

/** The link byproducts of a step command: `{stdout, stderr, return-value}` (strings empty when not recorded). */
export interface StepByproducts {
  stdout: string;
  stderr: string;
  'return-value': number;
}

const SIGNALS = osConstants.signals as Record<string, number>;

/** Python text-mode reading of captured output: UTF-8, universal newlines. */
export function pythonText(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/\r\n?/g, '\n');
}

export async function runStepCommand(argv: readonly string[], options: StepCommandOptions): Promise<StepByproducts> {
  if (argv.length === 0) throw new CnabTrustError('E_USAGE', 'no command to run', { subject: 'command', hint: 'give the step command after --' });
  const [program, ...args] = argv as [string, ...string[]];
  const echo = options.echo === undefined ? { stdout: process.stdout, stderr: process.stderr } : options.echo;
  return new Promise<StepByproducts>((resolve, reject) => {
    const child = spawn(program, args, { shell: false, stdio: ['inherit', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutSeconds * 1000)
        : undefined;
    child.stdout.on('data', (b: Buffer) => {
      if (options.recordStreams) out.push(b);
      if (echo) echo.stdout.write(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (options.recordStreams) err.push(b);
      if (echo) echo.stderr.write(b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      const notFound = e.code === 'ENOENT' || e.code === 'EACCES';
      reject(
        new CnabTrustError(notFound ? 'E_USAGE' : 'E_IO', `cannot run '${program}': ${e.code ?? e.message}`, {
          subject: program,
          hint: notFound ? 'the command runs without a shell: give an executable in PATH (or a path to it) and its arguments' : undefined,
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        reject(new CnabTrustError('E_IO', `command '${program}' did not finish within ${options.timeoutSeconds} s and was killed`, { subject: program }));
        return;
      }
      resolve({
        stdout: options.recordStreams ? pythonText(Buffer.concat(out)) : '',
        stderr: options.recordStreams ? pythonText(Buffer.concat(err)) : '',
        'return-value': code ?? -(SIGNALS[signal ?? ''] ?? 1),
      });
    });
  });
}
