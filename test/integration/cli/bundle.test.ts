/**
 * What the package ships to run: `dist/src/bundle/`, esbuild's code-split bundle of the CLI and of the
 * library (scripts/bundle-cli.mjs). Users get @tufjs/models as patched here (patches/), not whatever their install
 * resolves, and the library entry exports what `src/index.ts` does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../helpers/fixtures.js';

const bundleDir = path.join(repoRoot, 'dist/src/bundle');

function bundleFiles(): string[] {
  const files: string[] = [];
  for (const e of readdirSync(bundleDir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.js')) files.push(path.join(e.parentPath, e.name));
  }
  return files;
}

describe('package bundle (dist/src/bundle)', () => {
  it('carries @tufjs/models with the linear-time role maps of patches/, and no quadratic reduce', () => {
    const all = bundleFiles().map((f) => readFileSync(f, 'utf8'));
    const models = all.filter((s) => s.includes('TargetFile.fromJSON(path, target)'));
    assert.ok(models.length >= 1, 'the bundle holds @tufjs/models');
    for (const s of all) assert.doesNotMatch(s, /\.\.\.acc\b/);
    assert.match(models.join('\n'), /Object\.fromEntries\(Object\.entries\(data\)\.map\(\(\[path, target\]\) => \[path, \w+\.TargetFile\.fromJSON\(path, target\)\]\)\)/);
  });

  it('is what package.json exports and runs: the library and the bin', async () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      main: string;
      exports: { '.': { import: string } };
      bin: Record<string, string>;
    };
    assert.equal(path.resolve(repoRoot, pkg.exports['.'].import), path.join(bundleDir, 'index.js'));
    assert.equal(path.resolve(repoRoot, pkg.main), path.join(bundleDir, 'index.js'));
    const launcher = readFileSync(path.join(repoRoot, pkg.bin['cnab-trust']!), 'utf8');
    assert.match(launcher, /enableCompileCache/);
    assert.match(launcher, /import\('\.\.\/bundle\/cnab-trust\.js'\)/);
    const bundled = (await import(pathToFileURL(path.join(bundleDir, 'index.js')).href)) as Record<string, unknown>;
    const compiled = (await import(pathToFileURL(path.join(repoRoot, 'dist/src/index.js')).href)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(bundled).sort(), Object.keys(compiled).sort());
    assert.equal(typeof bundled['getTrustedTarget'], 'function');
  });
});
