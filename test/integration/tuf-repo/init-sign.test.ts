/**
 * init + sign + status + list produce a repository the tuf-js client (Updater, through `tuf get`) accepts, and the
 * client refuses it once expired or rolled back. Also: key file modes, the lock, unpinned images, write order.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { repoRoot } from '../../helpers/paths.js';
import { rejectsCode } from '../../helpers/assert.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { listBundles } from '../../../src/adapters/tuf-repo/bundle-list.js';
import { repositoryStatus } from '../../../src/workflows/tuf/status.js';
import { DirRepositoryStore } from '../../../src/adapters/tuf-repo/dir-store.js';
import { GUN, clientGet, pinnedBundle, unpinnedBundle } from './helpers.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const DAY = 24 * 3600 * 1000;

describe('TUF repository: init, sign, status, list', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  let n = 0;
  beforeEach(() => (tmp = makeTempDir('cnab-trust-tufrepo-')));
  afterEach(() => tmp.remove());
  const dirs = () => {
    n++;
    return { metadataDir: path.join(tmp.dir, `metadata${n}`), keysDir: path.join(tmp.dir, `keys${n}`) };
  };

  for (const keyType of ['ed25519', 'ecdsa-sha2-nistp256', 'rsassa-pss-sha256'] as const) {
    it(`${keyType}: init + sign are accepted by the tuf-js client`, async () => {
      const d = dirs();
      await initRepository({ ...d, gun: GUN, keyType });
      const r = await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
      const t = await clientGet(d.metadataDir, `${GUN}:1.0.0`);
      assert.equal(t.length, r.target.length);
      assert.equal(t.hashes.sha256, r.target.hashes.sha256);
      assert.equal(t.custom.name, 'helloworld');
      assert.equal(t.custom.digest, `sha256:${r.target.hashes.sha256}`);
    });
  }

  it('writes the layout of metadata/README.md: N.root.json, nested delegated roles, hash-prefixed targets', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    const r = await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const m = d.metadataDir;
    for (const f of ['1.root.json', 'root.json', 'timestamp.json', '2.snapshot.json', '1.targets.json', '1.targets/releases.json', '2.targets/releases.json']) {
      assert.ok(existsSync(path.join(m, f)), f);
    }
    const sha = r.target.hashes.sha256!;
    const stored = path.join(m, 'targets/example.com/example-org', `${sha}.example-bundle:1.0.0`);
    assert.ok(existsSync(stored));
    const root = JSON.parse(readFileSync(path.join(m, 'root.json'), 'utf8'));
    assert.equal(root.signed.spec_version, '1.0.31');
    assert.equal(root.signed.consistent_snapshot, true);
    assert.match(root.signed.expires, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const targets = JSON.parse(readFileSync(path.join(m, '1.targets.json'), 'utf8'));
    assert.deepEqual(targets.signed.delegations.roles[0].paths, [`${GUN}:*`, `${GUN}/in-toto-metadata/*/*.link`]);
    assert.equal(targets.signed.delegations.roles[0].name, 'targets/releases');
  });

  it('private keys are written 0600, the key directory 0700', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    const keys = readdirSync(d.keysDir);
    assert.equal(keys.filter((k) => k.endsWith('.key')).length, 5);
    for (const k of keys.filter((f) => f.endsWith('.key'))) assert.equal(statSync(path.join(d.keysDir, k)).mode & 0o777, 0o600, k);
    assert.equal(statSync(d.keysDir).mode & 0o077, 0);
  });

  it('--encrypt: keys are encrypted PKCS#8, usable with CNAB_TRUST_PASSPHRASE, refused without it', async () => {
    const d = dirs();
    const pass = async () => 'correct horse';
    await initRepository({ ...d, gun: GUN, encrypt: true, passphrase: pass });
    const key = readdirSync(d.keysDir).find((f) => f.endsWith('.key'))!;
    assert.match(readFileSync(path.join(d.keysDir, key), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, passphrase: pass });
    await rejectsCode(
      signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.1`, passphrase: async () => 'wrong' }),
      'E_PASSPHRASE_WRONG',
    );
    // CLI, non-interactive: the passphrase comes from the environment, never argv.
    const env = { ...process.env, CNAB_TRUST_PASSPHRASE: 'correct horse' };
    await run(process.execPath, [cli, 'sign', pinnedBundle(tmp.dir), '--ref', `${GUN}:1.0.2`, '--metadata', d.metadataDir, '--keys', d.keysDir], { env });
    const noPass = { ...process.env };
    delete noPass.CNAB_TRUST_PASSPHRASE;
    const r = await run(process.execPath, [cli, 'sign', pinnedBundle(tmp.dir), '--ref', `${GUN}:1.0.3`, '--metadata', d.metadataDir, '--keys', d.keysDir, '--json'], { env: noPass }).then(
      () => assert.fail('signed without a passphrase'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).error.code, 'E_PASSPHRASE');
    // a wrong passphrase is untrustworthy input, exit 1 (not a usage error)
    const wrong = { ...process.env, CNAB_TRUST_PASSPHRASE: 'wrong horse' };
    const w = await run(process.execPath, [cli, 'sign', pinnedBundle(tmp.dir), '--ref', `${GUN}:1.0.4`, '--metadata', d.metadataDir, '--keys', d.keysDir, '--json'], { env: wrong }).then(
      () => assert.fail('signed with a wrong passphrase'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(w.code, 1);
    assert.equal(JSON.parse(w.stdout).error.code, 'E_PASSPHRASE_WRONG');
  });

  it('refuses a thin bundle with an unpinned image unless --allow-unpinned', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    const e = await rejectsCode(signBundle({ ...d, input: unpinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` }), 'E_IMAGE_UNPINNED');
    assert.match(e.subject!, /hello|cnab/);
    await signBundle({ ...d, input: unpinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, allowUnpinned: true });
    assert.equal((await clientGet(d.metadataDir, `${GUN}:1.0.0`)).length > 0, true);
  });

  it('refuses a reference outside the repository GUN and an existing repository', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: 'example.com/other/app:1' }), 'E_TUF_DELEGATION');
    await rejectsCode(initRepository({ ...d, gun: GUN }), 'E_TUF_REPOSITORY');
  });

  it('a second signer waits on the lock: E_TUF_LOCKED, nothing written', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    const store = new DirRepositoryStore(d.metadataDir);
    const release = await store.lock();
    try {
      const before = readdirSync(d.metadataDir).sort();
      await rejectsCode(signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` }), 'E_TUF_LOCKED');
      assert.deepEqual(readdirSync(d.metadataDir).sort(), before);
    } finally {
      await release();
    }
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
  });

  it('concurrent signers (separate processes): each publishes or fails with E_TUF_LOCKED, never a torn repository', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    const input = pinnedBundle(tmp.dir);
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        run(process.execPath, [cli, 'sign', input, '--ref', `${GUN}:c${i}`, '--metadata', d.metadataDir, '--keys', d.keysDir, '--json']).then(
          () => ({ i, ok: true as const }),
          (e: { code: number; stdout: string }) => ({ i, ok: false as const, code: e.code, error: JSON.parse(e.stdout).error.code as string }),
        ),
      ),
    );
    const ok = results.filter((r) => r.ok);
    assert.ok(ok.length >= 1, 'at least one signer got the lock');
    for (const r of results) if (!r.ok) assert.deepEqual([r.code, r.error], [3, 'E_TUF_LOCKED']);
    for (const r of ok) assert.equal((await clientGet(d.metadataDir, `${GUN}:c${r.i}`)).custom.name, 'helloworld');
    assert.equal((await listBundles(d)).targets.length, ok.length);
  });

  it('status and list report roles, versions, expiry and bundle digests', async () => {
    const d = dirs();
    const now = new Date('2026-03-01T00:00:00Z');
    await initRepository({ ...d, gun: GUN, now, expiryDays: { targets: 5 } });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0`, now });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir, 'b2.json', '0.2.0'), ref: `${GUN}:2.0.0`, now });
    const s = await repositoryStatus({ ...d, now, warnDays: 7 });
    const byRole = Object.fromEntries(s.roles.map((r) => [r.role, r]));
    assert.equal(byRole['targets/releases']!.version, 3);
    assert.equal(byRole.snapshot!.version, 3);
    assert.equal(byRole.root!.state, 'ok');
    assert.equal(byRole.targets!.state, 'expiring');
    assert.ok(s.warnings.some((w) => w.startsWith('targets expires in 5 days')));
    assert.equal(byRole.root!.localKeys.length, 1);
    const l = await listBundles(d);
    assert.deepEqual(l.targets.map((t) => t.tag), ['1.0.0', '2.0.0']);
    assert.match(l.targets[0]!.digest!, /^sha256:[0-9a-f]{64}$/);
    const cliOut = await run(process.execPath, [cli, 'list', '--metadata', d.metadataDir, '--json']);
    assert.equal(JSON.parse(cliOut.stdout).targets.length, 2);
    const st = await run(process.execPath, [cli, 'status', '--metadata', d.metadataDir, '--keys', d.keysDir]);
    assert.match(st.stdout, /targets\/releases +v3/);
  });

  it('the client refuses the repository once a role expired (fixed clock)', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    await rejectsCode(clientGet(d.metadataDir, `${GUN}:1.0.0`, new Date(Date.now() + 2 * DAY)), 'E_TUF_EXPIRED');
  });

  it('the client refuses a rolled-back timestamp it has seen a newer version of', async () => {
    const d = dirs();
    await initRepository({ ...d, gun: GUN });
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.0` });
    const oldTs = readFileSync(path.join(d.metadataDir, 'timestamp.json'));
    await signBundle({ ...d, input: pinnedBundle(tmp.dir), ref: `${GUN}:1.0.1` });
    const { getTrustedTarget } = await import('../../../src/workflows/tuf/get.js');
    const cacheDir = path.join(tmp.dir, 'cache');
    const opts = { trustedRoot: readFileSync(path.join(d.metadataDir, '1.root.json')), metadata: d.metadataDir, cacheDir };
    await getTrustedTarget(`${GUN}:1.0.1`, opts);
    writeFileSync(path.join(d.metadataDir, 'timestamp.json'), oldTs);
    await rejectsCode(getTrustedTarget(`${GUN}:1.0.0`, opts), 'E_TUF_ROLLBACK');
  });

  it('CLI: init and sign print their reports; --json carries the target', async () => {
    const d = dirs();
    const i = await run(process.execPath, [cli, 'init', '--gun', GUN, '--metadata', d.metadataDir, '--keys', d.keysDir, '--json']);
    assert.equal(JSON.parse(i.stdout).gun, GUN);
    const s = await run(process.execPath, [cli, 'sign', pinnedBundle(tmp.dir), '--ref', `${GUN}:1.0.0`, '--metadata', d.metadataDir, '--keys', d.keysDir, '--json']);
    const rep = JSON.parse(s.stdout);
    assert.equal(rep.target.name, `${GUN}:1.0.0`);
    assert.deepEqual(Object.keys(rep.target.custom).sort(), ['digest', 'name', 'version']);
    copyFileSync(path.join(d.metadataDir, '1.root.json'), path.join(tmp.dir, 'trusted.json'));
    const g = await run(process.execPath, [cli, 'tuf', 'get', `${GUN}:1.0.0`, '--trusted-root', path.join(tmp.dir, 'trusted.json'), '--metadata', d.metadataDir, '--json']);
    assert.equal(JSON.parse(g.stdout).target.hashes.sha256, rep.target.hashes.sha256);
  });
});
