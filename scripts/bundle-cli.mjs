/**
 * `npm run build`, after tsc: esbuild bundles what the package runs and what library users import, from the
 * compiled `dist/src`, into `dist/src/bundle/` (ES modules, code-split):
 *  - `cnab-trust.js`: the CLI (`src/cli/bin.ts`). Its entry chunk holds only what `intoto verify` needs; `main.js`,
 *    yargs and each command are chunks loaded when the command line asks for them (start-up).
 *    `dist/src/cli/cnab-trust.cjs`, the package's `bin`, turns on Node's module compile cache where the runtime has
 *    it (`module.enableCompileCache`, Node 22.1 and later) and then imports the bundle.
 *  - `index.js`: the library (`src/index.ts`), the package's `exports`.
 * Both carry their dependencies, among them @tufjs/models as patched by patches/: users of the
 * package get the linear-time role maps whatever their own install resolves. The build fails if the
 * @tufjs/models it reads is not the patched one (`npm ci --ignore-scripts` skips patch-package).
 */
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const outdir = 'dist/src/bundle';
const launcher = 'dist/src/cli/cnab-trust.cjs';

/** Refuses to bundle @tufjs/models with its quadratic `{ ...acc, [k]: v }` reductions. */
const patchedTufModels = {
  name: 'patched-tufjs-models',
  setup(b) {
    b.onLoad({ filter: /[\\/]@tufjs[\\/]models[\\/]dist[\\/][^\\/]+\.js$/ }, (args) => {
      const contents = readFileSync(args.path, 'utf8');
      if (/\.\.\.acc\b/.test(contents)) {
        return { errors: [{ text: `${args.path} is not patched (patches/@tufjs+models+*.patch): run \`npx patch-package\`` }] };
      }
      return { contents, loader: 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { 'cnab-trust': 'dist/src/cli/bin.js', index: 'dist/src/index.js' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies inside an ES module bundle: their require() of Node built-ins, __filename, __dirname
  banner: {
    js: [
      "import { createRequire as __cnabTrustCreateRequire } from 'node:module';",
      "import { fileURLToPath as __cnabTrustFileURLToPath } from 'node:url';",
      'const require = __cnabTrustCreateRequire(import.meta.url);',
      'const __cnabTrustFilename = __cnabTrustFileURLToPath(import.meta.url);',
      "const __cnabTrustDirname = __cnabTrustFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // only the free (CommonJS) uses: a module that declares its own __dirname keeps it
  define: { __filename: '__cnabTrustFilename', __dirname: '__cnabTrustDirname' },
  plugins: [patchedTufModels],
  logLevel: 'warning',
});

writeFileSync(
  launcher,
  [
    '#!/usr/bin/env node',
    '// The cnab-trust executable (written by scripts/bundle-cli.mjs): Node compile cache on, then the bundled CLI.',
    "'use strict';",
    "const m = require('node:module');",
    'if (typeof m.enableCompileCache === "function") m.enableCompileCache();',
    "import('../bundle/cnab-trust.js');",
    '',
  ].join('\n'),
);
chmodSync(launcher, 0o755);
