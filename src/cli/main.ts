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
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { COMMAND_WORDS } from './command-words.js';
import { CnabTrustError, EXIT, isCnabTrustError } from '../core/errors.js';
import { reportError } from './output.js';
import { helpWidth, layoutExamples } from './help-layout.js';
import { describeUnknown, unknownArgumentNames } from './unknown-flags.js';
import { completionScript } from './completion.js';

async function loadCommand(word: string): Promise<CommandModule[]> {
  const mod = (await import(`./commands/${word}.js`)) as { default: CommandModule | CommandModule[] };
  return Array.isArray(mod.default) ? mod.default : [mod.default];
}

type FastPath = (rest: readonly string[]) => (() => Promise<void>) | undefined;

/**
 * The package's version, from the package.json above this module: dist/src/cli/main.js, or a chunk of the bundle
 * in dist/src/bundle/ (checkout and installed package alike).
 */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cnab-trust' && pkg.version !== undefined) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

const COMPLETION_USAGE = `cnab-trust completion [bash|zsh]

print a shell completion script (default: the shell named by $SHELL, else bash)

Examples:
  source <(cnab-trust completion bash)
  cnab-trust completion zsh > "\${fpath[1]}/_cnab-trust"
`;

export async function main(argv: string[]): Promise<number> {
  // `completion [bash|zsh]`: the shell script, before yargs (yargs' own completion script is bash or zsh by $SHELL)
  if (argv[0] === 'completion') {
    process.stdout.write(argv.includes('--help') || argv.includes('-h') ? COMPLETION_USAGE : completionScript(argv.slice(1)));
    return EXIT.OK;
  }
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
  // yargs' CommonJS build: its ESM build lays help out with a cliui that cuts lines every N characters, inside
  // words ('J' / 'SON'); the CommonJS one wraps between words (wrap-ansi). Same API.
  const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

  const width = helpWidth();
  const parser = layoutExamples(yargs(argv), width)
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
    .version('version', 'show the version and exit', packageVersion())
    .alias('V', 'version')
    // the hidden `--get-yargs-completions` that the `completion` scripts call
    .completion('completion', 'print a shell completion script: completion bash, completion zsh')
    .wrap(width)
    .epilogue(
      'Exit codes: 0 success; 1 verification or validation failed; 2 usage error; 3 input/output error (missing file, unreachable server); 4 internal error.',
    )
    .fail((msg, err, usage) => {
      // A CnabTrustError keeps its code. Anything else reaching here is yargs validation: a missing argument, an
      // unknown flag, or a plain Error thrown by a command's `.check()`/`coerce` (yargs' convention): usage, exit 2.
      // (Handlers never throw here: `handle()` reports their errors itself.)
      if (isCnabTrustError(err)) throw err;
      const unknown = err === undefined || err === null ? unknownArgumentNames(msg) : undefined;
      if (unknown !== undefined) {
        const known = Object.keys((usage as unknown as { getDescriptions(): Record<string, unknown> }).getDescriptions());
        const { message, hint } = describeUnknown(unknown, argv, known);
        throw new CnabTrustError('E_USAGE', message, { subject: 'command line', hint });
      }
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
  // every temporary file of this run, ours and the libraries', under one directory removed on exit and on signals;
  // those left by runs killed with SIGKILL (or a crash) are swept first, once their process is gone
  const { useRunTempDir } = await import('../adapters/fs/temp-dir.js');
  useRunTempDir();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e, { json: process.argv.includes('--json'), debug: process.argv.includes('--debug') });
    },
  );
}
