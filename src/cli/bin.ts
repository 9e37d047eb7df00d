/**
 * The `cnab-trust` executable. `npm run build` bundles it with esbuild (scripts/bundle-cli.mjs) into
 * `dist/src/bundle/cnab-trust.js` and code-split chunks, started by `dist/src/cli/cnab-trust.cjs` (the package's
 * `bin`), which turns on Node's compile cache first. `intoto verify` with plain flags runs from the entry chunk
 * (bench/intoto.bench.ts measures it as a whole process); every other command is handed to `main.js`, a chunk loaded on
 * demand, which loads only the chunks of the command given.
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
  // every temporary file of this run, ours and the libraries', under one directory removed on exit and on signals;
  // those left by runs killed with SIGKILL (or a crash) are swept first, once their process is gone
  const { useRunTempDir } = await import('../adapters/fs/temp-dir.js');
  useRunTempDir();
  const { main } = await import('./main.js');
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
