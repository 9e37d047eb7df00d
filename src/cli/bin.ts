/**
 * The `cnab-trust` executable. esbuild bundles this file, with everything `intoto verify` needs, into
 * `cnab-trust.mjs` beside it (`npm run build`), which is what the `bin` entry runs: issue 4 item 7 measures
 * `intoto verify` as a whole process, and loading its ~25 modules one by one costs about 10 ms of it.
 * `intoto verify` with plain flags runs from the bundle; every other command is handed to `main.js`, which
 * loads only the modules of the command given.
 */
import { fastPath } from './commands/intoto.js';
import { reportError } from './output.js';

async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'intoto') {
    const verify = fastPath(argv.slice(1));
    if (verify !== undefined) {
      await verify();
      return (process.exitCode as number | undefined) ?? 0;
    }
  }
  // Not a literal specifier, so the bundler leaves main.js (and the lazy loading of commands) as it is.
  const mainUrl = new URL('./main.js', import.meta.url).href;
  const { main } = (await import(mainUrl)) as typeof import('./main.js');
  return main(argv);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = reportError(e, { json: process.argv.includes('--json'), debug: process.argv.includes('--debug') });
  },
);
