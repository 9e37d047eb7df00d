/**
 * docs/architecture.md §2: the core is pure. No file under src/core/ may import fs, net, http(s), child_process, an adapter,
 * a workflow or the CLI (node:crypto and node:buffer are fine). Checked on the sources, so a new file is covered
 * the day it is added.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';

const FORBIDDEN_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|tls|worker_threads|cluster)$/;
const FORBIDDEN_LAYERS = /(^|\/)(adapters|workflows|cli|demo)\//;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

function imports(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('architecture: src/core is pure (docs/architecture.md §2)', () => {
  const coreDir = path.join(repoRoot, 'src/core');
  const files = sources(coreDir);

  it('finds the core sources', () => {
    assert.ok(files.length > 10);
  });

  it('no core file imports fs, net, http, child_process, an adapter, a workflow or the CLI', () => {
    const offences: string[] = [];
    for (const f of files) {
      for (const spec of imports(readFileSync(f, 'utf8'))) {
        const resolved = spec.startsWith('.') ? path.relative(path.join(repoRoot, 'src'), path.resolve(path.dirname(f), spec)) : spec;
        if (FORBIDDEN_MODULES.test(spec) || (spec.startsWith('.') && FORBIDDEN_LAYERS.test(resolved.split(path.sep).join('/')))) {
          offences.push(`${path.relative(repoRoot, f)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offences, []);
  });

  it('the check itself catches an offending import', () => {
    assert.deepEqual(imports("import { readFile } from 'node:fs/promises';\nconst x = await import('../adapters/fs/index.js');"), [
      'node:fs/promises',
      '../adapters/fs/index.js',
    ]);
  });
});
