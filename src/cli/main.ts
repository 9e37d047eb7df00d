#!/usr/bin/env node
/**
 * cnab-trust command line.
 *
 * Lean start: each top-level word (`digest`, `relocation`, `intoto`, ...) lives in
 * `commands/<word>.js`, and only the module of the word given is imported, so `cnab-trust intoto verify`
 * does not pay for loading the OCI or TUF code. With no word (or an unknown one) every command is loaded
 * so that `--help` lists them all. A command module may also export `fastPath(rest)`, which takes the
 * arguments after its word and returns a runner when it can handle them without yargs (plain flags only),
 * so that yargs itself (~30 ms to load and run) is loaded only when needed.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { COMMAND_WORDS } from './command-words.js';
import { CnabTrustError, EXIT, isCnabTrustError } from '../core/errors.js';
import { reportError } from './output.js';

async function loadCommand(word: string): Promise<CommandModule[]> {
  const mod = (await import(`./commands/${word}.js`)) as { default: CommandModule | CommandModule[] };
  return Array.isArray(mod.default) ? mod.default : [mod.default];
}

type FastPath = (rest: readonly string[]) => (() => Promise<void>) | undefined;

export async function main(argv: string[]): Promise<number> {
  const words: readonly string[] = COMMAND_WORDS;
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && first === argv[0] && words.includes(first)) {
    const mod = (await import(`./commands/${first}.js`)) as { fastPath?: FastPath };
    const run = mod.fastPath?.(argv.slice(1));
    if (run !== undefined) {
      await run();
      return (process.exitCode as number | undefined) ?? EXIT.OK;
    }
  }
  const selected = first !== undefined && words.includes(first) ? [first] : words;
  const modules = (await Promise.all(selected.map(loadCommand))).flat();
  const { default: yargs } = await import('yargs');

  const parser = yargs(argv)
    .scriptName('cnab-trust')
    .usage('$0 <command> [options]\n\nSign, push, relocate and verify CNAB bundles with TUF, in-toto and OCI registries.')
    .option('json', { type: 'boolean', describe: 'print the full machine-readable report as JSON', default: false })
    .option('debug', { type: 'boolean', describe: 'print stack traces on errors', default: false })
    .option('quiet', { type: 'boolean', describe: 'print nothing on success', default: false })
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue(
      'Exit codes: 0 success; 1 verification or validation failed; 2 usage error; 3 input/output error (missing file, unreachable server); 4 internal error.',
    )
    .fail((msg, err) => {
      // A CnabTrustError keeps its code. Anything else reaching here is yargs validation: a missing argument, an
      // unknown flag, or a plain Error thrown by a command's `.check()`/`coerce` (yargs' convention): usage, exit 2.
      // (Handlers never throw here: `handle()` reports their errors itself.)
      if (isCnabTrustError(err)) throw err;
      throw new CnabTrustError('E_USAGE', err?.message ?? msg, { subject: 'command line', hint: "run 'cnab-trust <command> --help' for usage" });
    });
  for (const m of modules) parser.command(m);
  try {
    await parser.parseAsync();
  } catch (e) {
    const json = argv.includes('--json');
    const debug = argv.includes('--debug');
    return reportError(e, { json, debug });
  }
  return (process.exitCode as number | undefined) ?? EXIT.OK;
}

// Run when executed (directly or through the `bin` symlink), not when imported by a test.
const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e, { json: process.argv.includes('--json'), debug: process.argv.includes('--debug') });
    },
  );
}
