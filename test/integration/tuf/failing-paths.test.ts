/**
 * Every way a TUF repository can be untrustworthy makes `tuf get` fail with its own code, naming the role
 * (or target) at fault: expiry of each role, a rollback of each role's version, a revoked key, a threshold not
 * met, a target file that differs from what was signed, a freeze attack against a fixed clock, mix-and-match,
 * oversized metadata, and a target listed by a role not delegated its path.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TufTestRepo, generateKey, RELEASES } from '../../helpers/tuf-repo.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { getTrustedTarget, downloadTrustedTarget, type TufGetOptions } from '../../../src/workflows/tuf/get.js';
import { CnabTrustError, type ErrorCode } from '../../../src/core/errors.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const DAY = 24 * 3600 * 1000;

async function expectTufError(p: Promise<unknown>, code: ErrorCode, subject: string): Promise<CnabTrustError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CnabTrustError, `not a CnabTrustError: ${String(e)}`);
    assert.equal(e.code, code, `${e.code}: ${e.message} (${String((e.details as { tuf?: string } | undefined)?.tuf)})`);
    assert.equal(e.subject, subject, `subject of ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('tuf get: failing paths', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  let n = 0;
  before(() => (tmp = makeTempDir()));
  after(() => tmp.remove());

  const bundle = Buffer.from('{"name":"example-bundle","version":"1.0.0"}');
  /** A fresh, valid repository with one bundle target; `setup` runs before the first publish. */
  function fresh(setup?: (r: TufTestRepo) => void): { repo: TufTestRepo; name: string; opts: TufGetOptions } {
    const repo = new TufTestRepo(path.join(tmp.dir, `repo${++n}`));
    const name = `${repo.gun}:1.0.0`;
    repo.addTarget(name, bundle);
    setup?.(repo);
    repo.writeRoot();
    repo.publish();
    return { repo, name, opts: { trustedRoot: repo.trustedRoot(1), metadata: repo.dir, cacheDir: path.join(tmp.dir, `cache${n}`) } };
  }

  it('a valid repository passes (control)', async () => {
    const { name, opts } = fresh();
    assert.equal((await getTrustedTarget(name, opts)).length, bundle.length);
  });

  describe('expired metadata (TUF client workflow 5.3.10, 5.4.4, 5.5.6, 5.6.5)', () => {
    for (const role of ['root', 'timestamp', 'snapshot', 'targets', RELEASES] as const) {
      it(`expired ${role}: E_TUF_EXPIRED naming ${role}`, async () => {
        const { name, opts } = fresh((r) => (r.expires[role] = new Date(Date.now() - DAY)));
        await expectTufError(getTrustedTarget(name, opts), 'E_TUF_EXPIRED', role);
      });
    }
  });

  describe('rollback of each role (5.3.5, 5.4.3, 5.5.5)', () => {
    it('root: a newer root file carrying an older version', async () => {
      const { repo, name } = fresh();
      repo.versions.root = 2;
      repo.writeRoot();
      // 3.root.json is the (validly signed) version 1 served again
      repo.writeRaw('3.root.json', JSON.stringify(repo.rootFiles.get(1)));
      await expectTufError(getTrustedTarget(name, { trustedRoot: repo.trustedRoot(2), metadata: repo.dir }), 'E_TUF_ROLLBACK', 'root');
    });

    it('timestamp: an older timestamp than the trusted one', async () => {
      const { repo, name, opts } = fresh((r) => (r.versions.timestamp = 2));
      await getTrustedTarget(name, opts);
      repo.versions.timestamp = 1;
      repo.publish();
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_ROLLBACK', 'timestamp');
    });

    it('snapshot: a new timestamp naming an older snapshot', async () => {
      const { repo, name, opts } = fresh((r) => (r.versions.snapshot = 2));
      await getTrustedTarget(name, opts);
      repo.versions.timestamp = 2;
      repo.versions.snapshot = 1;
      repo.publish();
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_ROLLBACK', 'snapshot');
    });

    for (const role of ['targets', RELEASES] as const) {
      it(`${role}: a new snapshot naming an older ${role}`, async () => {
        const { repo, name, opts } = fresh((r) => (r.versions[role] = 2));
        await getTrustedTarget(name, opts);
        repo.versions[role] = 1;
        repo.versions.snapshot = 2;
        repo.versions.timestamp = 2;
        repo.publish();
        await expectTufError(getTrustedTarget(name, opts), 'E_TUF_ROLLBACK', role);
      });
    }
  });

  describe('signatures', () => {
    it('timestamp signed by a key the rotated root revoked: E_TUF_SIGNATURE', async () => {
      const { repo, name, opts } = fresh();
      const revoked = repo.keys.timestamp;
      repo.keys.timestamp = [generateKey()];
      repo.versions.root = 2;
      repo.writeRoot();
      repo.versions.timestamp = 2;
      repo.publish({ signWith: { timestamp: revoked } });
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SIGNATURE', 'timestamp');
    });

    it('targets/releases signed by a key the targets role revoked: E_TUF_SIGNATURE', async () => {
      const { repo, name, opts } = fresh();
      const revoked = repo.keys[RELEASES];
      repo.keys[RELEASES] = [generateKey()];
      for (const r of ['targets', 'snapshot', 'timestamp', RELEASES] as const) repo.versions[r] = 2;
      repo.publish({ signWith: { [RELEASES]: revoked } });
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SIGNATURE', RELEASES);
    });

    it('targets signed by 1 of the 2 keys its threshold requires: E_TUF_THRESHOLD', async () => {
      const { repo, name, opts } = fresh((r) => {
        r.keys.targets = [generateKey(), generateKey()];
        r.thresholds.targets = 2;
      });
      for (const r of ['targets', 'snapshot', 'timestamp'] as const) repo.versions[r] = 2;
      repo.publish({ signWith: { targets: [repo.keys.targets[0]!] } });
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_THRESHOLD', 'targets');
    });

    it('a new root signed by 1 of the 2 trusted root keys: E_TUF_THRESHOLD naming root', async () => {
      const { repo, name, opts } = fresh((r) => {
        r.keys.root = [generateKey(), generateKey()];
        r.thresholds.root = 2;
      });
      repo.versions.root = 2;
      repo.writeRoot([repo.keys.root[0]!]);
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_THRESHOLD', 'root');
    });
  });

  describe('target files (5.7.3)', () => {
    function storedFile(repo: TufTestRepo, name: string): string {
      const entry = repo.targets[RELEASES][name]!;
      const { dir, base } = path.posix.parse(name);
      return path.join(repo.dir, 'targets', dir, `${entry.hashes.sha256}.${base}`);
    }

    it('hash mismatch: same length, other bytes', async () => {
      const { repo, name, opts } = fresh();
      writeFileSync(storedFile(repo, name), Buffer.from(bundle.toString().replace('1.0.0', '6.6.6')));
      await expectTufError(downloadTrustedTarget(name, opts), 'E_TUF_TARGET_MISMATCH', name);
    });

    it('length mismatch: longer and shorter files', async () => {
      const { repo, name, opts } = fresh();
      writeFileSync(storedFile(repo, name), Buffer.concat([bundle, Buffer.from('  ')]));
      await expectTufError(downloadTrustedTarget(name, opts), 'E_TUF_TARGET_MISMATCH', name);
      writeFileSync(storedFile(repo, name), bundle.subarray(0, 10));
      await expectTufError(downloadTrustedTarget(name, opts), 'E_TUF_TARGET_MISMATCH', name);
    });
  });

  describe('freeze attack with a fixed clock (5.4.4)', () => {
    it('a timestamp valid yesterday is stale today', async () => {
      const { repo, name, opts } = fresh();
      const before = new Date(repo.expires.timestamp.getTime() - 60_000);
      const after = new Date(repo.expires.timestamp.getTime() + 60_000);
      assert.equal((await getTrustedTarget(name, { ...opts, cacheDir: undefined, now: () => before })).length, bundle.length);
      await expectTufError(getTrustedTarget(name, { ...opts, cacheDir: undefined, now: () => after }), 'E_TUF_EXPIRED', 'timestamp');
    });

    it('cnab-trust tuf get --now: exit 1 and E_TUF_EXPIRED in --json', async () => {
      const { repo, name } = fresh();
      const rootFile = path.join(repo.dir, '1.root.json');
      const after = new Date(repo.expires.timestamp.getTime() + 60_000).toISOString();
      const err = await run('node', [cli, 'tuf', 'get', name, '--trusted-root', rootFile, '--metadata', repo.dir, '--now', after, '--json']).then(
        () => assert.fail('must fail'),
        (e: { code: number; stdout: string }) => e,
      );
      assert.equal(err.code, 1);
      const { error } = JSON.parse(err.stdout) as { error: { code: string; subject: string } };
      assert.deepEqual([error.code, error.subject], ['E_TUF_EXPIRED', 'timestamp']);
    });
  });

  describe('mix-and-match (5.5.2, 5.5.4, 5.6.2, 5.6.4)', () => {
    it('the targets file under the version the snapshot names is another version (hashes in snapshot)', async () => {
      const { repo, name, opts } = fresh();
      const v1 = readFileSync(path.join(repo.dir, '1.targets.json'));
      for (const r of ['targets', 'snapshot', 'timestamp'] as const) repo.versions[r] = 2;
      repo.publish();
      writeFileSync(path.join(repo.dir, '2.targets.json'), v1);
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SNAPSHOT_MISMATCH', 'targets');
    });

    it('the same, with a version-only snapshot: the version inside does not match', async () => {
      const { repo, name, opts } = fresh();
      const v1 = readFileSync(path.join(repo.dir, '1.targets.json'));
      for (const r of ['targets', 'snapshot', 'timestamp'] as const) repo.versions[r] = 2;
      repo.publish({ snapshotMetaVersionsOnly: true });
      writeFileSync(path.join(repo.dir, '2.targets.json'), v1);
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SNAPSHOT_MISMATCH', 'targets');
    });

    it('a delegated role file from another snapshot', async () => {
      const { repo, name, opts } = fresh();
      const v1 = readFileSync(path.join(repo.dir, '1.targets', 'releases.json'));
      for (const r of [RELEASES, 'snapshot', 'timestamp'] as const) repo.versions[r] = 2;
      repo.publish();
      writeFileSync(path.join(repo.dir, '2.targets', 'releases.json'), v1);
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SNAPSHOT_MISMATCH', RELEASES);
    });

    it('the snapshot file is not the one the timestamp names', async () => {
      const { repo, name, opts } = fresh();
      const v1 = readFileSync(path.join(repo.dir, '1.snapshot.json'));
      repo.versions.snapshot = 2;
      repo.versions.timestamp = 2;
      repo.publish();
      writeFileSync(path.join(repo.dir, '2.snapshot.json'), v1);
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_SNAPSHOT_MISMATCH', 'snapshot');
    });
  });

  describe('size limits', () => {
    it('a timestamp over 16 KiB: E_TUF_TOO_LARGE', async () => {
      const { repo, name, opts } = fresh();
      repo.versions.timestamp = 2;
      repo.publish({ padTo: { timestamp: 20_000 } });
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_TOO_LARGE', 'timestamp');
    });

    it('a targets file over the configured bound when the snapshot states no length', async () => {
      const { repo, name, opts } = fresh();
      for (const r of ['targets', 'snapshot', 'timestamp'] as const) repo.versions[r] = 2;
      repo.publish({ padTo: { targets: 20_000 }, snapshotMetaVersionsOnly: true });
      await expectTufError(getTrustedTarget(name, { ...opts, limits: { targetsMaxLength: 10_000 } }), 'E_TUF_TOO_LARGE', 'targets');
    });

    it('a root over 512000 bytes', async () => {
      const { repo, name, opts } = fresh();
      repo.versions.root = 2;
      repo.writeRoot(repo.keys.root, (s) => (s['x-test-padding'] = 'x'.repeat(520_000)));
      await expectTufError(getTrustedTarget(name, opts), 'E_TUF_TOO_LARGE', 'root');
    });
  });

  it('a target listed by a role not delegated its path: E_TUF_DELEGATION naming the role', async () => {
    const other = 'other.example/evil/bundle:1.0.0';
    const { name, opts } = fresh((r) => r.addTarget(other, Buffer.from('evil')));
    assert.equal((await getTrustedTarget(name, opts)).length, bundle.length);
    await expectTufError(getTrustedTarget(other, opts), 'E_TUF_DELEGATION', RELEASES);
  });

  it('a bootstrap root that does not verify itself: E_TUF_SIGNATURE naming root, and the cache is not seeded with it', async () => {
    const { repo, name, opts } = fresh();
    const tampered = JSON.parse(repo.trustedRoot(1).toString()) as { signed: { expires: string } };
    tampered.signed.expires = '2099-01-01T00:00:00Z';
    await expectTufError(getTrustedTarget(name, { ...opts, trustedRoot: Buffer.from(JSON.stringify(tampered)) }), 'E_TUF_SIGNATURE', 'root');
    assert.equal((await getTrustedTarget(name, opts)).length, bundle.length);
  });

  it('an unreachable repository: E_TUF_FETCH (exit 3)', async () => {
    const { repo, name } = fresh();
    const e = await expectTufError(
      getTrustedTarget(name, { trustedRoot: repo.trustedRoot(1), metadata: 'http://127.0.0.1:9/', http: { retries: 0 } }),
      'E_TUF_FETCH',
      'root', // the first request: 2.root.json (TUF client workflow 5.3.3)
    );
    assert.equal(e.category, 'io');
  });
});
