/**
 * How the CLI speaks: a human summary on stdout by default, the full report with `--json`,
 * one line per error on stderr (stack only with `--debug`), and the exit status from the error's category.
 */
import { CnabTrustError, EXIT, exitStatusOf, isCnabTrustError } from '../core/errors.js';

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Print a command's result: `human()` text unless `--json`, in which case `report` as JSON. */
export function printResult(flags: OutputFlags, report: unknown, human: () => string): void {
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (!flags.quiet) {
    const text = human();
    if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}

/** One clear line (plus subject and hint) for an error; returns the exit status to use. */
export function formatError(e: CnabTrustError): string {
  let line = `error[${e.code}]: ${e.message}`;
  if (e.subject !== undefined && !e.message.includes(e.subject)) line += ` (${e.subject})`;
  if (e.hint !== undefined) line += `\n  hint: ${e.hint}`;
  return line;
}

export function reportError(e: unknown, flags: OutputFlags): number {
  const status = exitStatusOf(e);
  if (isCnabTrustError(e)) {
    if (flags.json) {
      process.stdout.write(JSON.stringify({ error: e.toJSON() }, null, 2) + '\n');
    } else {
      process.stderr.write(formatError(e) + '\n');
    }
  } else {
    const message = e instanceof Error ? e.message : String(e);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ error: { code: 'E_INTERNAL', message } }, null, 2) + '\n');
    } else {
      process.stderr.write(`error[E_INTERNAL]: ${message}\n`);
    }
  }
  if (flags.debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return status === EXIT.OK ? EXIT.INTERNAL : status;
}

/**
 * Wrap a command handler: run it, and on error print the error the CLI way and set the exit status.
 * Handlers return the exit status they want (0, or 1 for a "not verified" report they printed themselves).
 */
export function handle<A extends OutputFlags>(fn: (args: A) => Promise<number | void>): (args: A) => Promise<void> {
  return async (args: A) => {
    try {
      const status = await fn(args);
      process.exitCode = status ?? EXIT.OK;
    } catch (e) {
      process.exitCode = reportError(e, args);
    }
  };
}
