/**
 * The repository stands on its own: nothing reads outside it, `npm test` installs or names the Debian
 * peers before any test runs, CI runs exactly the README's test command, and `npm run test:unit` runs unit tests only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const setupScript = path.join(repoRoot, 'scripts/test-setup.sh');

/** Every file under `dir` (relative to the root), without build output or dependencies. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  walk(dir);
  return out;
}

/** Runs test-setup.sh with fake `dpkg-query` and `id` first in PATH. */
function runSetup(opts: { installed: boolean; uid: number }): { status: number | null; stderr: string } {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-setup-'));
  try {
    const fake = (name: string, body: string): void => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    fake('dpkg-query', opts.installed ? 'printf installed' : 'exit 1');
    fake('id', `echo ${opts.uid}`);
    fake('apt-get', 'echo "apt-get must not run here" >&2; exit 99');
    const r = spawnSync('bash', [setupScript], { env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('a self-contained repository', () => {
  it('no source, test, script, bench or CI file reads the folder beside the repository', () => {
    const outside = /\.\.\/shared/;
    const files = [...['src', 'test', 'scripts', 'bench', '.ci'].flatMap(filesUnder), 'package.json', '.mocharc.json'];
    const hits = files.filter((f) => statSync(path.join(repoRoot, f)).size < 20_000_000 && outside.test(readFileSync(path.join(repoRoot, f), 'latin1')));
    assert.deepEqual(hits, []);
  });

  it('npm test installs the test peers first, and CI runs exactly the README test command', () => {
    assert.match(pkg.scripts['test']!, /^npm run test:setup && /);
    assert.equal(pkg.scripts['test:setup'], 'bash scripts/test-setup.sh');
    const readmeTest = /^```sh\n.*\n(npm test)\s+#/m.exec(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'))?.[1];
    assert.equal(readmeTest, 'npm test');
    const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    assert.ok(ci.split('\n').some((l) => l.trim() === readmeTest), '.ci/run has a line that is exactly the README test command');
  });

  it('CI runs the suite again on Node 22 and 24 (npm node package), and the Action runs on node24', () => {
    const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    assert.match(ci, /^for line in 22 24; do$/m);
    assert.match(ci, /npm install --prefix "\$nodes\/\$line" .*"node@\$line"/);
    assert.match(ci, /^ {2}PATH="\$nodes\/\$line\/node_modules\/node\/bin:\$PATH" npm test$/m);
    assert.match(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8'), /^ {2}using: node24$/m);
  });

  it('test:setup without root names every missing package and the install command, and fails', () => {
    const r = runSetup({ installed: false, uid: 1000 });
    assert.equal(r.status, 1, r.stderr);
    for (const p of ['docker-registry', 'skopeo', 'in-toto', 'apache2-utils', 'openssl', 'time', 'postgresql', 'gnupg']) {
      assert.match(r.stderr, new RegExp(`\\b${p}\\b`), p);
    }
    assert.match(r.stderr, /sudo apt-get update && sudo apt-get install -y --no-install-recommends docker-registry /);
    assert.doesNotMatch(r.stderr, /must not run/);
  });

  it('test:setup does nothing when every package is installed, root or not', () => {
    for (const uid of [0, 1000]) {
      const r = runSetup({ installed: true, uid });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
    }
  });

  it('npm run test:unit runs the unit tests only', () => {
    const args = /mocha (.*)$/.exec(pkg.scripts['test:unit']!)![1]!.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''));
    const mocha = path.join(repoRoot, 'node_modules/mocha/bin/mocha.js');
    const r = spawnSync(process.execPath, [mocha, ...args, '--dry-run', '--reporter', 'json'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    // the unit config is .mocharc.json with the unit spec only (mocha would merge a positional spec into .mocharc's)
    const all = JSON.parse(readFileSync(path.join(repoRoot, '.mocharc.json'), 'utf8')) as Record<string, unknown>;
    const unit = JSON.parse(readFileSync(path.join(repoRoot, 'test/mocharc.unit.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual({ ...unit, spec: all['spec'] }, all);
    const files = new Set((JSON.parse(r.stdout) as { tests: { file: string }[] }).tests.map((t) => path.relative(repoRoot, t.file)));
    assert.ok(files.size > 10, `${files.size} files`);
    for (const f of files) assert.ok(f.startsWith(path.join('dist', 'test', 'unit') + path.sep), f);
  });
});
