/**
 * Bundles `dist/src/cli/bin.js` (compiled by tsc) and the modules `intoto verify` needs into one CommonJS file,
 * `dist/src/cli/cnab-trust.cjs`: the `bin` of the package. Issue 4 item 7 measures `intoto verify` as a whole
 * process; one CommonJS file loads about 15 ms faster than ~25 ES modules resolved and linked one by one.
 * `main.js` and the other commands are not bundled: `bin.js` imports main.js through a computed URL, which the
 * bundler leaves alone, so every other command still loads only its own modules.
 */
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/src/cli/cnab-trust.cjs';
await build({
  entryPoints: ['dist/src/cli/bin.js'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import.meta.url has no CommonJS form: the file's own URL, computed once at the top.
  define: { 'import.meta.url': '__cnabTrustModuleUrl' },
  banner: { js: "#!/usr/bin/env node\nconst __cnabTrustModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
