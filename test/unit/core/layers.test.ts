/**
 * The layering of docs/architecture.md §2, checked on the sources (so a new file is covered the day it is added):
 *   core → adapters → workflows → compositions → entry points (cli, action, demo, index.ts); imports go down only.
 * The core is pure (no fs, net, http(s), child_process). A workflow imports no other workflow and does its file
 * I/O through the adapters (no node:fs). A composition imports workflows but no other composition. No cycles.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';

const SRC = path.join(repoRoot, 'src');
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|tls|worker_threads|cluster)$/;
const FS_MODULES = /^(node:)?(fs|fs\/promises)$/;

/** The layer of a source file (path relative to src/, with `/`): a higher layer may import a lower one only. */
function layerOf(rel: string): { name: string; rank: number } {
  const top = rel.split('/')[0]!;
  if (top === 'core') return { name: 'core', rank: 0 };
  if (top === 'adapters') return { name: 'adapters', rank: 1 };
  if (top === 'workflows') return { name: 'workflows', rank: 2 };
  if (top === 'compositions') return { name: 'compositions', rank: 3 };
  return { name: 'entry', rank: 4 }; // cli/, action/, demo/, index.ts
}

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

/** Every source file (relative to src/) with its imports: modules as written, local files relative to src/. */
function graph(): Map<string, { modules: string[]; locals: string[] }> {
  const g = new Map<string, { modules: string[]; locals: string[] }>();
  for (const f of sources(SRC)) {
    const rel = path.relative(SRC, f).split(path.sep).join('/');
    const modules: string[] = [];
    const locals: string[] = [];
    for (const spec of imports(readFileSync(f, 'utf8'))) {
      if (!spec.startsWith('.')) modules.push(spec);
      else locals.push(path.relative(SRC, path.resolve(path.dirname(f), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts'));
    }
    g.set(rel, { modules, locals });
  }
  return g;
}

/** The workflow a file belongs to: `workflows/<concern>/<file>` is one workflow per file. */
const isWorkflow = (rel: string): boolean => rel.startsWith('workflows/');
const isComposition = (rel: string): boolean => rel.startsWith('compositions/');

function cycles(g: Map<string, { locals: string[] }>): string[][] {
  const out: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of g.get(n)?.locals ?? []) {
      if (!g.has(m)) continue;
      if (state.get(m) === 'open') out.push([...stack.slice(stack.indexOf(m)), m]);
      else if (state.get(m) === undefined) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...g.keys()].sort()) if (state.get(n) === undefined) visit(n);
  return out;
}

describe('architecture: the layers of docs/architecture.md §2', () => {
  const g = graph();

  it('finds the sources of every layer', () => {
    const names = new Set([...g.keys()].map((f) => layerOf(f).name));
    assert.deepEqual([...names].sort(), ['adapters', 'compositions', 'core', 'entry', 'workflows']);
  });

  it('imports go down only: core → adapters → workflows → compositions → cli', () => {
    const offences: string[] = [];
    for (const [f, { locals }] of g) {
      for (const target of locals) {
        if (layerOf(target).rank > layerOf(f).rank) offences.push(`${f} (${layerOf(f).name}) imports ${target} (${layerOf(target).name})`);
      }
    }
    assert.deepEqual(offences, []);
  });

  it('the core imports no fs, net, http or child_process', () => {
    const offences = [...g].filter(([f]) => layerOf(f).name === 'core').flatMap(([f, { modules }]) => modules.filter((m) => IO_MODULES.test(m)).map((m) => `${f} imports ${m}`));
    assert.deepEqual(offences, []);
  });

  it('a workflow imports no other workflow, and does its file I/O through the adapters', () => {
    const offences: string[] = [];
    for (const [f, { modules, locals }] of g) {
      if (!isWorkflow(f)) continue;
      for (const t of locals) if (isWorkflow(t) && t !== f) offences.push(`${f} imports workflow ${t}`);
      for (const m of modules) if (FS_MODULES.test(m)) offences.push(`${f} imports ${m}`);
    }
    assert.deepEqual(offences, []);
  });

  it('a workflow reads JSON through the strict readers (adapters/fs readJsonFile, core/json parseJson), never a bare JSON.parse', () => {
    const offences = [...g.keys()].filter((f) => isWorkflow(f) && /\bJSON\.parse\s*\(/.test(readFileSync(path.join(SRC, f), 'utf8')));
    assert.deepEqual(offences, []);
  });

  it('a composition imports no other composition', () => {
    const offences = [...g].filter(([f]) => isComposition(f)).flatMap(([f, { locals }]) => locals.filter((t) => isComposition(t) && t !== f).map((t) => `${f} imports ${t}`));
    assert.deepEqual(offences, []);
  });

  it('no import cycles', () => {
    assert.deepEqual(cycles(g), []);
  });

  it('the checks themselves catch an offending import and a cycle', () => {
    assert.deepEqual(imports("import { readFile } from 'node:fs/promises';\nconst x = await import('../adapters/fs/index.js');"), [
      'node:fs/promises',
      '../adapters/fs/index.js',
    ]);
    const looped = new Map([
      ['a.ts', { locals: ['b.ts'] }],
      ['b.ts', { locals: ['a.ts'] }],
    ]);
    assert.deepEqual(cycles(looped), [['a.ts', 'b.ts', 'a.ts']]);
    assert.equal(layerOf('workflows/tuf/sign.ts').rank > layerOf('adapters/tuf-repo/repository.ts').rank, true);
  });
});
