/**
 * Rollback protection by default (issue 11 item 10). An attacker holding the online snapshot and timestamp keys
 * serves a new snapshot that lists the old `targets/releases` (the release before a fix). A verifier without
 * memory accepts it; the CLI keeps its trusted metadata in `$XDG_CACHE_HOME/cnab-trust/tuf/<repository>` by
 * default, so the old version is refused (E_TUF_ROLLBACK), and the report says which cache was used. `--no-cache`
 * stays for one-shot use. Concurrent verifiers share the cache safely.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliAsync, runCliIn } from '../helpers/cli.js';
import { TufTestRepo } from '../helpers/tuf-repo.js';
import { repoRoot } from '../helpers/fixtures.js';

describe('attacks: rollback of targets/releases against the default persistent cache', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-rollback-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The relocation fixture bundle (a valid CNAB bundle), described as the old or the fixed release. */
  const release = (description: string): Buffer => {
    const bundle = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'), 'utf8'));
    bundle.description = description;
    return Buffer.from(JSON.stringify(bundle));
  };
  const OLD = release('1.0.0 as first released (vulnerable)');
  const FIXED = release('1.0.0 re-released with the fix');

  function verify(repo: TufTestRepo, bytes: Buffer, ...extra: string[]): { status: number | null; report: { verified: boolean; error?: { code: string }; steps: Array<{ name: string; checks?: string[]; details?: { cache?: { mode: string; dir?: string } } }> } } {
    const file = path.join(dir, 'bundle.json');
    writeFileSync(file, bytes);
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot(1));
    const r = runCliInEnv(['verify', file, '--target', `${repo.gun}:1.0.0`, '--trusted-root', path.join(dir, 'root.json'), '--metadata', repo.dir, '--json', ...extra]);
    return { status: r.status, report: JSON.parse(r.stdout) };
  }

  function runCliInEnv(args: string[]): ReturnType<typeof runCliIn> {
    return runCliIn(dir, args, env);
  }

  it('a snapshot listing the old targets/releases is refused (E_TUF_ROLLBACK); --no-cache accepts it and says so', () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.addTarget(`${repo.gun}:1.0.0`, OLD);
    repo.publish();
    const oldReleases = readFileSync(path.join(repo.dir, '1.targets/releases.json'));
    // the fix: releases v2 lists the fixed bundle under the same tag
    repo.addTarget(`${repo.gun}:1.0.0`, FIXED);
    repo.versions['targets/releases'] = 2;
    repo.versions.snapshot = 2;
    repo.versions.timestamp = 2;
    repo.publish();
    const first = verify(repo, FIXED);
    assert.equal(first.status, 0, JSON.stringify(first.report));
    const tuf = first.report.steps.find((s) => s.name === 'tuf')!;
    assert.equal(tuf.details?.cache?.mode, 'persistent');
    assert.ok(tuf.details!.cache!.dir!.startsWith(path.join(dir, 'xdg', 'cnab-trust', 'tuf')), tuf.details!.cache!.dir);

    // the attacker: snapshot v3 lists targets/releases v1 again (the old file, replayed), timestamp v3
    repo.writeRaw('1.targets/releases.json', oldReleases);
    repo.addTarget(`${repo.gun}:1.0.0`, OLD);
    repo.versions['targets/releases'] = 1;
    repo.versions.snapshot = 3;
    repo.versions.timestamp = 3;
    repo.publish();
    assert.deepEqual(readFileSync(path.join(repo.dir, '1.targets/releases.json')), oldReleases, 'the replayed file is the old one');
    const attacked = verify(repo, OLD);
    assert.equal(attacked.status, 1, JSON.stringify(attacked.report));
    assert.equal(attacked.report.error?.code, 'E_TUF_ROLLBACK');

    const oneShot = verify(repo, OLD, '--no-cache');
    assert.equal(oneShot.status, 0, 'without memory the rollback cannot be seen: what --no-cache means');
    const checks = oneShot.report.steps.find((s) => s.name === 'tuf')!.checks!;
    assert.ok(checks.some((c) => c.startsWith('no persistent cache (--no-cache)')), checks.join('\n'));
  });

  it('16 concurrent verifiers share one cache: all verify, and the cache holds whole files', async () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.addTarget(`${repo.gun}:1.0.0`, FIXED);
    repo.publish();
    const file = path.join(dir, 'bundle.json');
    writeFileSync(file, FIXED);
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    const args = ['tuf', 'get', `${repo.gun}:1.0.0`, '--trusted-root', path.join(dir, 'root.json'), '--metadata', repo.dir];
    const runs = await Promise.all(Array.from({ length: 16 }, () => runCliAsync(args, { env })));
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const cacheRoot = path.join(dir, 'xdg', 'cnab-trust', 'tuf');
    const [cache] = readdirSync(cacheRoot);
    const files = readdirSync(path.join(cacheRoot, cache!));
    assert.deepEqual(files.filter((f) => f.endsWith('.tmp') || f === '.lock'), [], 'no temporary file or lock left');
    for (const f of files.filter((n) => n.endsWith('.json'))) JSON.parse(readFileSync(path.join(cacheRoot, cache!, f), 'utf8'));
    assert.ok(existsSync(path.join(cacheRoot, cache!, 'timestamp.json')));
  });
});
